// Declining a channel: a proposal (either side, before any contract), or a funding channel that holds nothing of
// this node (the partner never paid, or both took their deposits back). A declined channel is not watched any
// more, so nothing of this node may be in it or on its way: the chain is read, a deployment or deposit of this
// node not seen on chain blocks it for a while, and the last check and the transition are one synchronous step
// (a deposit marks itself in one step with its own phase check: negotiation.ts deposit()).
import { Address } from '@ton/core';
import { formatTon } from '../core/amounts.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { NodeError } from './errors.js';
import type { Negotiation } from './negotiation.js';
import { chainNowEstimate, chainNowRead, clearDeployMark, deployMark, mayLandFor, sentMayLandFor } from './mayland.js';
import { DECLINE_WAIT_MS, REJECT_OWED_MS } from './policy.js';
import type { ChannelView } from './types.js';
import { addressTextOf, shownContract } from './addresses.js';
import { partnerAddressOf } from './record.js';

export async function declineChannel(ctx: NodeContext, n: Pick<Negotiation, 'adoptDeployed' | 'refuseWhileMayLand' | 'refreshDeposits'>, ctl: ChannelController): Promise<ChannelView> {
  const can = ctl.actions({ chainJudges: true }).decline;
  if (!can.ok) throw new NodeError(can.code, can.why);
  // A deployment whose wait failed may have landed: its deposit is taken back with refund, never left behind
  // in a declined channel (nothing watches it). A failed read stops here too.
  if (ctl.rec.me === 'A' && ctl.life === 'accepted') {
    const st = await ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract));
    // Deployed by someone else (the partner) with nothing of ours in it: declined below as a funding channel.
    if ((await n.adoptDeployed(ctl, { status: st.status, tell: false })) && (ctl.rec.depositA > 0n || (ctl.life as string) !== 'funding')) {
      // the read may show it locked with the partner's deposit too: then refund is over, and says what instead
      const refund = ctl.actions().refund;
      const then = refund.ok ? 'take it back with refund' : refund.why;
      throw new NodeError(refund.ok ? 'INVALID_TRANSITION' : refund.code, `the channel contract is deployed with your deposit, and the proposal cannot be withdrawn any more: ${then}`);
    }
    await n.refuseWhileMayLand(ctl, ctl.rec.partnerDeclined ? 'decline again (the node also ends it by itself then)' : 'decline again (or deposit, which never deploys twice)');
  }
  if (ctl.life === 'funding') {
    refuseWhileMine(ctl, await chainNowRead(ctx));
    await n.refreshDeposits(ctl);
    refuseWhileMine(ctl, chainNowEstimate(ctx)); // in the same step as the transition below: a deposit marked since is seen
  }
  await ctx.transition(ctl, 'decline');
  if (!ctl.storage) ctx.channels.delete(ctl.id);
  return ctx.view(ctl);
}

/** Throws unless the channel is funding with nothing of this node in it or on its way (synchronous). */
function refuseWhileMine(ctl: ChannelController, chainNow: number): void {
  const r = ctl.rec;
  // DECLINE_WAIT_MS on the chain's clock too: a read of the deposits may come from a replica behind the time's
  const left = sentMayLandFor(r, chainNow, DECLINE_WAIT_MS);
  if (left > 0) {
    const what = r.depositPending ? 'your deposit' : 'your deployment';
    throw new NodeError('TIMEOUT', `${what} may still land (it is not seen on chain yet): wait ${left} s, then decline again`);
  }
  const mine = r.me === 'A' ? r.depositA : r.depositB;
  if (mine > 0n || ctl.life !== 'funding') {
    const can = ctl.actions({ chainJudges: true }).decline;
    throw new NodeError(can.ok ? 'INVALID_TRANSITION' : can.code, can.ok ? 'the channel changed on chain: look at it again' : can.why);
  }
}

/**
 * A: the partner declined while a deployment of ours is not seen on chain (its wait failed): it may still land,
 * or landed unseen. Then the channel is not ended (its deposit would be in a contract nobody follows): it is
 * followed (`watch`), refunded once it shows, declined once nothing can land. True when the channel is kept.
 */
export function keepDeclinedDeployment(ctx: NodeContext, n: Pick<Negotiation, 'adoptDeployed'>, ctl: ChannelController, watch: () => void): Promise<boolean> {
  const mark = deployMark(ctl.rec);
  if (ctl.rec.me !== 'A' || ctl.life !== 'accepted' || !mark) return Promise.resolve(false);
  if (ctl.rec.partnerDeclined) return Promise.resolve(true); // told already: a partner repeating it makes no more chain reads
  // Rejects that come while the chain is read share that look: a flood of them is one read, not one each.
  let look = looking.get(ctl);
  if (!look) {
    look = lookAtDeclined(ctx, n, ctl, watch, mark).finally(() => looking.delete(ctl));
    looking.set(ctl, look);
  }
  return look;
}

