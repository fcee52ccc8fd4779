// The arbiter: watches each channel's contract, turns what the chain shows into lifecycle events, and defends
// the channel there (defense.ts: it challenges a close that pays us less than the latest state we hold, retrying
// until the challenge lands or the deadline passes, and again after a restart: the first read of the chain
// re-raises the close), and finishes the close after the deadline (finisher.ts). A close or a challenge seen is told
// by closeseen.ts, the deposits read by deposits.ts. It never ends a watch on a failed or empty read.
import { Address } from '@ton/core';
import type { ChannelEvent, ChannelWatch, WatchOptions } from '../chain/types.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import type { Payments } from './payments.js';
import { armInitialTimer } from './initial.js';
import { shownContract as shown } from './addresses.js';
import { closeBehind, closeOf, lockSeen, readsBehind, reportPaidOutUnread, reportPayout } from './payout.js';
import { Defense, type DefenseState } from './defense.js';
import { Finisher } from './finisher.js';
import type { ProgressOptions } from './types.js';
import { CloseSeen, closeRead } from './closeseen.js';
import { WatchHealth } from './blind.js';
import { WatchWarning } from './watchwarn.js';
import { CatchUps } from './catchup.js';
import { keepSkew } from './mayland.js';
import { setDeposits, type DepositReads } from './deposits.js';
import { StoreError } from './store/errors.js';
import { olderThanSeen } from './seenlt.js';
import { Pokes } from './pokes.js';
import { unnamed } from '../core/unnamed.js';

interface Watched extends DefenseState {
  watch: ChannelWatch;
  warning: WatchWarning;
  finishing: boolean;
  initialTimer: ReturnType<typeof setTimeout> | null;
  /** the deposits of the watch's last deposit or refund event: a poll's events for both parties are one read */
  depositsRead: string | null;
  /** the judgment of the watch's last deposits read (DepositReads): 'again', a lower first read, holds back its lock too */
  judged: { read: string; verdict: Promise<'again' | 'kept'> } | null;
}

/**
 * A's own deployment seen on chain while A is back in 'accepted' (its wait failed): the partner must hear of it,
 * unless it declined the channel meanwhile.
 */
const fundedEvent = (ctl: ChannelController) => (ctl.rec.me === 'A' && ctl.life === 'accepted' && !ctl.rec.partnerDeclined ? 'deployed' : 'funded');

export class Arbiter {
  private readonly watched = new Map<ChannelController, Watched>();
  private stopped = false;

  private readonly defense: Defense;
  private readonly finisher: Finisher;
  private readonly closes: CloseSeen;
  private readonly catchUps: CatchUps;
  private readonly pokes: Pokes;

  /** channels the node cannot read from the chain, and the alarm when that lasts */
  private readonly health: WatchHealth;

  constructor(
    private readonly ctx: NodeContext,
    private readonly payments: Payments,
    /** the deposits read in this run, shared with a person's commands (deposits.ts) */
    private readonly deposits: DepositReads,
  ) {
    this.health = new WatchHealth(ctx, ctx.o.watchAlarmMs);
    this.pokes = new Pokes({ ctx, stopped: () => this.stopped, sync: (ctl, bg) => this.sync(ctl, bg) });
    this.closes = new CloseSeen({
      ctx,
      challengedWith: (ctl) => this.watched.get(ctl)?.challengedWith,
      payOutAgreed: (ctl) => this.payOutAgreed(ctl),
    });
    this.defense = new Defense({
      ctx,
      payments,
      state: (ctl) => this.watched.get(ctl),
      stopped: () => this.stopped,
      poke: (ctl) => this.poke(ctl),
      tellClose: (ctl) => this.closes.tellClose(ctl),
      tellChallenge: (ctl, step) => this.closes.tellChallenge(ctl, step, true),
    });
    this.catchUps = new CatchUps({
      ctx,
      stopped: () => this.stopped,
      watching: (ctl) => this.watched.has(ctl),
      sync: (ctl) => this.sync(ctl, true, true), // deep: a payout buried by later messages is found once
      covered: (err) => this.health.covers(err),
    });
    this.finisher = new Finisher({
      ctx,
      state: (ctl) => this.watched.get(ctl),
      stopped: () => this.stopped,
      poke: (ctl) => this.poke(ctl),
      defend: (ctl) => this.defense.defend(ctl),
    });
  }

  watch(ctl: ChannelController): void {
    if (this.stopped || this.watched.has(ctl) || ctl.rec.legacy) return;
    const contract = ctl.channel.params.channel; // the record's contract, parsed once for the channel
    const w: Watched = {
      defending: false,
      finishing: false,
      payingOut: false,
      paidOut: false,
      windowOver: false,
      refusedStep: null,
      refusedChallenge: null,
      recheck: false,
      lowest: null,
      initialTimer: null,
      depositsRead: null,
      judged: null,
      warning: new WatchWarning(this.ctx),
      challengedWith: null,
      wake: null,
      attempt: null,
      watch: this.ctx.o.chain.watchChannel(contract, this.watchOptions(ctl)),
    };
    this.watched.set(ctl, w);
    this.catchUps.start(ctl);
    armInitialTimer(this.ctx, this.watched.get(ctl), ctl);
  }

