// What a channel sends again on every (re)connection of its partner (its proposal, acceptance or deployment, a
// resync request, its staged state, a turn request): sent again only once the earlier one is acknowledged or will
// not be delivered. Until then it waits in the session's outbox, which every resume resends: a partner that
// reconnects in a loop without acknowledging cannot grow that outbox.
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';

/** per channel, the messages (by kind, and step where one has it) sent and not acknowledged yet */
const unacked = new WeakMap<ChannelController, Set<string>>();

/** Sends with `send` (resolving once acknowledged or given up) unless message `key` of `ctl` is still unacknowledged. */
export function sendOnce(ctl: ChannelController, key: string, send: () => Promise<boolean>): void {
  let keys = unacked.get(ctl);
  if (!keys) unacked.set(ctl, (keys = new Set()));
  if (keys.has(key)) return;
  keys.add(key);
  void send().finally(() => keys.delete(key));
}

/** B: its acceptance of the partner's proposal (channel.accept). */
export function sendAccept(ctx: NodeContext, ctl: ChannelController): void {
  sendOnce(ctl, 'accept', () => ctx.sendAcked(ctl, { type: 'channel.accept', channelId: ctl.rec.channelId }));
}

/** A: the contract is deployed (channel.deployed): the partner's deposit waits for it. */
export function sendDeployed(ctx: NodeContext, ctl: ChannelController): void {
  sendOnce(ctl, 'deployed', () => ctx.sendAcked(ctl, { type: 'channel.deployed', channelId: ctl.rec.channelId, contract: ctl.rec.contract }));
}

/**
 * A resync request for the states after `latestStep` (0 also when nothing is held: the partner sends step 0 too, we
 * skip what we have). Keyed by what it asks: the reconnection's and a far-ahead proposal's ask are one request.
 */
export function askStates(ctx: NodeContext, ctl: ChannelController, latestStep: bigint): void {
  sendOnce(ctl, `resync:${latestStep}`, () => ctx.sendAcked(ctl, { type: 'resync.request', contract: ctl.rec.contract, latestStep }));
}
