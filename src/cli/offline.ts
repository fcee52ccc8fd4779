// A partner who is not connected, as the commands that reach them (send, createEmpty, requestEmpty) tell it: a
// piped command right after the start waits a moment for the node's redial, and what went to an offline partner
// is said once (the node's PARTNER_OFFLINE line), with what happens to it.
import type { ChannelView } from '../node/types.js';
import type { RunArgs } from './channelArgs.js';

/**
 * How long after the node's start a piped command to an offline partner waits for them: a node redials a saved
 * partner as it starts, and a one-shot `echo send 1 | synchannel` would otherwise go before that redial.
 */
export const REDIAL_WAIT_MS = 5_000;

/** The channel's view once its partner is connected, or once REDIAL_WAIT_MS after the start passed (piped runs only). */
export async function partnerAfterStart(a: RunArgs, ch: ChannelView): Promise<ChannelView> {
  const left = a.io.startedAt === undefined ? 0 : a.io.startedAt + REDIAL_WAIT_MS - Date.now();
  if (a.io.interactive || ch.partnerOnline || left <= 0) return ch;
  a.io.say(`Waiting up to ${Math.ceil(left / 1000)} s for your partner to connect (nodes reconnect by themselves after a start)…`);
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(done, left);
    const off = a.node.on(() => {
      if (a.node.channel(ch.id)?.partnerOnline) done();
    });
  });
  return a.node.channel(ch.id) ?? ch;
}

/**
 * After a state or a turn request went to a partner who is not connected (the node told it, PARTNER_OFFLINE: its
 * line says they are offline and that it reaches them when they reconnect): a piped run adds what happens to it at
 * the end of its input. At a terminal the node's line says it all.
 */
export function offlineNote(a: RunArgs, told: boolean, what: 'state' | 'request' = 'state'): void {
  if (!told || a.io.interactive) return;
  // A run this input asked to serve, or watching a close, goes on at the end of its input (main.ts): the partner who
  // connects meanwhile gets it. Any other piped run stops then.
  const stays = a.io.askedToServe && a.node.served() ? 'serving' : a.node.channels().some((c) => c.phase === 'closing') ? 'watching a close' : null;
  const kept = stays
    ? `The ${what} is kept and goes to them once they connect: this run keeps ${stays} at the end of its input (Ctrl+C stops it; nothing is lost, a later start sends it too)`
    : `The ${what} is kept and goes to them once both nodes run connected. This piped run stops at the end of its input: start your node again while your partner's runs (nothing is lost)`;
  a.io.say(`${kept}.`);
}
