// The arbiter: watches each channel's contract, turns what the chain shows into lifecycle events, and defends
// the channel there: it challenges a close that pays us less than the latest state we hold, retrying until the
// challenge lands or the deadline passes (and again after a restart: the first read of the chain re-raises the
// close), and finishes the close after the deadline. It never ends a watch on a failed or empty read.
import { Address } from '@ton/core';
import { formatTon } from '../core/amounts.js';
import { codeOf, messageOf } from '../core/errors.js';
import { defense, type Candidate } from '../core/lifecycle.js';
import type { ChannelEvent, ChannelWatch } from '../chain/types.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import type { Payments } from './payments.js';
import { INITIAL_TIMEOUT_MS, RETRY_MAX_MS, RETRY_MIN_MS } from './policy.js';
import { addressTextOf } from './addresses.js';
import { NodeError } from './errors.js';
import { readsBehind, reportPaidOutUnread, reportPayout } from './payout.js';

/** The contract as every view shows it (kQ…), for what the node says. */
const shown = (ctl: ChannelController): string => addressTextOf(ctl.rec.contract, 'contract');

interface Watched {
  watch: ChannelWatch;
  defending: boolean;
  finishing: boolean;
  initialTimer: ReturnType<typeof setTimeout> | null;
  /** the step we last challenged with (it may land after its wait failed) */
  challengedWith: bigint | null;
  /** a cooperative close sent while a close waits its window (once a run) */
  payingOut: boolean;
  /** ends the sleep before the defense's next attempt */
  wake: (() => void) | null;
  /** told the outcome of the defense's next attempt (its error, or null) */
  attempt: { done: Promise<unknown>; tell: (e: unknown) => void } | null;
}

/** A's own deployment seen on chain while A is back in 'accepted' (its wait failed): the partner must hear of it. */
const fundedEvent = (ctl: ChannelController) => (ctl.rec.me === 'A' && ctl.life === 'accepted' ? 'deployed' : 'funded');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

