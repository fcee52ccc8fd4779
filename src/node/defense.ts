// The defense of a channel whose contract is closing: it challenges a close that pays us less than the latest
// state we hold (retrying until the challenge lands or the deadline passes), pays out at once with a close state
// both signed, and runs a person's `challenge` now. The arbiter (arbiter.ts) watches and calls it.
import { Address } from '@ton/core';
import { formatTon } from '../core/amounts.js';
import { codeOf, messageOf } from '../core/errors.js';
import { defense, type Candidate } from '../core/lifecycle.js';
import type { NodeContext } from './context.js';
import { movesMoney, reloaded, type ChannelController } from './controller.js';
import type { Payments } from './payments.js';
import { RETRY_MAX_MS, RETRY_MIN_MS } from './policy.js';
import { payOutAgreed } from './payoutAgreed.js';
import { shownContract as shown } from './addresses.js';
import { NodeError } from './errors.js';
import { crashPoint } from './crash.js';
import { ChannelExit } from '../contract/exits.js';
import { closeBehind, closeOf } from './payout.js';
import { keepClose } from './record.js';
import { chainNowEstimate, chainNowRead } from './mayland.js';
import { challengeHeld, closeLanded, marking, onItsWay, sendClose, unmarked, type OnWay } from './inflight.js';

/** Why the defense challenges a close that pays us as much as the latest: a state between pays less, or could not be read. */
type Guard = 'lower' | 'unread';

/** How many refusals in a row of the same challenge before the defense stops sending it by itself. */
const REFUSALS_BEFORE_STOP = 3;
/** States read at once when the defense looks for a state between that pays us less. */
const LOWEST_WINDOW = 10_000n;
/** How long that look may take before the defense raises the floor anyway (one fee instead of a late challenge). */
const LOWER_SCAN_MS = 2_000;

/** A failure that only says the channel's storage was closed under the defense: an import reloads it, or the node stops. */
const cutShort = (ctl: ChannelController, e: unknown) => (ctl.reloading || ctl.isStopped) && ['CHANNEL_RELOADED', 'NODE_STOPPED'].includes(codeOf(e));

/** What the defense keeps per watched channel. */
export interface DefenseState {
  defending: boolean;
  /** the step we last challenged with (it may land after its wait failed) */
  challengedWith: bigint | null;
  /** a cooperative close with a close state both signed is under way */
  payingOut: boolean;
  /** a cooperative close of ours landed: nothing more is sent to the contract */
  paidOut: boolean;
  /** the contract refused a challenge as too late: the window is over (an endpoint's clock alone never says so) */
  windowOver: boolean;
  /** the close state the contract refused: never sent again (each try is a wallet fee) */
  refusedStep: bigint | null;
  /** the challenge the contract refused (against the close on chain, with our step) and how many times in a row */
  refusedChallenge: { key: string; count: number } | null;
  /** a close or challenge was seen while a defense ran: it plans again before it ends */
  recheck: boolean;
  /** whether a state between the close and the latest pays us less (a close's defense reads it once) */
  lowest: { key: string; value: bigint | null | 'unknown' } | null;
  /** ends the sleep before the defense's next attempt */
  wake: (() => void) | null;
  /** told the outcome of the defense's next attempt (its error, or null) */
  attempt: { done: Promise<unknown>; tell: (e: unknown) => void } | null;
}

/** What the defense needs of the arbiter. */
export interface DefenseHost {
  ctx: NodeContext;
  payments: Payments;
  /** undefined once the channel is not watched */
  state(ctl: ChannelController): DefenseState | undefined;
  stopped(): boolean;
  poke(ctl: ChannelController): Promise<void>;
  /** tells the close on chain if this run has not yet (a view hears of a close before its defense) */
  tellClose(ctl: ChannelController): void;
  /** tells our challenge with `step` that landed, once per run (the channel's next controller may read it first) */
  tellChallenge(ctl: ChannelController, step: bigint): void;
}

export class Defense {
  constructor(private readonly h: DefenseHost) {}

