// Coalesced payments (`pay`): payments asked for while one of our states is in flight are merged into our next
// state, so one state can settle any number of them. Each payment resolves once a state that includes it is
// committed by both and durable on both sides (the partner countersigned it only once it was on its disk; it is
// on ours when this resolves), in the order they were asked for, each with its own result. A payment that cannot
// be included is rejected, in its place in that order: not enough balance left for it at its turn, the partner
// gone before it was put in a state, the channel closing, the node stopping.
import { creatorOf, type Channel } from '../core/channel.js';
import { statesEqual, type ChannelState } from '../core/state.js';
import type { ErrorCode } from '../core/codes.js';
import type { SignedState } from '../core/signed.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { cancelled, NodeError, stoppedAfter } from './errors.js';
import type { PaymentResult } from './types.js';
import { Ask, Deadlines, type Entry, type InFlight } from './payWait.js';
import { noAnswer, SYNC_WAIT_MS } from './unsynced.js';

/** How long we wait for the partner's pass after a state of ours before asking for the turn. */
const TURN_GRACE_MS = 50;

/** How long a payment waits, by default, to be settled (its turn, then the partner's signature of its state). */
export const PAY_WAIT_MS = 60_000;

/** Most payments waiting for a state on one channel; more are refused (QUOTA_EXCEEDED). */
export const MAX_WAITING = 1_000_000;

interface Line {
  waiting: Ask[];
  /** how many of `waiting` were given up: a timeout costs O(1), not a search of the queue */
  gone: number;
  /** our state in flight and the payments it carries (with the refused ones in their places) */
  inFlight: InFlight | null;
  pumpQueued: boolean;
  /** waiting for the partner's pass after our state (askTurn) */
  grace: NodeJS.Timeout | null;
  graceOver: boolean;
  /** after a start: bounds the wait for the partner's answer (unsynced.ts) */
  answerTimer: NodeJS.Timeout | null;
  /** when each waiting payment's wait ends (one timer) */
  deadlines: Deadlines;
}

/** The codes for which a payment waits (its turn comes, our state in flight commits) rather than failing. */
const WAIT: readonly ErrorCode[] = ['NOT_YOUR_TURN', 'PENDING_STATE', 'RESTORE_PENDING', 'INSUFFICIENT_BALANCE'];

export interface Stager {
  /** Stages our proposal made by `make` (inside the queue), without waiting for the disk: it leaves once durable. */
  stage(ctl: ChannelController, make: (ch: Channel) => ReturnType<Channel['proposePayment']>): { state: ChannelState; durable: Promise<void> };
}

export class Coalescer {
  private readonly lines = new Map<ChannelController, Line>();
  private stopped = false;

  constructor(
    private readonly ctx: NodeContext,
    private readonly stager: Stager,
  ) {}

  private line(ctl: ChannelController): Line {
    let l = this.lines.get(ctl);
    if (!l) {
      const deadlines = new Deadlines((ask) => this.giveUp(ctl, ask, ask.waitMs));
      l = { waiting: [], gone: 0, inFlight: null, pumpQueued: false, grace: null, graceOver: false, answerTimer: null, deadlines };
      this.lines.set(ctl, l);
    }
    return l;
  }

