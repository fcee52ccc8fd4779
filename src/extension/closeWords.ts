// The words of a close on chain for the tree's hover, the balances panel and the toasts: who started it with
// which step, and the challenge that replaced it (the node's close.challenged); the partner's close told again
// after a restart (the node's `earlier`) as past. Plain text from the node's views: no protocol rule here.
import type { CloseView, NodeEvent } from '../node/types.js';
import { windowWords } from './words.js';

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

/**
 * The partner's close (or exit) as a toast says it; one a restart tells again (`earlier`: the node told it in a
 * run before this one) as past, with the window's end, never as new; null for this node's own close.
 */
export function closeStartedWords(e: Extract<NodeEvent, { type: 'closeStarted' }>, partner: string): string | null {
  if (!e.byPartner) return null;
  const exit = e.step === null;
  const window = windowWords(e.channel, (left) => (exit ? `the window ends in ${left}` : `the challenge window ends in ${left}`));
  const watcher = exit ? 'Your watcher challenges with any state both signed.' : 'Your watcher challenges it if it pays you less than your latest state (or a state between could).';
  if (e.earlier) return `before the restart, ${partner} started ${exit ? 'an exit with the deposits' : `a close with Step ${e.step}`}; ${window}. ${watcher}`;
  return `${partner} ${exit ? 'started an exit with the deposits' : `sent Step ${e.step} to the contract`}; ${window}. ${watcher}`;
}