  /**
   * The callbacks of a channel's watch. The poll interval is set after the literal: a literal opening with a spread
   * takes a hidden class of its own, one more per channel.
   */
  private watchOptions(ctl: ChannelController): WatchOptions {
    const o: WatchOptions = {
      // kept for the channel's life: unnamed (core/unnamed.ts)
      onEvent: unnamed((e: ChannelEvent) => void this.onEvent(ctl, e).catch((err) => this.ctx.fail(err, ctl))),
      onError: unnamed((err: Error) => {
        // a read that failed; not a payout not found yet or a frozen account (read, and said on their own)
        const code = (err as { code?: string }).code;
        if (code !== 'PENDING' && code !== 'FROZEN') this.health.failed(ctl, err);
        void this.health.covers(err).then((told) => told || this.warn(ctl, `watching ${shown(ctl)}: ${err.message} (retrying)`));
      }),
      onReadAgain: unnamed(() => this.readAgain(ctl)),
      // the time left shown while closing follows the chain's clock, also after a step of the local one
      onNow: unnamed((now: number) => keepSkew(this.ctx, now)),
    };
    if (this.ctx.o.pollMs) o.pollMs = this.ctx.o.pollMs;
    return o;
  }

  /** A watch's warning (repeats counted, not logged: watchwarn.ts). */
  private warn(ctl: ChannelController, text: string): void {
    this.watched.get(ctl)?.warning.warn(text);
  }

  /** A read as expected after failures: the health check and the warning's all-clear. */
  private readAgain(ctl: ChannelController): void {
    this.health.ok(ctl);
    this.watched.get(ctl)?.warning.clear(shown(ctl));
  }

  unwatch(ctl: ChannelController): void {
    const w = this.watched.get(ctl);
    if (!w) return;
    w.wake?.(); // a defense sleeping before its next attempt ends now
    w.watch.stop();
    this.health.forget(ctl);
    if (w.initialTimer) clearTimeout(w.initialTimer);
    this.watched.delete(ctl);
    this.catchUps.forget(ctl);
  }

  /**
   * One read of the chain as the node starts: a refused key or an endpoint out of reach is said at once; the views
   * of a deposit, deployment, refund, close or exit that may still land are told again by the chain's clock (until
   * then the views say them without a figure: mayland.ts viewNow).
   */
  checkChainAtStart(): void {
    const marked = () => [...this.ctx.channels.values()].filter((c) => !c.ended && (c.rec.depositPending || c.rec.deploySentAt !== undefined || c.rec.refundSent || c.rec.closeSent || c.rec.coopSent));
    void this.health.checkAtStart(() => this.watched.size, () => marked().forEach((c) => c.inFlightOver()));
  }

  stop(): void {
    this.stopped = true;
    this.health.stop();
    for (const ctl of [...this.watched.keys()]) this.unwatch(ctl);
  }

  /** Reads the chain now instead of waiting for the next poll; coalesced (pokes.ts). */
  poke(ctl: ChannelController, o: { background?: boolean } = {}): Promise<void> {
    return this.pokes.poke(ctl, o);
  }

  /**
   * A person's command reads the contract now (negotiation.ts refreshDeposits), judged as every read is (sync): a
   * first read lower than the record is read once more. A failed read is the command's error; a record not saved (a
   * full disk: what the read saw is on chain) is told as a poke's read tells it, and the command goes on.
   */
  async readNow(ctl: ChannelController): Promise<void> {
    try {
      if ((await this.sync(ctl)) === 'again') await this.sync(ctl);
    } catch (e) {
      if (!(e instanceof StoreError) || ctl.reloading || ctl.isStopped) throw e;
      this.ctx.fail(e, ctl);
    }
  }

  /** Settles once every watched channel's first catch-up read has been tried (what the chain showed is known). */
  firstReadsTried(): Promise<void> {
    return this.catchUps.allTried();
  }

  /** Settles once the read of the chain at start has said what it found (an endpoint out of reach, a refused key). */
  startReadSaid(): Promise<void> {
    return this.health.startRead();
  }

  /** The watched channels whose first catch-up read has not succeeded yet (still waiting, or failed and retried). */
  notReadYet(): ChannelController[] {
    return this.catchUps.notReadYet();
  }