  /**
   * `waitMs` (default PAY_WAIT_MS) bounds the wait and `signal` stops it: a payment not yet in a state is then
   * refused (TIMEOUT, or CANCELLED: nothing paid); one in a state sent to the partner is refused with `sent` (that
   * state may still be signed: the node keeps it, showLast shows whether it counted).
   */
  pay(ctl: ChannelController, amount: bigint, o: { waitMs?: number; signal?: AbortSignal } = {}): Promise<PaymentResult> {
    if (this.stopped) return Promise.reject(new NodeError('NODE_STOPPED', 'the node is stopping'));
    if (amount <= 0n) return Promise.reject(new NodeError('AMOUNT_NOT_POSITIVE', 'a payment must be more than zero'));
    try {
      this.ctx.checkSpace(); // whoever holds the turn: a payment asked for under the floor would wait for it
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const l = this.line(ctl);
    // With payments already waiting the channel was checked for them (the pump and the hooks refuse them all).
    if (!waitingIn(l)) {
      const can = ctl.actions().send;
      if (!can.ok && !WAIT.includes(can.code)) return Promise.reject(new NodeError(can.code, can.why));
      if (!this.ctx.sessionOf(ctl)?.connected) return Promise.reject(new NodeError('PARTNER_OFFLINE', 'your partner is offline: a payment is settled only with them online'));
    }
    if (waitingIn(l) >= MAX_WAITING) return Promise.reject(new NodeError('QUOTA_EXCEEDED', `${MAX_WAITING} payments already wait on this channel`));
    if (o.signal?.aborted) return Promise.reject(cancelled());
    return new Promise<PaymentResult>((resolve, reject) => {
      const ask = new Ask(amount, o.waitMs ?? PAY_WAIT_MS, l.deadlines, resolve, reject, o.signal);
      ask.listen(() => this.giveUp(ctl, ask, null));
      l.deadlines.add(ask);
      l.waiting.push(ask);
      this.schedule(ctl, l);
    });
  }

  /** A payment's wait is over (`waitMs`, or null: stopped by its signal): refused where it stands; settled ones stay. */
  private giveUp(ctl: ChannelController, ask: Ask, waitMs: number | null): void {
    const l = this.lines.get(ctl);
    const waited = waitMs === null ? null : `${Math.round(waitMs / 1000)} s`;
    if (l && !ask.flight) {
      ask.gone = true;
      l.gone++;
      if (l.gone > 1024 && l.gone * 2 > l.waiting.length) l.waiting = take(l);
      const why = l.inFlight ? "your state before it still awaits your partner's signature" : 'your partner has not passed the turn';
      ask.reject(waited === null ? cancelled() : new NodeError('TIMEOUT', `this payment waited ${waited} for a state to carry it and ${why}: it was not made (nothing was paid); pay again once your partner answers`));
      return;
    }
    const f = l?.inFlight;
    if (!f || ask.flight !== f) return; // settling already (its state signed by both)
    if (ask.refused) return ask.reject(ask.refused); // not in that state
    const what = `state ${f.step} carrying this payment was proposed to your partner and awaits their signature: it counts if they sign it (the node keeps it and sends it again on reconnect); showLast shows whether it counted`;
    ask.reject(waited === null ? (stoppedAfter(cancelled(), what) as Error) : new NodeError('TIMEOUT', `no answer within ${waited}: ${what}`, { sent: true }));
  }

  /** Whether payments wait for our next state on this channel. */
  waits(ctl: ChannelController): boolean {
    const l = this.lines.get(ctl);
    return !!l && waitingIn(l) > 0;
  }

  /** Runs the pump in the channel's queue (once, however many payments were asked for meanwhile). */
  private schedule(ctl: ChannelController, l: Line): void {
    if (l.pumpQueued) return;
    l.pumpQueued = true;
    void ctl.run(() => this.pump(ctl)).catch((e: unknown) => this.ctx.fail(e, ctl));
  }

  /** Inside the queue: puts the waiting payments into our next state when we may propose one. */
  pump(ctl: ChannelController): void {
    const l = this.lines.get(ctl);
    if (!l) return;
    l.pumpQueued = false;
    if (!waitingIn(l) || l.inFlight) return;
    if (ctl.unsynced) return this.awaitAnswer(ctl, l);
    const ch = ctl.channel;
    const can = ctl.actions().send;
    if (!can.ok && can.code === 'NOT_YOUR_TURN') return this.askTurn(ctl, l);
    l.graceOver = false;
    if (!can.ok && can.code !== 'INSUFFICIENT_BALANCE') {
      if (!WAIT.includes(can.code)) this.refuseWaiting(ctl, can.code, can.why);
      return;
    }
    try {
      this.ctx.checkSpace();
    } catch (e) {
      return this.refuseWaiting(ctl, 'DISK_LOW', (e as Error).message);
    }
    const entries = this.batch(take(l), ch.myBalance);
    const total = entries.reduce((t, e) => (e.error ? t : t + e.ask.amount), 0n);
    if (total === 0n) return settle(entries, null);
    let staged: { state: ChannelState; durable: Promise<void> };
    try {
      staged = this.stager.stage(ctl, (c) => c.proposePayment(total));
    } catch (e) {
      for (const x of entries) x.ask.reject(e as Error);
      return;
    }
    l.inFlight = { step: staged.state.step, state: staged.state, entries };
    for (const x of entries) x.ask.flight = l.inFlight;
    staged.durable.catch((e: Error) => this.refuseAll(ctl, e));
  }

  /**
   * After a start nothing of ours is proposed before the partner's answer (unsynced.ts): the payments wait for it
   * (Sync pumps them), at most SYNC_WAIT_MS; without it they are refused, nothing signed.
   */
  private awaitAnswer(ctl: ChannelController, l: Line): void {
    l.answerTimer ??= setTimeout(() => {
      l.answerTimer = null;
      if (ctl.unsynced) this.refuseWaiting(ctl, noAnswer().code, noAnswer().message);
    }, SYNC_WAIT_MS).unref();
  }

  /** My balance applied to the payments in order: each fits what is left at its turn, or is refused. */
  private batch(asks: Ask[], balance: bigint): Entry[] {
    let left = balance;
    return asks.map((ask): Entry => {
      if (ask.amount > left) return { ask, balance: null, error: (ask.refused = new NodeError('INSUFFICIENT_BALANCE', `${ask.amount} nanotons asked, ${left} left in the channel at this payment's turn`)) };
      left -= ask.amount;
      return { ask, balance: left, error: null };
    });
  }

  /**
   * Not our turn: ask for it. Right after a state of ours the partner's pass is usually on its way (automatic
   * mode sends it with the countersignature), so we ask only if it has not come within TURN_GRACE_MS.
   */
  private askTurn(ctl: ChannelController, l: Line): void {
    const ch = ctl.channel;
    const latest = ch.count - 1n; // -1: no state yet
    if (latest >= 0n && creatorOf(latest) === ch.party && !l.graceOver) {
      l.grace ??= setTimeout(() => {
        l.grace = null;
        l.graceOver = true;
        this.schedule(ctl, l);
      }, TURN_GRACE_MS).unref();
      return;
    }
    if (ch.turnRequested || !ctl.actions().requestEmpty.ok) return;
    const at = ch.requestTurn();
    this.ctx.send(ctl, { type: 'turn.request', contract: ctl.rec.contract, step: at.atStep }, true);
  }

  /** Inside the queue: a state of ours was committed by both (`durable`: once it is on our disk). */
  committed(ctl: ChannelController, step: bigint, durable: Promise<void>): void {
    const l = this.lines.get(ctl);
    if (!l) return;
    const f = l.inFlight;
    if (f && f.step === step) {
      l.inFlight = null;
      durable.then(
        () => settle(f.entries, step),
        (e: Error) => f.entries.forEach((x) => x.ask.reject(signedThen(e, step))),
      );
    }
    // The turn is the partner's now: in automatic mode its pass is on its way; otherwise the pump asks for it.
    if (waitingIn(l)) this.schedule(ctl, l);
  }

  /**
   * After any change: our state in flight may have been committed another way (a resync after a reconnection
   * brings it back signed by both); the payments waiting may go now.
   */
  observe(ctl: ChannelController): void {
    const l = this.lines.get(ctl);
    if (!l) return;
    const f = l.inFlight;
    if (f && ctl.channel.count > f.step) {
      // Committed by both, once durable here, if the state of that step is ours (a node restored from a backup
      // may have forgotten an older proposal of its own that the partner signed instead).
      l.inFlight = null;
      const at = ctl.channel.latestState;
      ctl.durable.then(
        () => (at?.step === f.step ? this.settleIf(f, at) : this.settleAt(ctl, f)),
        (e: Error) => f.entries.forEach((x) => x.ask.reject(signedThen(e, f.step, false))),
      );
    }
    if (waitingIn(l) && !l.inFlight) this.schedule(ctl, l);
  }

  /** Settles the payments of `f` if `at` (the state both signed at its step) is the one that carries them. */
  private settleIf(f: InFlight, at: Readonly<ChannelState>): void {
    if (statesEqual(at, f.state)) return settle(f.entries, f.step);
    const e = new NodeError('PAYMENT_NOT_MADE', `your partner signed another state for step ${f.step} than the one carrying this payment (a proposal of yours from before a restore): this payment was not made`);
    for (const x of f.entries) x.ask.reject(x.error ?? e);
  }

  /** settleIf with the state of that step read from the journal (states followed it already). */
  private async settleAt(ctl: ChannelController, f: InFlight): Promise<void> {
    // Loaded again (an import) or stopped meanwhile: said as such, with what the partner signed.
    let read: SignedState[] | null;
    try {
      read = await ctl.readStates(f.step, f.step + 1n);
    } catch (e) {
      const said = signedThen(e, f.step, false);
      if (said !== e) return f.entries.forEach((x) => x.ask.reject(x.error ?? said));
      read = null;
    }
    const at = read?.[0]?.state;
    if (at?.step === f.step) return this.settleIf(f, at);
    const e = new NodeError('STORE', `state ${f.step} carrying this payment was signed by both, but it could not be read to confirm it: showLast shows whether it counted`, { sent: true });
    for (const x of f.entries) x.ask.reject(x.error ?? e);
  }

  /** The partner went offline: payments not yet in a state are refused; the one in flight waits for the resend. */
  partnerGone(ctl: ChannelController): void {
    this.refuseWaiting(ctl, 'PARTNER_OFFLINE', 'your partner went offline before this payment was put in a state');
  }

  /** The channel is closing (or closed): nothing more is settled off chain. */
  closing(ctl: ChannelController): void {
    const l = this.lines.get(ctl);
    if (!l) return;
    this.refuseWaiting(ctl, 'CHANNEL_CLOSING', 'the channel is closing before this payment was put in a state');
    const f = l.inFlight;
    l.inFlight = null;
    const e = new NodeError('CHANNEL_CLOSING', `the channel is closing while state ${f?.step} carrying this payment awaited your partner's signature: the close on chain shows whether it counted`, { sent: true });
    for (const x of f?.entries ?? []) x.ask.reject(x.error ?? e);
  }

  private refuseWaiting(ctl: ChannelController, code: ErrorCode, why: string): void {
    const l = this.lines.get(ctl);
    if (!l || !waitingIn(l)) return;
    const e = new NodeError(code, why);
    for (const a of take(l)) a.reject(e);
  }

  private refuseAll(ctl: ChannelController, e: Error): void {
    const l = this.lines.get(ctl);
    if (!l) return;
    const f = l.inFlight;
    l.inFlight = null;
    for (const x of f?.entries ?? []) x.ask.reject(x.error ?? e);
    for (const a of take(l)) a.reject(e);
  }

  /** The channel's controller was dropped (an import loads the channel again): its payments here end. */
  dropped(ctl: ChannelController): void {
    const l = this.lines.get(ctl);
    if (!l) return;
    this.lines.delete(ctl);
    if (l.grace) clearTimeout(l.grace);
    if (l.answerTimer) clearTimeout(l.answerTimer);
    l.deadlines.stop();
    const f = l.inFlight;
    const sent = new NodeError('CHANNEL_RELOADED', `the channel was loaded again from its files (a backup was imported) while state ${f?.step} carrying this payment awaited your partner's signature: showLast shows whether it counted`, { sent: true });
    for (const x of f?.entries ?? []) x.ask.reject(x.error ?? sent);
    const e = new NodeError('CHANNEL_RELOADED', 'the channel was loaded again from its files (a backup was imported) before this payment was put in a state: pay again');
    for (const a of take(l)) a.reject(e);
  }

  stop(): void {
    this.stopped = true;
    for (const [ctl, l] of this.lines) {
      // A state in flight is on our disk and was sent: the partner may still sign it (a restart resends it).
      const f = l.inFlight;
      l.inFlight = null;
      const sent = new NodeError('NODE_STOPPED', `the node stopped while state ${f?.step} carrying this payment awaited your partner's signature: your partner may still sign it (the node sends it again when it runs); after a restart showLast shows whether it counted`, { sent: true });
      for (const x of f?.entries ?? []) x.ask.reject(x.error ?? sent);
      this.refuseWaiting(ctl, 'NODE_STOPPED', 'the node stopped before this payment was put in a state');
      l.deadlines.stop();
    }
  }
}

/**
 * A payment's state `step` signed by both, whose write or read here failed: cut short by an import's reload or the
 * stop, it says so with `sent` (the partner holds it signed by both: never "pay again"). `ours`: the state of that
 * step is the one carrying it (else a restore may have put another there).
 */
function signedThen(e: unknown, step: bigint, ours = true): Error {
  const what = ours ? 'it counts: showLast shows it once the channel has it again' : 'showLast shows whether it counted';
  return stoppedAfter(e, `your partner signed state ${step} carrying this payment: ${what}`) as Error;
}

/** Settles a batch in order: the included payments with their results, the refused ones with their errors. */
function settle(entries: Entry[], step: bigint | null): void {
  const of = entries.filter((e) => !e.error).length;
  let index = 0;
  for (const e of entries) {
    if (e.error) e.ask.reject(e.error);
    else e.ask.resolve({ amount: e.ask.amount, step: step!, index: index++, of, myBalance: e.balance });
  }
}

/** How many payments wait on `l` (those given up not counted). */
function waitingIn(l: Line): number {
  return l.waiting.length - l.gone;
}

/** Empties `l`'s queue: the payments still waiting, in order. */
function take(l: Line): Ask[] {
  const all = l.waiting;
  l.waiting = [];
  const gone = l.gone;
  l.gone = 0;
  return gone ? all.filter((a) => !a.gone) : all;
}
