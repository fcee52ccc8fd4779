// Whether a message of this node toward the contract (a deposit, or A's deployment carrying A's deposit) that is not
// seen on chain may still land: until its wallet message expires, on the chain's clock. The local clock may step
// (an NTP correction, a clock set by hand): judged by it, a step forward let a second deposit go while the first
// could land, and a step back refused deposit and decline for as long as the step.
// Also what a controller shows as may still land (inFlightOf), and the refresh of that view when it can no longer.
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { WALLET_MESSAGE_TTL } from '../chain/base.js';
import type { ReadOptions } from '../chain/types.js';
import { DECLINE_WAIT_MS, DEPLOY_MAY_LAND_MS } from './policy.js';
import type { CapabilityInput } from '../core/capabilities.js';
import type { ChannelRecord } from './record.js';

/** When a message was marked (local unix ms) and, once signed, its wallet message's expiry (chain unix s). */
export interface LandMark {
  sentAt: number;
  validUntil?: number;
}

/**
 * Seconds the marked message may still land (0: it cannot), by the chain's time `chainNow` (unix s). A mark without
 * its expiry (set before signing, or by an earlier SynChannel) is judged by the local time it was marked. `waitMs`:
 * how long after its marking a message counts as one that may land (a decline waits longer).
 */
export function mayLandFor(mark: LandMark | undefined, chainNow: number, waitMs = DEPLOY_MAY_LAND_MS): number {
  if (!mark) return 0;
  if (mark.validUntil !== undefined) return Math.max(0, Math.ceil(mark.validUntil + waitMs / 1000 - WALLET_MESSAGE_TTL - chainNow));
  return Math.max(0, Math.ceil((mark.sentAt + waitMs - Date.now()) / 1000));
}

/** A's deployment mark, if any. */
export function deployMark(rec: ChannelRecord): LandMark | undefined {
  return rec.deploySentAt === undefined ? undefined : { sentAt: rec.deploySentAt, ...(rec.deployValidUntil !== undefined ? { validUntil: rec.deployValidUntil } : {}) };
}

/** Marks A's deployment: before it is signed (no expiry yet), or signed with its expiry. */
export function markDeploy(rec: ChannelRecord, validUntil?: number): void {
  rec.deploySentAt = Date.now();
  if (validUntil === undefined) {
    delete rec.deployValidUntil;
    rec.deployUnsigned = true;
  } else {
    rec.deployValidUntil = validUntil;
    delete rec.deployUnsigned;
  }
}

export function clearDeployMark(rec: ChannelRecord): void {
  delete rec.deploySentAt;
  delete rec.deployValidUntil;
  delete rec.deployUnsigned;
}

/** Seconds either message of this node toward the contract may still land, by `chainNow`. */
export function sentMayLandFor(rec: ChannelRecord, chainNow: number, waitMs = DEPLOY_MAY_LAND_MS): number {
  return Math.max(mayLandFor(rec.depositPending, chainNow, waitMs), mayLandFor(deployMark(rec), chainNow, waitMs));
}

/** Seconds our refund sent earlier may still land, by `chainNow` (0: none marked, or it cannot). */
export function refundMayLandFor(rec: ChannelRecord, chainNow: number): number {
  return rec.refundSent ? mayLandFor({ sentAt: 0, validUntil: rec.refundSent.validUntil }, chainNow) : 0;
}

/** Seconds our cooperative close with `step` sent earlier may still land, by `chainNow` (0: none marked, or it cannot). */
export function coopMayLandFor(rec: ChannelRecord, step: bigint, chainNow: number): number {
  const mark = rec.coopSent;
  return mark?.step === step ? mayLandFor({ sentAt: 0, validUntil: mark.validUntil }, chainNow) : 0;
}

/** A refund of the channel's earlier controller (before an import loaded it again) handed over, not answered yet. */
export function refundHandedOn(ctl: ChannelController): boolean {
  const way = ctl.onWay.refund;
  return !!way && way.by !== ctl && !way.ended;
}

/**
 * Our close or exit (step null) on its way (its send not answered: this controller's, or handed over by an import),
 * or sent and may still land by `chainNow` (the record's mark): what the capabilities refuse withdraw and exit for.
 */
export function leaveOnWayOf(ctl: ChannelController, chainNow: number): { step: bigint | null; mayLandS: number } | null {
  if (ctl.life !== 'open' && ctl.life !== 'locked') return null;
  const way = ctl.onWay.leave;
  if (way && !way.ended) return { step: way.step < 0n ? null : way.step, mayLandS: 0 };
  const sent = ctl.rec.closeSent;
  const mayLandS = sent?.validUntil !== undefined ? mayLandFor({ sentAt: 0, validUntil: sent.validUntil }, chainNow) : 0;
  return sent && mayLandS > 0 ? { step: sent.step, mayLandS } : null;
}

