// The text (markdown) of a step row's hover, without VS Code: hovers.ts puts it in a MarkdownString.
import type { StateView } from '../node/types.js';
import { HELD_IN_MEMORY } from '../node/uiRules.js';
import { signedBy, stateLine } from './util.js';
import { WRITES_WHEN_ROOM } from './diskWords.js';
import { partyName, stepAction, type Names } from './words.js';

/** What the row knows of the step: whose signature it awaits, whether the contract holds it (and it is stale). */
export interface StepHoverShown {
  pending: 'me' | 'partner' | null;
  onChain: boolean;
  stale: boolean;
}

/** A step's hover: who and what, its balances and signatures, and a state held in memory only (its journal write failed). */
export function stepHoverText(s: StateView, previous: StateView | null, names: Names, o: StepHoverShown): string {
  let text = `**Step ${s.step}** by ${partyName(names, s.sender)}: ${stepAction(s, previous, names)}\n\n`;
  text += `\`${stateLine(s)}\` (you are ${names.me}) · ${signedBy(s)}${s.tag === 'close' ? ' · close state' : ''}`;
  if (s.unsaved) text += `\n\n$(warning) Step ${s.step} is ${HELD_IN_MEMORY}: the node could not write it (a full disk?); ${WRITES_WHEN_ROOM}. Withdraw still closes the channel alone with it.`;
  if (o.pending === 'me') text += '\n\nAwaiting your signature: Sign it from the row or the balances panel.';
  if (o.pending === 'partner') text += "\n\nAwaiting your partner's signature.";
  if (o.onChain) text += o.stale ? '\n\n$(warning) The contract holds this step, and your watcher challenges it (it pays you less than your latest state, or a state between could).' : '\n\nThe contract holds this step.';
  return text;
}