export class Arbiter {
  private readonly watched = new Map<ChannelController, Watched>();
  private stopped = false;
  private readonly poking = new Map<ChannelController, { again: boolean; background: boolean; done: Promise<void> }>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly payments: Payments,
  ) {}

  watch(ctl: ChannelController): void {
    if (this.stopped || this.watched.has(ctl) || ctl.rec.legacy) return;
    const contract = Address.parse(ctl.rec.contract);
    const w: Watched = {
      defending: false,
      finishing: false,
      payingOut: false,
      initialTimer: null,
      challengedWith: null,
      wake: null,
      attempt: null,
      watch: this.ctx.o.chain.watchChannel(contract, {
        ...(this.ctx.o.pollMs ? { pollMs: this.ctx.o.pollMs } : {}),
        onEvent: (e) => void this.onEvent(ctl, e).catch((err) => this.ctx.fail(err, ctl)),
        onError: (err) => this.ctx.log(`watching ${shown(ctl)}: ${err.message} (retrying)`, 'warn'),
      }),
    };
    this.watched.set(ctl, w);
    // The catch-up read yields to operations on a rate-limited endpoint (a restart with many channels).
    void this.catchUp(ctl);
    this.armInitialTimer(ctl);
  }

  unwatch(ctl: ChannelController): void {
    const w = this.watched.get(ctl);
    if (!w) return;
    w.wake?.(); // a defense sleeping before its next attempt ends now
    w.watch.stop();
    if (w.initialTimer) clearTimeout(w.initialTimer);
    this.watched.delete(ctl);
  }

  stop(): void {
    this.stopped = true;
    for (const ctl of [...this.watched.keys()]) this.unwatch(ctl);
  }

  /**
   * Reads the chain now (after our own transaction, or a partner's hint) instead of waiting for the next poll.
   * Coalesced: while a read is under way, any number of pokes cause one more read, not one each; that read is a
   * background one (see Chain's ReadOptions) only if every poke that asked for it was.
   */
  poke(ctl: ChannelController, o: { background?: boolean } = {}): Promise<void> {
    const background = o.background ?? false;
    const running = this.poking.get(ctl);
    if (running) {
      running.again = true;
      running.background &&= background;
      return running.done;
    }
    const entry = { again: false, background, done: Promise.resolve() };
    entry.done = (async () => {
      do {
        entry.again = false;
        const bg = entry.background;
        entry.background = true;
        await this.sync(ctl, bg).catch((e) => this.ctx.log(`reading ${shown(ctl)}: ${messageOf(e)}`, 'warn'));
      } while (entry.again && !this.stopped);
      this.poking.delete(ctl);
    })();
    this.poking.set(ctl, entry);
    return entry.done;
  }

  /**
   * The first read of a watched channel, retried until it tells something: the watch reports only changes after
   * its own first read, so a close made while the node was off is known from this read alone.
   */
  private async catchUp(ctl: ChannelController): Promise<void> {
    const deployed = () => !['proposed', 'accepted', 'deploying'].includes(ctl.life);
    for (let delay = RETRY_MIN_MS; !this.stopped && this.watched.has(ctl); delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        const read = await this.sync(ctl, true);
        if (read !== 'behind' && (read !== 'not_deployed' || !deployed())) return;
        this.ctx.log(`reading ${shown(ctl)}: the contract reads as ${read === 'behind' ? 'it was before' : 'not deployed'} (a lagging endpoint?); reading again in ${Math.round(delay / 1000)} s`, 'warn');
      } catch (e) {
        this.ctx.log(`reading ${shown(ctl)}: ${messageOf(e)}; reading again in ${Math.round(delay / 1000)} s`, 'warn');
      }
      await sleep(delay);
    }
  }

  /** Catches up with the chain (a restart, a hint): the same events the watch would report. Returns the status read
   * ("behind": a read older than what the channel saw). */
  async sync(ctl: ChannelController, background = false): Promise<string> {
    const st = await this.ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract), { background });
    if (st.status === 'not_deployed') return st.status; // an empty read never means "closed"
    if (st.status === 'frozen') {
      this.ctx.emit({ type: 'error', code: 'FROZEN', level: 'error', message: `the contract ${shown(ctl)} is frozen by unpaid storage fees: top it up with its state init to unfreeze it; the deposits stay inside until then` });
      return st.status;
    }
    if (st.status === 'closed') {
      const payout = await this.ctx.o.chain.getPayout(Address.parse(ctl.rec.contract), { background });
      if (payout) await reportPayout(this.ctx, ctl, payout);
      else await reportPaidOutUnread(this.ctx, ctl, st.paid);
      return st.status;
    }
    const d = st.data;
    if (readsBehind(ctl.life, d.phase)) return 'behind'; // a lagging endpoint: the contract never goes back
    await this.setDeposits(ctl, d.depositA, d.depositB);
    if (d.phase === 'funding') {
      if (['proposed', 'accepted', 'deploying'].includes(ctl.life)) await this.ctx.transition(ctl, fundedEvent(ctl));
    } else if (d.phase === 'open') {
      if (!['locked', 'open', 'closing', 'closed'].includes(ctl.life)) await this.onLocked(ctl);
      else if (ctl.life === 'locked' && ctl.rec.me === 'A') await this.payments.proposeInitial(ctl);
    } else if (d.phase === 'closing' && d.submitter && d.deadline !== null) {
      if (d.exit) await this.onEvent(ctl, { type: 'exitStarted', submitter: d.submitter, deadline: d.deadline, depositA: d.depositA, depositB: d.depositB });
      else if (d.storedState) await this.onEvent(ctl, { type: 'closeStarted', step: d.storedState.step, submitter: d.submitter, deadline: d.deadline, state: d.storedState });
    }
    return st.status;
  }

  /**
   * Keeps what the contract holds, and reports a partner's deposit the first time any read (the watch, a catch-up,
   * a hint) shows it: once, and before what it causes (the lock).
   */
  private async setDeposits(ctl: ChannelController, depositA: bigint, depositB: bigint): Promise<void> {
    if (ctl.rec.depositA === depositA && ctl.rec.depositB === depositB) return;
    // Compared inside the queue: two reads that saw the same deposit at once report it once.
    const before = await ctl.run(async () => {
      const was = { A: ctl.rec.depositA, B: ctl.rec.depositB };
      if (was.A === depositA && was.B === depositB) return null;
      ctl.rec.depositA = depositA;
      ctl.rec.depositB = depositB;
      await ctl.saveRecord();
      return was;
    });
    if (!before) return;
    for (const [party, now] of [['A', depositA], ['B', depositB]] as const) {
      if (now > before[party]) this.ctx.emit({ type: 'depositSeen', channel: this.ctx.view(ctl), party, amount: now - before[party] });
    }
  }

  private async onLocked(ctl: ChannelController): Promise<void> {
    if (ctl.rec.lockedAt === null) ctl.rec.lockedAt = Date.now();
    await this.ctx.transition(ctl, 'locked');
    this.ctx.emit({ type: 'channelLocked', channel: this.ctx.view(ctl) });
    this.armInitialTimer(ctl);
  }

  private async onEvent(ctl: ChannelController, e: ChannelEvent): Promise<void> {
    const { ctx } = this;
    switch (e.type) {
      case 'deposit':
      case 'refund':
        await this.setDeposits(ctl, e.depositA, e.depositB);
        if (['proposed', 'accepted', 'deploying', 'funding'].includes(ctl.life)) await ctx.transition(ctl, fundedEvent(ctl));
        ctx.changed(ctl);
        return;
      case 'locked':
        await this.setDeposits(ctl, e.depositA, e.depositB);
        if (!['locked', 'open', 'closing', 'closed'].includes(ctl.life)) await this.onLocked(ctl);
        return;
      case 'closeStarted':
      case 'exitStarted':
      case 'challenged': {
        const step = e.type === 'exitStarted' ? null : e.step;
        const submitter = e.type === 'challenged' ? (ctl.rec.close?.submitter ?? ctl.rec.me) : e.submitter;
        const fresh = !ctl.rec.close || ctl.rec.close.step !== step || ctl.rec.close.deadline !== e.deadline;
        ctl.rec.close = { step, submitter, deadline: e.deadline };
        // The chain clock is only for the time left shown: the defense never waits for it.
        void this.measureSkew().then(() => ctx.changed(ctl));
        await ctl.run(() => {
          if (!ctl.channel.isClosing) ctl.channel.markClosing();
        });
        await ctx.transition(ctl, e.type === 'challenged' ? 'challengeSeen' : 'closeSeen');
        // The watch may have reported the deadline before the close (a restart after it): finish now.
        if (ctl.deadlinePassed) await ctx.transition(ctl, 'deadlinePassed');
        else this.payOutAgreed(ctl); // a close state both signed (a restart in the window) pays out at once
        if (fresh && e.type !== 'challenged') ctx.emit({ type: 'closeStarted', channel: ctx.view(ctl), step, byPartner: submitter !== ctl.rec.me, deadline: e.deadline });
        if (fresh && e.type === 'challenged') ctx.emit({ type: 'challenged', channel: ctx.view(ctl), step: e.step, byMe: this.watched.get(ctl)?.challengedWith === e.step });
        return;
      }
      case 'deadlinePassed':
        ctl.deadlinePassed = true;
        this.ctx.chainSkew = e.now - Date.now() / 1000;
        await ctx.transition(ctl, 'deadlinePassed');
        return;
      case 'closed':
        await reportPayout(this.ctx, ctl, e.payout);
        return;
    }
  }

  /** Before a person's challenge or finish: whether the window is over, by the chain's clock (the watch tells later). */
  async readDeadline(ctl: ChannelController): Promise<void> {
    const deadline = ctl.rec.close?.deadline;
    if (ctl.life !== 'closing' || ctl.deadlinePassed || deadline === undefined) return;
    const now = await this.ctx.o.chain.now().catch(() => null);
    if (now === null) return;
    this.ctx.chainSkew = now - Date.now() / 1000;
    if (now >= deadline) ctl.deadlinePassed = true;
  }

  /** Chain time beside local time, for the time left in views (the sandbox and the devnet move the chain clock). */
  private async measureSkew(): Promise<void> {
    const now = await this.ctx.o.chain.now().catch(() => null);
    if (now !== null) this.ctx.chainSkew = now - Date.now() / 1000;
  }

  private armInitialTimer(ctl: ChannelController): void {
    const w = this.watched.get(ctl);
    if (!w || w.initialTimer || ctl.life !== 'locked') return;
    const timeout = this.ctx.o.initialTimeoutMs ?? INITIAL_TIMEOUT_MS[this.ctx.o.network];
    const since = ctl.rec.lockedAt ?? Date.now();
    w.initialTimer = setTimeout(() => {
      w.initialTimer = null;
      if (ctl.life !== 'locked') return;
      void this.ctx.transition(ctl, 'initialTimeout');
    }, Math.max(0, since + timeout - Date.now()));
    w.initialTimer.unref?.();
  }

  /** A person's challenge: one attempt now (a retry that sleeps is woken); throws that attempt's error. */
  async challengeNow(ctl: ChannelController): Promise<void> {
    const w = this.watched.get(ctl);
    if (!w) return;
    if (!w.attempt) {
      let tell: (e: unknown) => void = () => undefined;
      const done = new Promise<unknown>((r) => (tell = r));
      w.attempt = { done, tell };
    }
    const { done } = w.attempt;
    if (w.defending) w.wake?.();
    else void this.defend(ctl);
    const err = await done;
    if (err) throw err;
  }

  /** The `defend` effect: challenge when we hold a better (newer) state than the one on chain. Retries until the deadline. */
  async defend(ctl: ChannelController): Promise<void> {
    const w = this.watched.get(ctl);
    if (!w || w.defending) return; // a running defense tells the next attempt
    if (ctl.deadlinePassed) {
      const a = w.attempt;
      w.attempt = null;
      return a?.tell(null);
    }
    w.defending = true;
    const told = (e: unknown) => {
      const a = w.attempt;
      w.attempt = null;
      a?.tell(e);
    };
    try {
      for (let attempt = 0, delay = RETRY_MIN_MS; !this.stopped && this.watched.has(ctl); attempt++) {
        const plan = await this.plan(ctl);
        if (!plan) return;
        try {
          await this.challengeOnce(ctl, plan);
          return;
        } catch (e) {
          told(e);
          const now = await this.ctx.o.chain.now().catch(() => Math.floor(Date.now() / 1000));
          const deadline = ctl.rec.close?.deadline ?? now;
          const secondsLeft = Math.max(0, deadline - now);
          const next = secondsLeft > 0 ? Math.min(delay, RETRY_MAX_MS, secondsLeft * 1000) : null;
          this.ctx.emit({ type: 'challengeFailed', channel: this.ctx.view(ctl), code: codeOf(e), message: messageOf(e), secondsLeft, nextRetryMs: next });
          this.ctx.log(`challenge of ${shown(ctl)} failed (${messageOf(e)}); ${secondsLeft} s left${next !== null ? `, retrying in ${Math.round(next / 1000)} s` : ''}`, 'error');
          if (next === null) return told(new NodeError('TOO_LATE', 'the challenge window is over: the close can only be finished'));
          // A person who asked meanwhile (challenge) gets the next attempt now.
          if (!w.attempt) {
            await new Promise<void>((r) => {
              w.wake = r;
              setTimeout(r, next).unref?.();
            });
          }
          w.wake = null;
          delay = Math.min(delay * 2, RETRY_MAX_MS);
        }
      }
    } finally {
      w.defending = false;
      told(this.stopped ? new NodeError('NODE_STOPPED', 'the node stopped: start it again') : null);
      this.payOutAgreed(ctl);
    }
  }

  /** What to challenge with now, re-reading the contract; null when there is nothing to do. */
  private async plan(ctl: ChannelController): Promise<Candidate | null> {
    const st = await this.ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => undefined);
    // A failed, empty or frozen read tells nothing, nor does one that lags behind the close we saw (funding, open):
    // decide from what we know. Only a close on chain, or its payout, ends a defense.
    if (st?.status === 'closed') return null;
    if (st?.status !== 'closing') return this.candidateFor(ctl, ctl.rec.close?.step ?? null, null);
    const d = st.data;
    const stored = d.storedState;
    return this.candidateFor(ctl, stored ? stored.step : null, stored ? { balanceA: stored.balanceA, balanceB: stored.balanceB } : { balanceA: d.depositA, balanceB: d.depositB });
  }

  private candidateFor(ctl: ChannelController, step: bigint | null, balances: { balanceA: bigint; balanceB: bigint } | null): Candidate | null {
    const ch = ctl.channel;
    const cands: Candidate[] = [];
    const latest = ch.latest?.state;
    if (latest) cands.push({ step: latest.step, balanceA: latest.balanceA, balanceB: latest.balanceB });
    const pending = ch.pending?.state;
    if (pending && pending.tag === 'state') cands.push({ step: pending.step, balanceA: pending.balanceA, balanceB: pending.balanceB });
    if (!balances) return cands.find((c) => step === null || c.step > step) ?? null;
    return defense(ctl.rec.me, { step, balances }, cands);
  }

  private async challengeOnce(ctl: ChannelController, plan: Candidate): Promise<void> {
    const { ctx } = this;
    // A partner's proposal pays only us: countersign it first so it is a state both signed.
    if (ctl.channel.pending && ctl.channel.pending.state.step === plan.step) await ctl.run(() => this.payments.countersignIn(ctl));
    const latest = ctl.channel.latest!;
    const mine = ctl.rec.me === 'A' ? latest.state.balanceA : latest.state.balanceB;
    if (latest.state.tag === 'close') {
      // A close state both signed pays out at once, even during a close's window: better than a challenge.
      ctx.log(`the close on chain pays you less than the close state both signed (step ${latest.state.step}, ${formatTon(mine)} TON): paying out with it`, 'warn');
      await ctx.o.chain.cooperativeClose(ctx.o.wallet, Address.parse(ctl.rec.contract), { state: latest.state, sigA: latest.sigA!, sigB: latest.sigB! }, { onProgress: (m) => ctx.log(m) });
      void this.poke(ctl);
      return;
    }
    ctx.log(`the close on chain pays you less than step ${latest.state.step} (${formatTon(mine)} TON): challenging`, 'warn');
    const w = this.watched.get(ctl);
    if (w) w.challengedWith = latest.state.step;
    await ctx.o.chain.challenge(ctx.o.wallet, Address.parse(ctl.rec.contract), { state: latest.state, sigA: latest.sigA!, sigB: latest.sigB! }, { onProgress: (m) => ctx.log(m) });
    ctl.rec.close = ctl.rec.close ? { ...ctl.rec.close, step: latest.state.step } : null;
    await ctl.run(() => ctl.saveRecord());
    ctx.emit({ type: 'challenged', channel: ctx.view(ctl), step: latest.state.step, byMe: true });
    ctx.changed(ctl);
    void this.poke(ctl);
  }

  /**
   * While a close waits its window, a close state both signed (a partner who signed after the closer gave up
   * waiting) pays out at once: the contract takes a cooperative close during the window.
   */
  payOutAgreed(ctl: ChannelController): void {
    const w = this.watched.get(ctl);
    const latest = ctl.channel.latest;
    // A defense under way pays out with the close state itself (challengeOnce), then calls this again.
    if (!w || w.payingOut || w.defending || ctl.life !== 'closing' || ctl.deadlinePassed || latest?.state.tag !== 'close' || !latest.sigA || !latest.sigB) return;
    w.payingOut = true;
    const contract = Address.parse(ctl.rec.contract);
    const go = () => !this.stopped && this.watched.has(ctl) && ctl.life === 'closing' && !ctl.deadlinePassed;
    void (async () => {
      this.ctx.log(`both signed the close state (step ${latest.state.step}): paying out now instead of after the challenge window`);
      for (let delay = RETRY_MIN_MS; go(); delay = Math.min(delay * 2, RETRY_MAX_MS)) {
        try {
          await this.ctx.o.chain.cooperativeClose(this.ctx.o.wallet, contract, { state: latest.state, sigA: latest.sigA!, sigB: latest.sigB! }, { onProgress: (m) => this.ctx.log(m) });
          break;
        } catch (e) {
          // the partner's landed first; otherwise tried again (the close on chain still ends after its window)
          const st = await this.ctx.o.chain.getChannelStatus(contract).catch(() => null);
          if (st?.status === 'closed') break;
          this.ctx.log(`paying out with the close state failed (${messageOf(e)}); retrying in ${Math.round(delay / 1000)} s`, 'warn');
          await sleep(delay);
        }
      }
      w.payingOut = false;
      void this.poke(ctl);
    })();
  }

  /** The `finish` effect: after the deadline, pay out (either party may; the first one wins). Retries. */
  async finish(ctl: ChannelController): Promise<void> {
    const w = this.watched.get(ctl);
    if (!w || w.finishing) return;
    w.finishing = true;
    try {
      for (let delay = RETRY_MIN_MS; !this.stopped && this.watched.has(ctl) && ctl.life === 'closing'; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
        try {
          this.ctx.log(`the challenge window of ${shown(ctl)} has passed: finishing the close`);
          await this.ctx.o.chain.finishClose(this.ctx.o.wallet, Address.parse(ctl.rec.contract), { onProgress: (m) => this.ctx.log(m) });
          void this.poke(ctl);
          return;
        } catch (e) {
          const st = await this.ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => undefined);
          if (st?.status === 'closed') return void this.poke(ctl); // finished by the partner: read the payout
          this.ctx.log(`finishing the close failed: ${messageOf(e)}; retrying in ${Math.round(delay / 1000)} s`, 'warn');
          await sleep(delay);
        }
      }
    } finally {
      w.finishing = false;
    }
  }
}
