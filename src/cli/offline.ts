// A partner who is not connected, as the commands that reach them (send, createEmpty, requestEmpty) tell it: what
// went to an offline partner is said once, with what happens to it.
import type { ChannelView } from '../node/types.js';
import type { RunArgs } from './channelArgs.js';

/**
 * After a state or a turn request went to a partner who is not connected: said once, with what happens to it.
 * The node itself warns that it is not delivered when it holds no session with them (after a start, before they
 * connected): the offline line is then left out, and only what to do is added.
 */
export function offlineNote(a: RunArgs, sent: ChannelView, what: 'state' | 'request' = 'state'): void {
  const ch = a.node.channel(sent.id) ?? sent;
  if (ch.partnerOnline) return;
  const nodeTold = !a.node.partners().some((p) => p.address === ch.partnerAddress);
  const offline = nodeTold ? '' : 'Your partner is offline: ';
  if (a.io.interactive) {
    if (!nodeTold) a.io.say(`${offline}the ${what} is delivered when they reconnect.`);
    return;
  }
  const kept = `the ${what} is kept and goes to them once both nodes run connected. This piped run stops at the end of its input: start your node again while your partner's runs (nothing is lost)`;
  a.io.say(`${offline}${nodeTold ? kept.charAt(0).toUpperCase() + kept.slice(1) : kept}.`);
}
