// A cooperative close, a challenge, our close or exit, or a finish of ours that went to the chain and may still land
// (its wallet message has not expired, on the chain's clock): it is not sent again before it can no longer land. Once the first lands, the
// contract refuses a second, and the wallet pays its fee. A restart (the mark is in the record) and a channel loaded
// again while a stand-in's or a dropped controller's challenge, cooperative close or refund is on its way (handed over in
// memory) both wait. A mark's wait never costs the close's window: with too little of it left, the message goes
// again at once. One on its way is waited for until its send is answered (a second would queue behind it for the
// wallet anyway).
import { Address } from '@ton/core';
import type { ChannelStatus, OpOptions, SignedStateArg } from '../chain/types.js';
import { shownContract as shown } from './addresses.js';
import { NodeError, abortable, cancelled } from './errors.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { chainNowRead, mayLandFor } from './mayland.js';
import { crashPoint } from './crash.js';
import { DEPLOY_MAY_LAND_MS, LAST_READ_MS } from './policy.js';

/** A message of ours to the contract: the step it carries and, once signed, its wallet message's expiry (chain unix s). */
export interface SentMark {
  step: bigint | null;
  validUntil?: number;
}

/** A challenge, cooperative close or refund on its way (past its checks): the step it carries, its mark once signed, its end, and its sender. */
export interface OnWay extends SentMark {
  step: bigint;
  done: Promise<void>;
  /** its send was answered (done) */
  ended?: boolean;
  by: ChannelController;
}

/** What is on its way: a challenge (the defense's), a cooperative close (sendClose), a refund (its step: 0), or our close or exit (closing.ts; an exit's step: -1). */
export type WayKind = 'challenge' | 'close' | 'refund' | 'leave';

const words = { challenge: 'challenge', close: 'cooperative close', refund: 'refund', leave: 'close' } as const;

/** Marks the send of `kind` with `step` that `ctl` makes now as on its way; `end` once its send is answered. */
export function onItsWay(ctl: ChannelController, kind: WayKind, step: bigint): { onWay: OnWay; end: () => void } {
  let done!: () => void;
  const onWay: OnWay = { step, done: new Promise<void>((r) => (done = r)), by: ctl };
  ctl.onWay[kind] = onWay;
  const end = () => {
    if (ctl.onWay[kind] === onWay) ctl.onWay[kind] = null;
    onWay.ended = true;
    done();
  };
  return { onWay, end };
}

/**
 * Hands what `from` (a controller the channel had before: a stand-in, a dropped one) has on its way to `to`, where
 * `to` has none of that kind with a later step: `to` waits for it rather than send it again.
 */
export function handOnWay(from: ChannelController, to: ChannelController): void {
  for (const kind of ['challenge', 'close', 'refund', 'leave'] as const) {
    const onWay = from.onWay[kind];
    const has = to.onWay[kind];
    if (!onWay || (has && has.step >= onWay.step)) continue;
    to.onWay[kind] = onWay;
    // the views of a leave handed over (withdraw and exit are not offered until it is answered)
    if (kind === 'leave') void onWay.done.then(() => void (!to.isStopped && !to.standIn && to.inFlightOver()));
  }
}

/** Waits for the send of `kind` with `step` on its way, if one is (handed over, or this controller's own): it, once ended. */
async function wayEnded(ctx: NodeContext, ctl: ChannelController, kind: WayKind, step: bigint): Promise<OnWay | null> {
  const onWay = ctl.onWay[kind];
  if (onWay?.step !== step) return null;
  const who = onWay.by === ctl ? 'this controller' : "the channel's earlier controller";
  ctx.log(`the ${words[kind]} with step ${step} that ${who} sent is on its way: waiting for it before sending another`);
  await onWay.done;
  if (ctl.onWay[kind] === onWay) ctl.onWay[kind] = null;
  return onWay;
}

/**
 * Before our close or exit: one the channel's earlier controller (dropped by an import) has on its way is waited for
 * until answered (once one lands the contract refuses a second: a wallet fee); its mark, if signed, becomes this
 * record's, which holds ours back while it may land.
 */
export async function leaveHandedOver(ctx: NodeContext, ctl: ChannelController, o: { signal?: AbortSignal; onProgress?: (m: string) => void } = {}): Promise<void> {
  const way = ctl.onWay.leave;
  if (!way || way.by === ctl) return;
  const step = way.step < 0n ? null : way.step;
  if (!way.ended) {
    const text = `your ${step === null ? 'exit' : `close with step ${step}`} that the channel's earlier controller sent (before an import loaded it again) is on its way: waiting for it before sending another`;
    ctx.log(text);
    o.onProgress?.(text);
    await abortable(way.done, o.signal);
  }
  if (ctl.onWay.leave === way) ctl.onWay.leave = null;
  if (way.validUntil === undefined || (ctl.rec.closeSent?.validUntil ?? -1) >= way.validUntil) return;
  ctl.rec.closeSent = { step, validUntil: way.validUntil };
  await ctl.saveRecord().catch(() => undefined);
}