/** per channel, the look of keepDeclinedDeployment under way */
const looking = new WeakMap<ChannelController, Promise<boolean>>();

async function lookAtDeclined(ctx: NodeContext, n: Pick<Negotiation, 'adoptDeployed'>, ctl: ChannelController, watch: () => void, mark: NonNullable<ReturnType<typeof deployMark>>): Promise<boolean> {
  const status = (await ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => null))?.status;
  // the chain's time unread: taken as "may land" (the channel is kept and followed)
  const now = await chainNowRead(ctx).catch(() => null);
  const left = now === null ? null : mayLandFor(mark, now);
  if (status === 'not_deployed' && left === 0) return false;
  ctl.rec.partnerDeclined = true;
  const what = `your partner declined channel ${shownContract(ctl)}`;
  // landed: the transition to funding says so (landedAfterDecline)
  if (status && (await n.adoptDeployed(ctl, { status, tell: false }))) return true;
  await markDeclined(ctx, ctl);
  watch();
  void settleDeclined(ctx, n, ctl).catch((e: unknown) => ctx.fail(e, ctl));
  tellDeclined(ctx, ctl, `${what}, but your deployment (not seen on chain yet) may still land: the node follows the contract; once it shows your deposit, take it back with refund. If nothing lands ${left === null ? 'before its message expires' : `within ${left} s`}, the node ends the channel`, null);
  return true;
}

/**
 * A channel kept after the partner declined it (keepDeclinedDeployment): taken as deployed if the deployment landed
 * (its deposit is refunded), ended once it can no longer land. Runs again at start-up until then.
 */
export async function settleDeclined(ctx: NodeContext, n: Pick<Negotiation, 'adoptDeployed'>, ctl: ChannelController): Promise<void> {
  if (!ctl.rec.partnerDeclined || ctl.rec.me !== 'A' || ctl.life !== 'accepted') return;
  const again = (ms: number) => ctl.later(() => void settleDeclined(ctx, n, ctl).catch((e: unknown) => ctx.fail(e, ctl)), ms);
  const mark = deployMark(ctl.rec); // none: nothing of ours can land
  const now = mark ? await chainNowRead(ctx).catch(() => null) : 0;
  if (now === null) return again(60_000); // the chain's time unread: read again later
  const left = mark ? mayLandFor(mark, now) : 0;
  if (left > 0) return again(left * 1000 + 1_000);
  const status = (await ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => null))?.status;
  if (!status) return again(60_000);
  if ((await n.adoptDeployed(ctl, { status, tell: false })) || status !== 'not_deployed' || ctl.life !== 'accepted') return;
  clearDeployMark(ctl.rec);
  await ctx.transition(ctl, 'rejectReceived');
  ctx.log(`channel ${shownContract(ctl)}, which your partner declined: your deployment did not land (nothing of yours is in it), so the channel is ended`, 'warn');
}

/**
 * The partner declined a funding channel. Nothing more of ours goes in from now on (marked before anything is
 * awaited: a deposit checks the mark as it starts). An honest node declines only with nothing of its own in the
 * contract: its word is checked by one read of the chain (`read`: the watch's catch-up, which also takes a lock it
 * shows; a repeated reject finds the mark and reads nothing), and a deposit of the partner's in it is said, theirs
 * to take back with refund. Both deposits in, the contract locked with them: refund is over, leave is the way out.
 */
export async function declinedFunding(ctx: NodeContext, read: () => Promise<string>, ctl: ChannelController): Promise<void> {
  const marked = markDeclined(ctx, ctl);
  // 'again': the chain shows lower deposits, not believed before a second read; 'behind': a lagging endpoint
  const st = await read().catch(() => 'failed');
  await marked;
  const r = ctl.rec;
  const mine = r.me === 'A' ? r.depositA : r.depositB;
  const theirs = r.me === 'A' ? r.depositB : r.depositA;
  const expected = r.me === 'A' ? r.expectedDepositB : r.expectedDepositA;
  const when = st === 'again' ? ' when last read (the chain now shows less, which the node reads again to be sure)' : st === 'behind' || st === 'failed' ? ' when last read (the chain could not be read now)' : '';
  const what = `your partner declined channel ${shownContract(ctl)}`;
  if (ctl.life !== 'funding' || (r.depositA >= r.expectedDepositA && r.depositB >= r.expectedDepositB)) return declinedLocked(ctx, ctl, what, when);
  const next = mine > 0n ? 'refund' : 'decline';
  if (theirs > 0n) {
    const todo = mine > 0n ? 'Take your deposit back with refund' : 'Decline it too (decline): nothing of yours is in it';
    return tellDeclined(ctx, ctl, `${what}, yet it holds their deposit of ${formatTon(theirs)} TON${when}: that stays theirs, to take back with refund, and the node deposits nothing more of yours in it. ${todo}`, next);
  }
  const lock = expected > 0n ? 'it will not lock' : 'a deposit of yours would lock it with nobody to sign its states, so the node deposits nothing more in it';
  tellDeclined(ctx, ctl, `${what}, which holds nothing of theirs${when}: ${lock}. ${mine > 0n ? 'Take your deposit back with refund' : 'Decline it too (decline)'}`, next);
}