  /** A person's challenge: one attempt now (a retry that sleeps is woken); throws that attempt's error. */
  async challengeNow(ctl: ChannelController): Promise<void> {
    const w = this.h.state(ctl);
    // Dropped meanwhile (an import loaded the channel again): nothing was tried here, and it is said.
    if (!w && ctl.reloading) throw reloaded();
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
    const w = this.h.state(ctl);
    if (!w) return;
    if (w.defending) {
      w.recheck = true; // what was seen may change the plan; a running defense tells the next attempt
      return;
    }
    // The endpoint's clock said the window is over; only the contract's refusal is sure (a clock read ahead
    // would cost the challenge): a better state is tried once more.
    if (ctl.deadlinePassed && w.windowOver) {
      const a = w.attempt;
      w.attempt = null;
      return a?.tell(null);
    }
    w.defending = true;
    let landed = false;
    const said = new Set<string>(); // the hold-backs told in this defense
    const told = (e: unknown) => {
      const a = w.attempt;
      w.attempt = null;
      a?.tell(e);
    };
    try {
      for (let delay = RETRY_MIN_MS; !this.h.stopped() && this.h.state(ctl); ) {
        w.recheck = false;
        let found: Awaited<ReturnType<Defense['plan']>>;
        try {
          found = await this.plan(ctl);
        } catch (e) {
          // Its storage closed by an import (or the stop): the controller loaded again defends, from its own read.
          if (!cutShort(ctl, e)) throw e;
          if (codeOf(e) === 'CHANNEL_RELOADED' && !this.h.stopped()) this.h.ctx.log(`channel ${shown(ctl)} was loaded again from its files (a backup was imported) while its defense read its states: the channel loaded again defends it`);
          return told(e);
        }
        this.planned(ctl, found ? found.plan.step : null);
        if (!found) {
          if (w.recheck) continue;
          return;
        }
        const { plan, against, guard } = found;
        // The contract's answer depends only on its state and ours: one it refused again and again is not sent
        // by itself any more (each try is a wallet fee); a person's `challenge` tries once more.
        const key = `${against ?? 'deposits'}>${plan.step}`;
        if (w.refusedChallenge?.key === key && w.refusedChallenge.count >= REFUSALS_BEFORE_STOP && !w.attempt) return;
        // One of ours with this step that may still land (sent before a restart, or by the channel's earlier controller).
        if (await challengeHeld(this.h.ctx, ctl, plan.step, !!w.attempt, said)) continue;
        if (this.unwatchedMeanwhile(ctl)) return;
        const way = onItsWay(ctl, 'challenge', plan.step);
        try {
          await this.challengeOnce(ctl, plan, guard ?? null, way.onWay).finally(way.end);
          landed = true;
          return;
        } catch (e) {
          told(e);
          if (codeOf(e) === 'CONTRACT_REJECTED') w.refusedChallenge = { key, count: w.refusedChallenge?.key === key ? w.refusedChallenge.count + 1 : 1 };
          const refusals = w.refusedChallenge?.key === key ? w.refusedChallenge.count : 0;
          // Only the contract says the window is over: this computer's clock may be far off (a resumed VM), and
          // an endpoint's may read ahead (the time left below is only what it shows).
          if ((e as { exitCode?: number }).exitCode === ChannelExit.TOO_LATE) w.windowOver = true;
          const secondsLeft = await this.secondsLeft(ctl);
          const stopped = w.windowOver ? 'deadline' : refusals >= REFUSALS_BEFORE_STOP ? 'refused' : null;
          // A challenge that may still land (sent, its wait failed) is given time before another fee: half of
          // what is left of the window (when known), up to RETRY_MAX_MS.
          const wait = (e as { sent?: boolean }).sent ? Math.max(delay, Math.min(RETRY_MAX_MS, (secondsLeft ?? Infinity) * 500)) : delay;
          const next = stopped ? null : Math.min(wait, RETRY_MAX_MS, secondsLeft ? secondsLeft * 1000 : wait);
          this.h.tellClose(ctl);
          this.h.ctx.emit({ type: 'challengeFailed', channel: this.h.ctx.view(ctl), code: codeOf(e), message: messageOf(e), secondsLeft, nextRetryMs: next, stopped });
          const after = next !== null ? `, retrying in ${Math.round(next / 1000)} s` : stopped === 'refused' ? `; the contract refused it ${refusals} times in a row: not retried by itself (each try costs a wallet fee), run \`challenge\` to try again` : '';
          this.h.ctx.log(`challenge of ${shown(ctl)} failed (${messageOf(e)}); ${secondsLeft === null ? "the time left is being read (the node reads the chain's time first)" : `${secondsLeft} s left`}${after}`, 'error');
          if (stopped === 'refused') return;
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
      // Ended by the stop, or by a reload (the controller loaded again defends): a person's challenge hears it.
      told(landed ? null : this.h.stopped() ? new NodeError('NODE_STOPPED', 'the node stopped: start it again') : ctl.reloading ? reloaded() : null);
      this.payOutAgreed(ctl);
    }
  }

  /**
   * Seconds left in the close's window after a failed challenge, by the chain's clock (read now, else estimated from
   * the last read); null before the node's first read of the chain's time: never a figure of the local clock.
   */
  private async secondsLeft(ctl: ChannelController): Promise<number | null> {
    const { ctx } = this.h;
    const now = await chainNowRead(ctx).catch(() => (ctx.chainTimeRead ? Math.floor(chainNowEstimate(ctx)) : null));
    if (now === null) return null;
    return Math.max(0, (ctl.rec.close?.deadline ?? now) - now);
  }

  /**
   * Unwatched while its defense planned (a stand-in or a dropped controller whose channel loaded again, the stop, a
   * payout read): the channel loaded again defends from its own read, and a challenge from here would be a second fee.
   */
  private unwatchedMeanwhile(ctl: ChannelController): boolean {
    if (this.h.state(ctl)) return false;
    if (!this.h.stopped() && (ctl.reloading || ctl.standIn)) this.h.ctx.log(`channel ${shown(ctl)} was loaded again while its defense read the contract: that defense sends nothing, the channel loaded again defends it`);
    return true;
  }

  /** Keeps the watcher's decision on the controller (the view shows it), telling the listeners when it changes. */
  private planned(ctl: ChannelController, step: bigint | null): void {
    if (ctl.challengeWith === step) return;
    ctl.challengeWith = step;
    this.h.ctx.changed(ctl);
  }

  /**
   * What to challenge with now and the step of the close it answers (null: an exit), re-reading the contract; null
   * when there is nothing to do.
   */
  private async plan(ctl: ChannelController): Promise<{ plan: Candidate; against: bigint | null; guard?: Guard } | null> {
    if (this.h.state(ctl)?.paidOut) return null; // our cooperative close landed: the payout is being read
    const st = await this.h.ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => undefined);
    if (st?.status === 'closed') return null;
    // A failed, empty or frozen read tells nothing, nor does one older than the close we saw (a lagging endpoint:
    // funding, open, or a lower step): decide from what we know. Only a close on chain, or its payout, ends a defense.
    const read = st?.status === 'closing' ? closeOf(st.data) : null;
    const seen = ctl.rec.close;
    const fresh = read && !closeBehind(seen, read.step) ? read : null;
    const against = fresh ? fresh.step : (seen?.step ?? null);
    const cands = this.candidates(ctl);
    const top = cands.reduce<Candidate | null>((m, c) => (!m || c.step > m.step ? c : m), null);
    if (!top || (against !== null && top.step <= against)) return null;
    const balances = fresh ? fresh.balances : seen ? await this.balancesAt(ctl, against) : null;
    if (!balances) return { plan: top, against }; // what the close pays is not known: raise the floor
    // The latest paying more than the close needs no reading of the states between.
    const onChain = { step: against, balances };
    const gain = defense(ctl.rec.me, onChain, cands, null);
    if (gain) return { plan: gain, against };
    const ours = ctl.rec.me === 'A' ? top.balanceA : top.balanceB;
    const lower = await this.lowerBetween(ctl, against, top.step, ours);
    const guard = defense(ctl.rec.me, onChain, cands, lower);
    return guard ? { plan: guard, against, guard: lower === 'unknown' ? 'unread' : 'lower' } : null;
  }

  /**
   * Our latest state both signed, and a partner's proposal after it (it only pays us: we can countersign it),
   * except one the node may not sign (as countersignIn): while a restored channel waits for the partner's answer it
   * signs nothing, and afterwards no payment (a payment kept by the backup would be planned and never sent).
   */
  private candidates(ctl: ChannelController): Candidate[] {
    const ch = ctl.channel;
    const cands: Candidate[] = [];
    const latest = ch.latest?.state;
    if (latest) cands.push({ step: latest.step, balanceA: latest.balanceA, balanceB: latest.balanceB });
    const pending = ch.pending?.state;
    const signable = !ctl.rec.restorePending && !(ctl.rec.restored && movesMoney(pending, latest));
    if (pending && pending.tag === 'state' && signable) cands.push({ step: pending.step, balanceA: pending.balanceA, balanceB: pending.balanceB });
    return cands;
  }

  /** The balances a close by `step` pays (null: an exit, the recorded deposits), from our states; null if unknown. */
  private async balancesAt(ctl: ChannelController, step: bigint | null): Promise<{ balanceA: bigint; balanceB: bigint } | null> {
    if (step === null) return { balanceA: ctl.rec.depositA, balanceB: ctl.rec.depositB };
    // Loaded again (an import) or stopped meanwhile: that ends this defense (the channel loaded again defends).
    const s = await ctl.readStates(step, step + 1n).catch((e: unknown) => (cutShort(ctl, e) ? Promise.reject(e) : null));
    const st = s?.[0]?.state;
    return st && st.step === step ? { balanceA: st.balanceA, balanceB: st.balanceB } : null;
  }

  /**
   * A state both signed above the close `against` (null: an exit, from step 0) and below `below` that pays us less
   * than `than` (what the partner could still submit until the deadline): its balance for us, null when there is
   * none, 'unknown' when unreadable or too long to read now (then the floor is raised: one fee). Read backwards
   * from the latest, a window at a time, and stops at the first one: recent states are the likely ones.
   */
  private async lowerBetween(ctl: ChannelController, against: bigint | null, below: bigint, than: bigint): Promise<bigint | null | 'unknown'> {
    const from = against === null ? 0n : against + 1n;
    if (from >= below) return null;
    const w = this.h.state(ctl);
    const key = `${from}:${below}:${than}`;
    if (w?.lowest?.key === key) return w.lowest.value;
    let value: bigint | null | 'unknown' = null;
    const started = Date.now();
    try {
      if (!ctl.storage) throw new Error('no storage');
      for (let end = below; end > from && value === null; end -= LOWEST_WINDOW) {
        if (Date.now() - started > LOWER_SCAN_MS) throw new Error(`more than ${LOWER_SCAN_MS / 1000} s`);
        const at = end - LOWEST_WINDOW > from ? end - LOWEST_WINDOW : from;
        const states = await ctl.readStates(at, end);
        if (states.length !== Number(end - at)) throw new Error('states missing');
        for (let i = states.length - 1; i >= 0 && value === null; i--) {
          const st = states[i]!.state;
          const mine = ctl.rec.me === 'A' ? st.balanceA : st.balanceB;
          if (mine < than) value = mine;
        }
      }
    } catch (e) {
      if (cutShort(ctl, e)) throw e; // not 'unknown': the channel loaded again reads them
      this.h.ctx.log(`reading the states of ${shown(ctl)} between steps ${from} and ${below - 1n} failed (${messageOf(e)}): challenging with the latest`, 'warn');
      value = 'unknown';
    }
    if (w) w.lowest = { key, value };
    return value;
  }

  /** guard: the close pays us as much, but a state between pays less, or could not be read (the partner could still submit it). */
  private async challengeOnce(ctl: ChannelController, plan: Candidate, guard: Guard | null, onWay: OnWay): Promise<void> {
    const { ctx } = this.h;
    // A partner's proposal pays only us: countersign it first so it is a state both signed.
    if (ctl.channel.pending && ctl.channel.pending.state.step === plan.step && !ctl.rec.restorePending) await ctl.run(() => this.h.payments.countersignIn(ctl));
    const latest = ctl.channel.latest!;
    const arg = await ctl.forChain(latest, ctx.o.wallet.address);
    const mine = ctl.rec.me === 'A' ? latest.state.balanceA : latest.state.balanceB;
    if (latest.state.tag === 'close') {
      // A close state both signed pays out at once, even during a close's window: better than a challenge.
      ctx.log(`the close on chain pays you less than the close state both signed (step ${latest.state.step}, ${formatTon(mine)} TON): paying out with it`, 'warn');
      const step = latest.state.step;
      // (paid out just before it left: nothing was sent, the watch reads the payout)
      if (!(await closeLanded(ctx, ctl, step))) await sendClose(ctx, ctl, step, arg).catch((e: unknown) => {
          if (codeOf(e) !== 'ALREADY_CLOSED') throw e;
        });
      const w = this.h.state(ctl);
      if (w) w.paidOut = true;
      void this.h.poke(ctl);
      return;
    }
    const until = `challenging with step ${latest.state.step} (${formatTon(mine)} TON), after which nothing older counts`;
    ctx.log(
      guard === 'lower'
        ? `a state between the close on chain and step ${latest.state.step} pays you less, and your partner may submit it until the deadline: ${until}`
        : guard === 'unread'
          ? `the states between the close on chain and step ${latest.state.step} could not be read to know whether one pays you less (your partner may submit any of them until the deadline): ${until}`
          : `the close on chain pays you less than step ${latest.state.step} (${formatTon(mine)} TON): challenging`,
      'warn',
    );
    const w = this.h.state(ctl);
    if (w) w.challengedWith = latest.state.step;
    onWay.step = latest.state.step;
    // Kept for a restart that reads it landed; a record that cannot be written does not hold the challenge back
    // (it guards the money; the record only names it ours): that is said at once, with what it means.
    if (ctl.rec.challengeSent?.step !== latest.state.step) {
      ctl.rec.challengeSent = { step: latest.state.step };
      await ctl.saveRecord().catch((e: unknown) => {
        if (cutShort(ctl, e)) return;
        const message = `channel ${shown(ctl)}: the challenge with step ${latest.state.step} goes to the contract although its record could not note it (${messageOf(e)}); it guards your money, so it is not held back, but until the record is saved (the node tries again once it lands) a restart tells this challenge as your partner's`;
        ctx.emit({ type: 'error', code: codeOf(e), level: 'warning', message, channel: ctx.view(ctl) });
      });
    }
    // Its expiry, once signed: a restart (or the channel loaded again) does not send it again while it may land.
    // (new objects: a stand-in's record shares the dropped controller's)
    const step = latest.state.step;
    const mark = marking(ctl, (validUntil) => {
      onWay.validUntil = validUntil;
      if (ctl.rec.challengeSent?.step === step) ctl.rec.challengeSent = { step, validUntil };
    });
    const beforeSend = async (signed: { validUntil: number }) => {
      await mark(signed);
      crashPoint('challenge-marked');
    };
    const onProgress = (m: string) => {
      ctx.log(m);
      if (/^waiting for the channel contract/.test(m)) crashPoint('during-challenge');
    };
    const unmark = () => {
      delete onWay.validUntil;
      if (ctl.rec.challengeSent?.step !== step) return false;
      ctl.rec.challengeSent = { step };
      return true;
    };
    // answered (a refusal) or never sent: it cannot land any more, and a restart does not wait for it (saved)
    await ctx.o.chain.challenge(ctx.o.wallet, Address.parse(ctl.rec.contract), arg, { onProgress, beforeSend }).catch((e: unknown) => unmarked(ctl, e, unmark));
    unmark(); // landed: saved below
    // a read of the chain (the watch, a poke) may have seen it land first, and told it
    const told = ctl.rec.close?.step === latest.state.step;
    this.h.tellClose(ctl); // the close before its challenge, in a run that has not told it yet
    if (ctl.rec.close) keepClose(ctl.rec, { ...ctl.rec.close, step: latest.state.step });
    // The challenge landed: a record that cannot be written (a full disk) is reported, not told as a failed challenge.
    await ctl.run(() => ctl.saveRecord()).catch((e) => ctx.fail(e, ctl));
    if (!told) this.h.tellChallenge(ctl, latest.state.step);
    ctx.changed(ctl);
    void this.h.poke(ctl);
  }

  /** A close state both signed pays out at once while a close waits its window (payoutAgreed.ts). */
  payOutAgreed(ctl: ChannelController): void {
    payOutAgreed(this.h, ctl);
  }
}