/** How long a held-back send waits before it looks at the contract again (ms; the watch may end it sooner). */
export const HOLD_POLL_MS = 5_000;

/** `mark` when it marks a send of `step` (null: an exit), else undefined. */
export function markOf<M extends SentMark>(mark: M | undefined, step: bigint | null): M | undefined {
  return mark?.step === step ? mark : undefined;
}

/**
 * Seconds to hold back sending a message again while the marked send of it may still land, if the close's deadline
 * (chain unix s; null: none) leaves a whole send's time after that; otherwise 0. A failed read of the chain's time
 * holds nothing back.
 */
export async function holdFor(ctx: NodeContext, mark: { validUntil?: number } | undefined, deadline: number | null): Promise<number> {
  if (mark?.validUntil === undefined) return 0;
  const now = await chainNowRead(ctx).catch(() => null);
  if (now === null) return 0;
  const left = mayLandFor({ sentAt: 0, validUntil: mark.validUntil }, now);
  if (left <= 0 || (deadline !== null && deadline - now <= left + DEPLOY_MAY_LAND_MS / 1000)) return 0;
  return left;
}

/** Waits up to `ms` for `done` (the watch's read), the stop or `signal`; whether `done` holds. */
async function pause(ctl: ChannelController, done: () => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
  return ctl.waitFor(done, ms, signal, 'the earlier send').then(
    () => true,
    () => done(),
  );
}

/**
 * Before the defense sends a challenge with `step`: true when it waited for an earlier one of ours (plan again).
 * One handed over on its way is waited for until it ends (its mark kept); one marked in the record, a poll at a
 * time while it may land. A person's challenge (`asked`) waits only for one on its way.
 */
export async function challengeHeld(ctx: NodeContext, ctl: ChannelController, step: bigint, asked: boolean, said: Set<string>): Promise<boolean> {
  const onWay = await wayEnded(ctx, ctl, 'challenge', step);
  if (onWay) {
    // its mark, kept for a restart (a failed save holds nothing back)
    if (onWay.validUntil !== undefined && (ctl.rec.challengeSent?.step ?? -1n) <= step) {
      ctl.rec.challengeSent = { step, validUntil: onWay.validUntil };
      await ctl.saveRecord().catch(() => undefined);
    }
    return true;
  }
  if (asked) return false;
  const hold = await holdFor(ctx, markOf(ctl.rec.challengeSent, step), ctl.rec.close?.deadline ?? null);
  if (hold <= 0) return false;
  if (!said.has(`${step}`)) {
    said.add(`${step}`);
    ctx.log(`the challenge with step ${step} sent before may still land (for up to ${hold} s): it is not sent again until the contract shows it or it can no longer land`);
  }
  await pause(ctl, () => (ctl.rec.close?.step ?? -1n) >= step, Math.min(hold * 1000, HOLD_POLL_MS));
  return true;
}

/** What a send held back by its mark waits for. */
export interface Held {
  /** the mark of the send that may still land */
  mark: () => { validUntil?: number } | undefined;
  /** the close's deadline a wait must leave a send's time before (null: none) */
  deadline: () => number | null;
  /** the contract showed it (or no send is needed any more): read by the watch meanwhile */
  done: () => boolean;
  /** what is said once, with the seconds it may still land for */
  text: (hold: number) => string;
  /** the error's text when the node stops meanwhile */
  stopped: string;
}

/**
 * Waits while a send of ours marked before may still land (the record's mark), a poll at a time: true when `done`
 * meanwhile, false when it is to be sent (it can no longer land, or never was marked).
 */
export async function whileMayLand(ctx: NodeContext, ctl: ChannelController, h: Held, o: { signal?: AbortSignal; onProgress?: (m: string) => void } = {}): Promise<boolean> {
  let said = false;
  for (;;) {
    if (h.done()) return true;
    if (ctl.isStopped) throw ctl.stoppedError(h.stopped);
    if (o.signal?.aborted) throw cancelled();
    const hold = await holdFor(ctx, h.mark(), h.deadline());
    if (hold <= 0) return false;
    if (!said) {
      said = true;
      const text = h.text(hold);
      ctx.log(text);
      o.onProgress?.(text);
    }
    if (await pause(ctl, h.done, Math.min(hold * 1000, HOLD_POLL_MS), o.signal)) return true;
  }
}

/**
 * Before a cooperative close with `step` is sent: waits for one on its way until it ends (its mark kept), then
 * while one sent before may still land (the record's mark). True when the channel was paid out meanwhile (the watch read it, or the contract reads paid out while its payout
 * transaction is not found yet, or another party's close paid it out), false when it is to be sent: the paid-out
 * contract would bounce it for a wallet fee. A failed read holds nothing back.
 */
