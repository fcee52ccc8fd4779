// Declining a channel: a proposal (either side, before any contract), or a funding channel that holds nothing of
// this node (the partner never paid, or both took their deposits back). A declined channel is not watched any
// more, so nothing of this node may be in it or on its way: the chain is read, a deployment or deposit of this
// node not seen on chain blocks it for a while, and the last check and the transition are one synchronous step
// (a deposit marks itself in one step with its own phase check: negotiation.ts deposit()).
import { Address } from '@ton/core';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { NodeError } from './errors.js';
import type { Negotiation } from './negotiation.js';
import type { ChannelView } from './types.js';

/**
 * How long after a deployment or deposit of this node a funding channel is not declined unless the chain shows
 * it landed: its wallet message's validity starts after the reads that prepare it, which may retry (generous).
 */
const DECLINE_WAIT_MS = 10 * 60_000;

export async function declineChannel(ctx: NodeContext, n: Pick<Negotiation, 'adoptDeployed' | 'refuseWhileMayLand' | 'refreshDeposits'>, ctl: ChannelController): Promise<ChannelView> {
  const can = ctl.actions().decline;
  if (!can.ok) throw new NodeError(can.code, can.why);
  // A deployment whose wait failed may have landed: its deposit is taken back with refund, never left behind
  // in a declined channel (nothing watches it). A failed read stops here too.
  if (ctl.rec.me === 'A' && ctl.life === 'accepted') {
    const st = await ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract));
    if (await n.adoptDeployed(ctl, { status: st.status, tell: false })) {
      throw new NodeError('INVALID_TRANSITION', `the channel contract is deployed with your deposit: take it back with refund (the proposal cannot be withdrawn any more)`);
    }
    n.refuseWhileMayLand(ctl, 'decline again (or deposit, which never deploys twice)');
  }
  if (ctl.life === 'funding') {
    refuseWhileMine(ctl);
    await n.refreshDeposits(ctl);
    refuseWhileMine(ctl); // in the same step as the transition below: a deposit marked since is seen
  }
  await ctx.transition(ctl, 'decline');
  if (!ctl.storage) ctx.channels.delete(ctl.id);
  return ctx.view(ctl);
}

/** Throws unless the channel is funding with nothing of this node in it or on its way (synchronous). */
function refuseWhileMine(ctl: ChannelController): void {
  const r = ctl.rec;
  const sent = Math.max(r.depositPending?.sentAt ?? 0, r.deploySentAt ?? 0);
  if (sent > 0 && Date.now() - sent < DECLINE_WAIT_MS) {
    const what = r.depositPending ? 'your deposit' : 'your deployment';
    throw new NodeError('TIMEOUT', `${what} may still land (sent ${Math.round((Date.now() - sent) / 1000)} s ago, and not seen on chain yet): wait ${Math.ceil((sent + DECLINE_WAIT_MS - Date.now()) / 1000)} s, then decline again`);
  }
  const mine = r.me === 'A' ? r.depositA : r.depositB;
  if (mine > 0n || ctl.life !== 'funding') {
    const can = ctl.actions().decline;
    throw new NodeError(can.ok ? 'INVALID_TRANSITION' : can.code, can.ok ? 'the channel changed on chain: look at it again' : can.why);
  }
}