/**
 * The chain's time read now (the node's skew kept for estimates). A failed read throws: a decision made on the
 * local clock instead is the one these marks must not make (its caller waits, or stops with the error).
 */
export async function chainNowRead(ctx: NodeContext, o: ReadOptions = {}): Promise<number> {
  const now = await ctx.o.chain.now(o);
  keepSkew(ctx, now);
  return now;
}

/** Keeps the chain's clock beside the local one, from a chain time just read (views' time left, estimates). */
export function keepSkew(ctx: NodeContext, chainNow: number): void {
  ctx.chainSkew = chainNow - Date.now() / 1000;
  ctx.chainTimeRead = true;
}

/**
 * A controller's clock (the chain's, estimated) and its views' refresh once a deposit or deployment of ours can no
 * longer land (deposit and decline are offered again then).
 */
export function bindClock(ctl: ChannelController, ctx: NodeContext): void {
  ctl.chainNow = () => (ctx.chainTimeRead ? chainNowEstimate(ctx) : null);
  ctl.inFlightOver = () => void (!ctl.ended && ctx.emit({ type: 'channelUpdated', channel: ctx.view(ctl) }));
}

/** The chain's time from the local clock and the last skew measured (views and timers; decisions read it). */
export function chainNowEstimate(ctx: Pick<NodeContext, 'chainSkew'>): number {
  return Date.now() / 1000 + ctx.chainSkew;
}

/**
 * The chain's time a view judges marks by: the estimate, or, before the node's first read of the chain's time (a
 * devnet's clock may be far ahead of the local one), -Infinity: a mark by the chain's clock (a wallet message's
 * expiry) may then still land for a time not known yet (Infinity, said without a figure: `known`), never for a
 * figure of the local clock; a mark by the local time it was made is judged as ever.
 */
export function viewNow(ctl: ChannelController): number {
  return ctl.chainNow() ?? Number.NEGATIVE_INFINITY;
}

/** Seconds as a view says them: 0 (no figure) for a time not known yet. */
const known = (s: number): number => (Number.isFinite(s) ? s : 0);

/** A deposit or deployment of this node that may still land, by the chain's time as last measured. */
export function inFlightOf(ctl: ChannelController): Pick<CapabilityInput, 'depositInFlight' | 'mayLandS' | 'declineWaitS' | 'refundMayLandS' | 'refundHandedOver' | 'leaveOnWay'> {
  const now = viewNow(ctl);
  const mayLand = sentMayLandFor(ctl.rec, now);
  const mayLandS = known(mayLand);
  const declineWaitS = known(sentMayLandFor(ctl.rec, now, DECLINE_WAIT_MS));
  // (a refund's and a decline's commands read the chain themselves: not refused here for a time not known)
  const refundMayLandS = known(refundMayLandFor(ctl.rec, now));
  const way = leaveOnWayOf(ctl, now);
  const leaveOnWay = way && { ...way, mayLandS: known(way.mayLandS), ...(way.mayLandS === Number.POSITIVE_INFINITY ? { timeNotKnown: true as const } : {}) };
  // our cooperative close that may still land: the view's close to send (closeunsent.ts) shows once it cannot
  const coopMayLandS = ctl.rec.coopSent ? known(coopMayLandFor(ctl.rec, ctl.rec.coopSent.step, now)) : 0;
  const ends = [mayLandS > 0 ? mayLandS : declineWaitS, refundMayLandS, leaveOnWay?.mayLandS ?? 0, coopMayLandS].filter((s) => s > 0);
  if (ends.length) {
    // a sooner end (the chain's clock measured since) replaces the one armed
    const due = performance.now() + Math.min(...ends) * 1000 + 1000;
    if (!ctl.inFlightDue || due < ctl.inFlightDue - 1000) {
      ctl.inFlightDue = due;
      // at most an hour ahead (a clock far off must not overflow the timer): it looks again then
      ctl.later(() => {
        if (ctl.inFlightDue !== due) return;
        ctl.inFlightDue = 0;
        ctl.inFlightOver();
      }, Math.min(due - performance.now(), 3_600_000));
    }
  }
  return { depositInFlight: mayLand > 0, mayLandS, declineWaitS, refundMayLandS, refundHandedOver: refundHandedOn(ctl), leaveOnWay };
}