export async function closeLanded(ctx: NodeContext, ctl: ChannelController, step: bigint, o: { signal?: AbortSignal; onProgress?: (m: string) => void } = {}): Promise<boolean> {
  const onWay = await wayEnded(ctx, ctl, 'close', step);
  if (onWay?.validUntil !== undefined && (ctl.rec.coopSent?.step ?? -1n) <= step) {
    ctl.rec.coopSent = { step, validUntil: onWay.validUntil };
    await ctl.saveRecord().catch(() => undefined);
  }
  if (await whileMayLand(ctx, ctl, closeHeld(ctl, step), o)) return true;
  const st = await ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => null);
  if (st?.status !== 'closed') return false;
  ctx.log(`channel ${shown(ctl)} has paid out already (its payout is read once the chain shows its transaction): the cooperative close with step ${step} is not sent`);
  return true;
}

/** What a cooperative close with `step` held back by its mark waits for. */
function closeHeld(ctl: ChannelController, step: bigint): Held {
  return {
    mark: () => markOf(ctl.rec.coopSent, step),
    deadline: () => (ctl.life === 'closing' ? (ctl.rec.close?.deadline ?? null) : null),
    done: () => ctl.life === 'closed',
    text: (hold) => `the cooperative close with step ${step} sent before may still land (for up to ${hold} s): it is not sent again until it pays out or can no longer land`,
    stopped: 'the node stopped before the cooperative close was sent again: start it again',
  };
}

/** The mark a send keeps once signed: saved before it leaves (a save that fails holds nothing back). */
export function marking(ctl: ChannelController, keep: (validUntil: number) => void): (signed: { validUntil: number }) => Promise<void> {
  return async ({ validUntil }) => {
    keep(validUntil);
    await ctl.saveRecord().catch(() => undefined);
  };
}

/**
 * A send that failed before it could land (answered, or never sent; `e.sent`: it may still land): `drop` takes its
 * mark away, saved (a restart does not wait for it; a save that fails holds nothing back). Throws `e`.
 */
export async function unmarked(ctl: ChannelController, e: unknown, drop: () => boolean): Promise<never> {
  if (!(e as { sent?: boolean }).sent && drop()) await ctl.saveRecord().catch(() => undefined);
  throw e;
}

/**
 * Sends a cooperative close with the close state `arg` of `step`, on its way until answered (closeLanded waits for
 * it) and marked once signed; the mark goes once answered. Not sent to a contract that reads paid out just before
 * it leaves (ALREADY_CLOSED).
 */
export async function sendClose(ctx: NodeContext, ctl: ChannelController, step: bigint, arg: SignedStateArg, o: OpOptions = { onProgress: (m) => ctx.log(m) }): Promise<void> {
  const { onWay, end } = onItsWay(ctl, 'close', step);
  const contract = Address.parse(ctl.rec.contract);
  const mark = marking(ctl, (validUntil) => {
    onWay.validUntil = validUntil;
    ctl.rec.coopSent = { step, validUntil };
  });
  // Its wallet may have been busy: a contract paid out meanwhile (the partner's close) would bounce it, a wallet fee.
  const beforeSend = async (signed: { validUntil: number }) => {
    if ((await lastRead(ctx, contract, o.signal))?.status === 'closed') throw new NodeError('ALREADY_CLOSED', `the contract has paid out already: the cooperative close with step ${step} was not sent (nothing was sent); the node shows the payout once it reads it`);
    await mark(signed);
    crashPoint('coop-close-marked');
  };
  const unmark = () => {
    delete onWay.validUntil;
    return ctl.rec.coopSent?.step === step && delete ctl.rec.coopSent;
  };
  try {
    await ctx.o.chain.cooperativeClose(ctx.o.wallet, contract, arg, { ...o, beforeSend }).catch((e: unknown) => unmarked(ctl, e, unmark));
  } finally {
    end();
  }
}

/**
 * The contract's status read just before a message of ours leaves, its wallet held (a challenge may wait behind
 * it): ended by LAST_READ_MS, the caller's signal or the node's stop. A read that fails or ends so is null.
 */
export function lastRead(ctx: NodeContext, contract: Address, signal?: AbortSignal): Promise<ChannelStatus | null> {
  const ends = AbortSignal.any([AbortSignal.timeout(LAST_READ_MS[ctx.o.network]), ctx.stopping, ...(signal ? [signal] : [])]);
  return new Promise((resolve) => {
    const none = () => resolve(null); // (a read that does not heed its signal is not waited for either)
    if (ends.aborted) return none();
    ends.addEventListener('abort', none, { once: true });
    ctx.o.chain.getChannelStatus(contract, { signal: ends }).then(resolve, none).finally(() => ends.removeEventListener('abort', none));
  });
}