  /** Catches up with the chain (a restart, a hint): the same events the watch would report. Returns the status read
   * ("behind": a read older than what the channel saw; "again": deposits lower than the record's, read again). */
  async sync(ctl: ChannelController, background = false, deep = false): Promise<string> {
    const st = await this.ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract), { background });
    if (st.status === 'not_deployed') return st.status; // an empty read never means "closed"
    // A proposal not agreed yet: a contract for it is the partner's own doing, never our channel (not followed; a
    // partner's claim that it deployed one is said by its handler, which reads nothing for a proposal).
    if (ctl.life === 'proposed') return 'proposed';
    if (st.status === 'frozen') {
      this.ctx.emit({ type: 'error', code: 'FROZEN', level: 'error', message: `the contract ${shown(ctl)} is frozen: storage fees took all it held and ran it into debt (a channel left unused for years); unfreezing it (a message with its state init and the debt) brings back its state, not the coins` });
      return st.status;
    }
    if (st.status === 'closed') {
      const read = (d: boolean) => this.ctx.o.chain.getPayout(Address.parse(ctl.rec.contract), { background, deep: d });
      let payout = await read(deep);
      if (payout && 'buried' in payout && !deep) payout = await read(true); // buried under the watch's depth: deeper
      if (payout && !('noHistory' in payout)) await reportPayout(this.ctx, ctl, payout); // found, or buried deeper still: the closed record
      else await reportPaidOutUnread(this.ctx, ctl, st.paid, !!payout);
      return st.status;
    }
    const d = st.data;
    // A replica behind what this channel saw (its last transaction lower): nothing it shows is news while funding.
    if (olderThanSeen(this.ctx, ctl, st.lt) && d.phase === 'funding') return 'behind';
    // A lagging endpoint: the contract never goes back, and a close's step floor only rises.
    if (readsBehind(ctl.life, d.phase) || (d.phase === 'closing' && closeBehind(ctl.rec.close, closeOf(d).step))) return 'behind';
    // A first read of the run lower than the record: a refund that landed before the restart, or a lagging endpoint.
    // It is read again (the catch-up's next try); a second read that shows it too is believed, and the refund told.
    if ((await this.deposits.read(ctl, d)) === 'again') return 'again';
    if (d.phase === 'funding') {
      if (['proposed', 'accepted', 'deploying'].includes(ctl.life)) await this.ctx.transition(ctl, fundedEvent(ctl));
    } else if (d.phase === 'open') {
      if (!lockSeen(ctl.life)) await this.onLocked(ctl);
      else if (ctl.life === 'locked') await this.lockedAgain(ctl);
      // a close state both signed before a stop, not on chain: paid out now (changed: payOutLate)
      else if (ctl.life === 'open' && ctl.channel.latest?.state.tag === 'close') this.ctx.changed(ctl);
    } else if (d.phase === 'closing' && d.submitter && d.deadline !== null) {
      if (d.exit) await this.onEvent(ctl, { type: 'exitStarted', submitter: d.submitter, deadline: d.deadline, depositA: d.depositA, depositB: d.depositB });
      else if (d.storedState) await this.onEvent(ctl, closeRead(ctl.rec.close, d.storedState, d.submitter, d.deadline));
    }
    return st.status;
  }

  private async onLocked(ctl: ChannelController): Promise<void> {
    if (ctl.rec.lockedAt === null) ctl.rec.lockedAt = Date.now();
    // The lock is on chain whether or not the record is saved (a full disk): told and acted on (A's initial state, or
    // B's ask for the one it refused: effects the failed transition did not start), then the failure. Later reads
    // find the channel locked already.
    const unsaved = await this.ctx.transition(ctl, 'locked').then(() => null, (e: unknown) => e ?? new Error('the record was not saved'));
    if (unsaved && (ctl.reloading || ctl.isStopped || ctl.life !== 'locked')) throw unsaved;
    this.ctx.emit({ type: 'channelLocked', channel: this.ctx.view(ctl) });
    armInitialTimer(this.ctx, this.watched.get(ctl), ctl);
    if (!unsaved) return;
    if (ctl.rec.me === 'A') void this.payments.proposeInitial(ctl).catch((e: unknown) => this.ctx.fail(e, ctl));
    else this.payments.askInitial(ctl); // B: the initial state it refused before the lock
    throw unsaved;
  }

  /** The lock read again while locked: open if a state both signed came meanwhile (controller.step), else A's step 0. */
  private async lockedAgain(ctl: ChannelController): Promise<void> {
    await this.ctx.transition(ctl, 'locked');
    if (ctl.life === 'locked' && ctl.rec.me === 'A') await this.payments.proposeInitial(ctl);
  }

  private async onEvent(ctl: ChannelController, event: ChannelEvent): Promise<void> {
    const { ctx } = this;
    // The watch's first read (a start) shows a close the record knows, challenged meanwhile, as a close: it is the challenge.
    const e = event.type === 'closeStarted' ? closeRead(ctl.rec.close, event.state, event.submitter, event.deadline) : event;
    switch (e.type) {
      case 'deposit':
      case 'refund': {
        // Locked, the deposits are the lock's for good: a deposit or refund shown then is a lagging read; so is one
        // older than a read this channel saw.
        if (lockSeen(ctl.life) || olderThanSeen(this.ctx, ctl, e.lt)) return;
        // One poll tells each party's change with the deposits it read: judged once, as one read (a second event
        // of a first poll counted as the read again that a lower first read waits for).
        const w = this.watched.get(ctl);
        const read = `${e.depositA}/${e.depositB}`;
        if (e.type === 'deposit' && w?.depositsRead === read) return;
        const first = w?.depositsRead === null;
        if (w) w.depositsRead = read;
        // A watch's first poll reports what the contract holds as deposits, lower ones beside them too (a refund
        // while the node was down): judged as a first read (also after another read of the run: it may lag behind
        // that one), read again at once when lower, so a refund is told, once.
        if (e.type === 'deposit') {
          const d = { phase: 'funding', depositA: e.depositA, depositB: e.depositB };
          const judged = this.deposits.read(ctl, d, first);
          if (w) w.judged = { read, verdict: judged.catch(() => 'kept' as const) };
          if ((await judged) === 'again') void this.poke(ctl, { background: true });
        } else await setDeposits(this.ctx, ctl, e.depositA, e.depositB, true);
        if (['proposed', 'accepted', 'deploying', 'funding'].includes(ctl.life)) await ctx.transition(ctl, fundedEvent(ctl));
        ctx.changed(ctl);
        return;
      }
      case 'locked':
        return this.lockRead(ctl, e);
      case 'closeStarted':
      case 'exitStarted':
      case 'challenged':
        return this.closes.seen(ctl, e);
      case 'deadlinePassed':
        ctl.deadlinePassed = true;
        keepSkew(this.ctx, e.now);
        await ctx.transition(ctl, 'deadlinePassed');
        return;
      case 'closed':
        await reportPayout(this.ctx, ctl, e.payout);
        return;
      case 'paidOutUnread':
        await reportPaidOutUnread(this.ctx, ctl, e.paid, e.noHistory);
        return;
      case 'payoutBuried':
        await this.sync(ctl, true, true); // a deeper read: the payout, or the contract's closed record
        return;
    }
  }

  /**
   * The watch's lock, under the first-read rule as its deposits: a lock seen already has its deposits (a first poll
   * may lag behind the read that saw it); deposits of its poll set aside as lower than the record's are not written
   * with it: the read again (a poke) takes both.
   */
  private async lockRead(ctl: ChannelController, e: { depositA: bigint; depositB: bigint }): Promise<void> {
    if (lockSeen(ctl.life)) {
      // a lock reached another way (the partner's initial state) may not have its deposits yet; after the lock they
      // never fall, so a lagging poll's lower ones change nothing
      const a = e.depositA > ctl.rec.depositA ? e.depositA : ctl.rec.depositA;
      const b = e.depositB > ctl.rec.depositB ? e.depositB : ctl.rec.depositB;
      await setDeposits(this.ctx, ctl, a, b);
      if (ctl.life === 'locked') await this.lockedAgain(ctl);
      return;
    }
    const judged = this.watched.get(ctl)?.judged;
    if (judged?.read === `${e.depositA}/${e.depositB}` && (await judged.verdict) === 'again') return;
    if (lockSeen(ctl.life)) return; // (the read again took it meanwhile)
    await setDeposits(this.ctx, ctl, e.depositA, e.depositB);
    await this.onLocked(ctl);
  }

  /** A person's challenge now (src/node/defense.ts). */
  challengeNow(ctl: ChannelController): Promise<void> {
    return this.defense.challengeNow(ctl);
  }

  /** Whether the contract refused a challenge as too late (only then is the window surely over). */
  windowOver(ctl: ChannelController): boolean {
    return this.watched.get(ctl)?.windowOver === true;
  }

  /** A person's finish: one attempt now (src/node/finisher.ts). */
  finishNow(ctl: ChannelController, opts: ProgressOptions = {}): Promise<void> {
    return this.finisher.finishNow(ctl, opts);
  }

  /** The `defend` effect (src/node/defense.ts). */
  defend(ctl: ChannelController): Promise<void> {
    return this.defense.defend(ctl);
  }

  /** A close state both signed during a close's window pays out at once (src/node/defense.ts). */
  payOutAgreed(ctl: ChannelController): void {
    this.defense.payOutAgreed(ctl);
  }

  /** The `finish` effect (src/node/finisher.ts). */
  finishDue(ctl: ChannelController): Promise<void> {
    return this.finisher.finishDue(ctl);
  }
}
