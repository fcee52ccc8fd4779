// The words of a close on chain for the tree's hover and the balances panel: who started it with which step, and
// the challenge that replaced it (the node's close.challenged). Plain text from the node's views: no protocol rule here.
import type { CloseView } from '../node/types.js';

/**
 * The close on chain once a challenge replaced its step ("your close with Step 0, challenged by Bob with Step 3",
 * "Bob's close with Step 0, challenged by you with Step 3"); null before a challenge (the step on chain is the close's).
 */
export function challengedCloseWords(close: Pick<CloseView, 'step' | 'byMe' | 'challenged'>, partner: string): string | null {
  const c = close.challenged;
  if (!c) return null;
  const whose = close.byMe ? 'your' : `${partner}'s`;
  const by = c.byMe ? 'you' : partner;
  return `${whose} ${c.firstStep === null ? 'exit with the deposits' : `close with Step ${c.firstStep}`}, challenged by ${by} with Step ${close.step}`;
}

/** The close on chain as the balances panel says it after "on chain: ": the step and who started the close, or its challenge. */
export function onChainWords(close: Pick<CloseView, 'step' | 'byMe' | 'challenged'>, partner: string): string {
  const what = close.step === null ? 'the deposits (an exit)' : `Step ${close.step}`;
  // byMe is who started the close, not who sent the step on chain (a challenge replaces it)
  return challengedCloseWords(close, partner) ?? `${what} (close started by ${close.byMe ? 'you' : partner})`;
}