/** A declined channel whose contract locked with both deposits (or went on to a close): refund is over. */
function declinedLocked(ctx: NodeContext, ctl: ChannelController, what: string, when: string): void {
  const r = ctl.rec;
  const held = `your ${formatTon(r.me === 'A' ? r.depositA : r.depositB)} TON and their ${formatTon(r.me === 'A' ? r.depositB : r.depositA)} TON`;
  if (ctl.life === 'closing' || ctl.life === 'closed') {
    return tellDeclined(ctx, ctl, `${what} after both deposits went in: its close is under way, and the node finishes it`, null);
  }
  const out = 'leave with the deposits (leave): the contract pays each deposit back to its owner once the challenge window ends';
  if (ctl.life === 'locked') {
    return tellDeclined(ctx, ctl, `${what} after both deposits went in: the contract is locked with ${held}, so refund no longer takes a deposit back, and a node that declined signs no initial state: ${out}`, 'exit');
  }
  // both in when last read, the lock not read yet: the node takes it once the chain is read
  tellDeclined(ctx, ctl, `${what} after both deposits went in: the contract holds ${held}${when}, so it locked with them and refund no longer takes a deposit back. Once the node reads the lock, ${out}`, null);
}

/** per channel, our channel.reject on its way in this run (its session resends it; not sent twice) */
const rejecting = new WeakSet<ChannelController>();

/**
 * Sends our decline (channel.reject). A channel kept on disk owes it (rejectOwed, saved with the decline) until the
 * partner's session acknowledges it: the outbox is in memory, so a restart sends it again (sync.ts resync).
 */
export async function sendReject(ctx: NodeContext, ctl: ChannelController): Promise<void> {
  if (rejecting.has(ctl)) return;
  rejecting.add(ctl);
  const reason = ctl.rec.rejectOwed?.reason ?? ctl.rejectReason ?? 'declined';
  let acked: boolean;
  try {
    acked = await ctx.sendAcked(ctl, { type: 'channel.reject', channelId: ctl.rec.channelId, reason });
  } finally {
    rejecting.delete(ctl);
  }
  if (!acked || !ctl.rec.rejectOwed) return;
  delete ctl.rec.rejectOwed;
  // Not saved (a stop, a full disk): the next start sends it once more, which the partner takes as before.
  await ctl.saveRecord().catch(() => undefined);
}

/**
 * Whether the node keeps dialling the partner for our decline of `ctl` (rejectOwed): for REJECT_OWED_MS after the
 * decline. Past it, it gives up the dialling (saved as `dialGivenUp`; said once in a log line); the decline is still
 * sent if they connect, until acknowledged. A record from before `since` starts its count now. Synchronous: the
 * redial loop asks it.
 */
export function dialForReject(ctx: NodeContext, ctl: ChannelController, now = Date.now()): boolean {
  const owed = ctl.rec.rejectOwed;
  if (!owed || owed.dialGivenUp || ctl.life !== 'rejected') return false;
  if (owed.since === undefined) {
    owed.since = now;
    void ctl.saveRecord().catch(() => undefined); // not saved: the next run counts from its own start
  }
  if (now - owed.since < REJECT_OWED_MS) return true;
  owed.dialGivenUp = true;
  void ctl.saveRecord().catch(() => undefined); // not saved: the next run finds it past and says so again
  const hours = Math.round(REJECT_OWED_MS / 3600_000);
  ctx.log(`your decline of channel ${shownContract(ctl)} has not reached your partner ${addressTextOf(partnerAddressOf(ctl.rec), 'wallet')} within ${hours} h: the node stops dialling them for it, and sends it if they connect (nothing to do)`, 'warn');
  return false;
}

/** Records (and saves) that the partner declined a channel that could not end here: nothing more of ours goes in. */
export async function markDeclined(ctx: NodeContext, ctl: ChannelController): Promise<void> {
  ctl.rec.partnerDeclined = true;
  await ctl.saveRecord();
  ctx.changed(ctl);
}

/**
 * Says a partner's decline of a channel that could not end here: a log line (the CLI prints it) and an event with
 * the action it names (null: none now, the node follows the contract).
 */
export function tellDeclined(ctx: NodeContext, ctl: ChannelController, message: string, next: 'refund' | 'decline' | 'exit' | null): void {
  ctx.log(message, 'warn');
  ctx.emit({ type: 'partnerDeclined', channel: ctx.view(ctl), message, next });
}

/** A's deployment landed in a channel the partner declined (the transition to funding): its deposit is to take back. */
export function landedAfterDecline(ctx: NodeContext, ctl: ChannelController): void {
  tellDeclined(ctx, ctl, `your partner declined channel ${shownContract(ctl)}, and your deployment landed with your deposit: take it back with refund`, 'refund');
}
