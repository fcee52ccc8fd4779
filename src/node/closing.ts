// Leaving a channel: a cooperative close (a close state both sign, paid out at once), a unilateral close (a
// state both signed opens the challenge window; the arbiter finishes it), and the exit (no state signed by
// both yet: the recorded deposits open the window).
import { Address } from '@ton/core';
import { formatTon } from '../core/amounts.js';
import { balancesLine } from '../core/format.js';
import type { ErrorCode } from '../core/errors.js';
import { creatorOf } from '../core/channel.js';
import type { Capability } from '../core/capabilities.js';
import type { SignedState } from '../core/signed.js';
import type { SignedStateArg } from '../chain/types.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { NodeError, abortable, stoppedAfter } from './errors.js';
import { crashPoint } from './crash.js';
import type { Payments } from './payments.js';
import { CLOSE_TIMEOUT_MS } from './policy.js';
import { awaitAnswer } from './unsynced.js';
import { closeLanded, sendClose } from './inflight.js';
import { earlierMayLand, ours, sendLeave } from './leave.js';
import { leaveAsked, markLeave, UNDER_WAY, type LeaveKind } from './leaving.js';
import { noSuchStep, PARTNER_GRACE_MS, withdrawModeProblem } from './uiRules.js';
import type { ProgressOptions, WithdrawOptions, WithdrawResult } from './types.js';

/** Errors of a cooperative close that was sent (or landed): a unilateral close must not follow. */
const SENT = new WeakSet<object>();

/** The caller's cancellation and progress, as the chain's calls take them. */
function chainOpts(o: ProgressOptions): ProgressOptions {
  return { ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) };
}

export class Closing {
  constructor(
    private readonly ctx: NodeContext,
    private readonly payments: Payments,
  ) {}

  private get closeTimeoutMs(): number {
    return this.ctx.o.closeTimeoutMs ?? CLOSE_TIMEOUT_MS;
  }

  // One withdraw or exit under way per channel (leaving.ts keeps which): a second withdraw would race the first (and
  // fall back to a unilateral close); a withdraw asked during an exit is told why, not that an exit runs.
  async withdraw(ctl: ChannelController, opts: WithdrawOptions): Promise<WithdrawResult> {
    if (leaveAsked(ctl) === 'withdraw') throw new NodeError('WITHDRAW_UNDER_WAY', UNDER_WAY.withdraw.again);
    if (leaveAsked(ctl) === 'exit') throw busy(ctl.actions().withdraw, 'EXIT_UNDER_WAY', UNDER_WAY.exit.other);
    this.marked(ctl, 'withdraw');
    try {
      return await this.withdrawOnce(ctl, opts);
    } finally {
      this.marked(ctl, null);
    }
  }

  /** The views say a withdraw or exit under way from its start (leaving.ts): told at once. */
  private marked(ctl: ChannelController, kind: LeaveKind | null): void {
    markLeave(ctl, kind);
    if (!ctl.isDropped) this.ctx.emit({ type: 'channelUpdated', channel: this.ctx.view(ctl) });
  }

  private async withdrawOnce(ctl: ChannelController, opts: WithdrawOptions): Promise<WithdrawResult> {
    const can = ctl.actions({ oursWaits: true }).withdraw;
    if (!can.ok) throw new NodeError(can.code, can.why);
    const ch = ctl.channel;
    const latest = ch.latest!;
    const step = opts.step ?? latest.state.step;
    const chosen = step === latest.state.step ? latest : ctl.storage ? ((await ctl.readStates(step, step + 1n))[0] ?? null) : null;
    if (!chosen || step < 0n) throw new NodeError('NO_SUCH_STEP', noSuchStep(step, latest.state.step));
    if (step < latest.state.step && !opts.confirmStale) {
      throw new NodeError('STALE_STEP', `step ${step} is older than the latest state ${latest.state.step}: your partner can challenge it with a newer state. Confirm to submit it anyway`);
    }
    const mode = opts.mode ?? 'auto';
    const modeProblem = withdrawModeProblem(mode, step, latest.state.step);
    if (modeProblem) throw new NodeError('STALE_STEP', modeProblem);
    const online = () => !!this.ctx.sessionOf(ctl)?.connected;
    const haveClose = latest.state.tag === 'close';
    // Only a close state both signed closes cooperatively without the partner: an offline partner gets a moment
    // to (re)connect (a node just started is still dialling), then the user hears it at once rather than after
    // waiting for a turn it cannot pass; without a mode, a close alone starts only after that moment.
    if (mode !== 'unilateral' && step === latest.state.step && !haveClose && !online()) {
      opts.onProgress?.('your partner is offline: waiting a few seconds for them to connect…');
      const back = await ctl.waitFor(online, PARTNER_GRACE_MS, opts.signal, 'your partner came back').then(
        () => true,
        // stopped: nothing more is sent (a close alone would leave with nobody watching it)
        (e: { code?: string }) => (e.code === 'CANCELLED' || ctl.isStopped ? Promise.reject(e as Error) : false),
      );
      if (!back && mode === 'cooperative') throw new NodeError('PARTNER_OFFLINE', 'your partner is offline: a cooperative close needs their signature. Try again when they are back online, or close alone (withdraw --unilateral: the payout waits the challenge window)');
    }
    const partnerOnline = online();
    const wantCoop = step === latest.state.step && mode !== 'unilateral' && (haveClose || mode === 'cooperative' || partnerOnline);
    let fallbackReason: string | null = null;
    if (wantCoop) {
      const ours = await this.leaveFirst(ctl, mode, opts);
      if (ours) return ours;
      try {
        return await this.cooperative(ctl, opts);
      } catch (e) {
        // A close state both signed (before this call, or agreed in it) pays out whenever the chain takes it: a
        // unilateral close would only add a window.
        const agreed = ch.latest?.state.tag === 'close';
        if (agreed && !SENT.has(e as object) && (e as { code?: string }).code !== 'CANCELLED') throw closeStateKept(e, ch.latest!.state.step);
        if (mode === 'cooperative' && (e as { code?: string }).code === 'TIMEOUT' && ch.staged?.state.tag === 'close') throw this.unsigned(ctl, e);
        if (mode === 'cooperative' || agreed || (e as { code?: string }).code === 'CANCELLED' || SENT.has(e as object)) throw e;
        fallbackReason = (e as Error).message;
      }
    } else if (mode === 'auto' && step === latest.state.step) {
      fallbackReason = 'your partner is offline';
    }
    // A fallback submits the latest state both signed (the close state when it exists), never an older one.
    const use = fallbackReason !== null ? ch.latest! : chosen;
    if (fallbackReason !== null) opts.onProgress?.(`cooperative close not possible (${fallbackReason}); starting a unilateral close with step ${use.state.step} instead`);
    const r = await this.unilateral(ctl, use, opts);
    return { ...r, fellBack: fallbackReason !== null, fallbackReason };
  }

  /**
   * Before a close with the partner: our close or exit on its way (handed over by an import) or sent before and
   * maybe landing (a restart since) is waited for, as the unilateral path does; once it is on chain no close state
   * can be agreed (the partner refuses states then), so the withdraw answers with it. Null: none, or it never landed.
   */
  private async leaveFirst(ctl: ChannelController, mode: 'auto' | 'cooperative', opts: ProgressOptions): Promise<WithdrawResult | null> {
    const way = ctl.onWay.leave;
    if ((!way || way.by === ctl) && ctl.rec.closeSent?.validUntil === undefined) return null;
    if (!(await earlierMayLand(this.ctx, ctl, opts))) return null;
    const close = ctl.rec.close;
    if (ctl.life === 'closing' && close?.submitter === ctl.rec.me && close.step !== null) {
      const why = `your close with step ${close.step} sent before reached the contract first`;
      if (mode === 'cooperative') throw new NodeError('ALREADY_CLOSING', `${why}: a cooperative close is no longer possible (your partner signs no state once a close is on chain). The node finishes it after the challenge window`);
      return { mode: 'unilateral', step: close.step, deadline: close.deadline, payoutA: null, payoutB: null, fellBack: true, fallbackReason: why };
    }
    // paid out by our cooperative close that was waited for too (its mark the later): the cooperative path answers
    if (ctl.life === 'closed' && ctl.channel.latest?.state.tag === 'close') return null;
    const now = ctl.actions({ oursWaits: true }).withdraw;
    if (!now.ok) throw new NodeError(now.code, now.why);
    return null;
  }

  /** Our close state went to the partner, who did not sign it in time: what happens next, and the way out alone. */
  private unsigned(ctl: ChannelController, e: unknown): NodeError {
    const offline = this.ctx.sessionOf(ctl)?.connected ? '' : ' (they are offline)';
    return new NodeError('TIMEOUT', `${(e as Error).message}${offline}: your close state went to them; once they sign it, your node pays it out (no payment can follow it). To leave without them, close alone (a unilateral close: withdraw --unilateral; the payout waits the challenge window)`, { cause: e });
  }

  /** Channels whose late-signed close state this run sent (once). */
  private readonly lateSent = new WeakSet<ChannelController>();

  /**
   * Our close state signed by both once the withdraw that proposed it has given up (the partner signed late, or
   * while this node was stopped): the channel can make no state after it, so the node pays it out, as was asked.
   * The partner's own close state is theirs to send (a person's withdraw sends it here).
   */
  payOutLate(ctl: ChannelController): void {
    const latest = ctl.channel.latest;
    if (latest?.state.tag !== 'close' || ctl.life !== 'open' || !latest.sigA || !latest.sigB) return;
    if (creatorOf(latest.state.step) !== ctl.rec.me || leaveAsked(ctl) || this.lateSent.has(ctl)) return;
    this.lateSent.add(ctl);
    // a withdraw under way from here, as one asked for (the views do not say "withdraw sends it" meanwhile)
    this.marked(ctl, 'withdraw');
    this.ctx.log(`your partner signed your close state (step ${latest.state.step}): paying it out now`);
    void this.cooperative(ctl, {})
      .then((r) => this.ctx.log(`the cooperative close paid out step ${r.step}`))
      .catch((e: unknown) => this.ctx.fail(closeStateKept(e, latest.state.step), ctl))
      .finally(() => this.marked(ctl, null));
  }

  /** Agrees a close state with the partner (unless one is signed by both already) and pays out at once. */
  private async cooperative(ctl: ChannelController, opts: ProgressOptions): Promise<WithdrawResult> {
    const ch = ctl.channel;
    const closeState = ch.latest!.state.tag === 'close' ? ch.latest! : await this.agreeClose(ctl, opts);
    if (closeState.state.tag !== 'close' || !closeState.sigA || !closeState.sigB) return this.closedMeanwhile(ctl, closeState, opts);
    const arg = await ctl.forChain(closeState, this.ctx.o.wallet.address);
    // One sent before (a restart since) that may still land is waited for: a second would only be refused.
    const landed = await closeLanded(this.ctx, ctl, closeState.state.step, opts);
    if (landed) opts.onProgress?.('the contract has paid out');
    else await this.sendCooperative(ctl, closeState.state.step, arg, opts);
    this.ctx.send(ctl, { type: 'close.notice', contract: ctl.rec.contract, kind: 'cooperative', step: closeState.state.step });
    const paid = (p = ctl.rec.payout) => ({ mode: 'cooperative' as const, step: closeState.state.step, deadline: null, payoutA: p?.balanceA ?? closeState.state.balanceA, payoutB: p?.balanceB ?? closeState.state.balanceB, fellBack: false, fallbackReason: null });
    // The contract reads paid out while its payout transaction is not found yet: the watch shows it once found.
    if (landed && ctl.life !== 'closed') {
      opts.onProgress?.('the contract has paid out; the payout is shown once the chain shows its transaction');
      return paid();
    }
    opts.onProgress?.('waiting for the chain to show the payout…');
    try {
      await abortable(ctl.waitFor(() => ctl.life === 'closed', 120_000, opts.signal, 'the payout did not show on chain'), opts.signal);
    } catch (e) {
      const shown = stoppedAfter(e, 'the cooperative close landed: the node shows the payout once the chain does') as object;
      SENT.add(shown); // the close landed: a unilateral one would only be refused
      throw shown;
    }
    return paid();
  }

  /** Sends the cooperative close (marked once signed); a failure after which the contract is closed is no failure. */
  private async sendCooperative(ctl: ChannelController, step: bigint, arg: SignedStateArg, opts: ProgressOptions): Promise<void> {
    opts.onProgress?.('sending the cooperative close to the contract…');
    try {
      await sendClose(this.ctx, ctl, step, arg, {
        ...chainOpts(opts),
        onProgress: (m) => {
          opts.onProgress?.(m);
          if (/^waiting for the channel contract/.test(m)) crashPoint('during-coop-close');
        },
      });
    } catch (e) {
      // It may have landed (a wait that timed out), or the partner's landed first: the chain tells.
      const st = await this.ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => null);
      if (st?.status !== 'closed') {
        if ((e as { code?: string }).code === 'TIMEOUT') SENT.add(e as object); // it may still land: no fallback
        throw e;
      }
      opts.onProgress?.('the contract has paid out');
    }
  }

  /** Proposes a close state (asking for the turn first when needed) and waits for the partner's signature. */
  private async agreeClose(ctl: ChannelController, opts: ProgressOptions): Promise<SignedState> {
    ctl.agreeingClose = true;
    try {
      return await this.proposeClose(ctl, opts);
    } finally {
      ctl.agreeingClose = false;
      // a turn request held back for the close goes on (nothing happens while our close state awaits the partner)
      void ctl.run(async () => this.payments.turns.passIfAsked(ctl)).catch((e: unknown) => this.ctx.fail(e, ctl));
    }
  }

  private async proposeClose(ctl: ChannelController, opts: ProgressOptions): Promise<SignedState> {
    const ch = ctl.channel;
    // no close state can be signed, nor a state of ours in flight reach the partner
    const broken = ctl.journalProblem();
    if (broken) throw broken;
    // After a start: the partner's latest states first (unsynced.ts), or a close state at a step they hold is dropped unsent.
    if (ctl.unsynced) await awaitAnswer(ctl, () => !!this.ctx.sessionOf(ctl)?.connected, opts.signal);
    // A partner who withdraws at the same moment proposes a close state: once both signed it, it is the one.
    const agreed = () => ch.latest?.state.tag === 'close';
    // Until the turn is ours with nothing in flight: sign the partner's state, let our own be countersigned (the
    // turn is the partner's then), or ask for the turn.
    const end = Date.now() + this.closeTimeoutMs;
    const left = () => Math.max(1, end - Date.now());
    const mine = () => !!ch.staged && !ch.pending;
    for (;;) {
      while (!agreed() && !(ch.isMyTurn && !ch.staged)) {
        // Signed in the queue only if still pending: the person's own sign may have gone first.
        if (ch.pending) await ctl.run(() => (ch.pending ? this.payments.countersignIn(ctl) : undefined));
        // Ours signed, the partner's next state (its automatic pass) may already follow it: signed on the next turn.
        else if (mine()) await ctl.waitFor(() => agreed() || !mine(), left(), opts.signal, 'your partner did not sign your last state');
        else {
          opts.onProgress?.('asking your partner for the turn to propose the close…');
          try {
            await this.payments.requestEmpty(ctl);
          } catch (e) {
            // A state of the partner's, queued before our request, came first: its pass gave us the turn (propose),
            // or its payment awaits our signature (sign it, then the turn is ours).
            const code = (e as { code?: string }).code;
            if (code === 'ALREADY_YOUR_TURN' || (code === 'PENDING_STATE' && ch.pending)) continue;
            throw e;
          }
          await ctl.waitFor(() => agreed() || !!ch.pending || (ch.isMyTurn && !ch.staged), left(), opts.signal, 'your partner did not pass the turn');
        }
      }
      if (agreed()) return ch.latest!;
      try {
        await this.payments.proposeOut(ctl, (c) => c.proposeClose());
        break;
      } catch (e) {
        // A state queued before the proposal (a payment of ours, the partner's) took the turn first: wait again.
        const code = (e as { code?: string }).code;
        if ((code !== 'PENDING_STATE' && code !== 'NOT_YOUR_TURN') || Date.now() >= end) throw e;
      }
    }
    const proposed = ch.staged ?? ch.latest!; // signed by the partner already: the close is the latest
    opts.onProgress?.('waiting for your partner to sign the close…');
    // The partner may instead send our close state (or another close) to the contract: its read ends the wait.
    const onChain = () => ctl.life === 'closing' || ctl.life === 'closed';
    await ctl.waitFor(() => ch.latest?.state.tag === 'close' || onChain(), this.closeTimeoutMs, opts.signal, 'your partner did not sign the close').catch((e: unknown) => {
      throw stoppedAfter(e, 'your close state went to your partner: once they sign it no payment can follow in this channel; run withdraw again to pay out');
    });
    return ch.latest?.state.tag === 'close' ? ch.latest : proposed;
  }

  /**
   * The contract closed while our close state awaited the partner's signature: paid out by that state (the partner
   * sent it with our signature, which the contract takes as both), or a close of the partner's on chain instead.
   */
  private closedMeanwhile(ctl: ChannelController, proposed: SignedState, opts: ProgressOptions): WithdrawResult {
    const p = ctl.rec.payout;
    if (ctl.life === 'closed' && p && p.step === proposed.state.step) {
      opts.onProgress?.('your partner sent your close state to the contract instead of signing it: the contract has paid out by it');
      return { mode: 'cooperative', step: proposed.state.step, deadline: null, payoutA: p.balanceA, payoutB: p.balanceB, fellBack: false, fallbackReason: null };
    }
    const close = ctl.rec.close;
    const e = ctl.life === 'closed'
      ? new NodeError('ALREADY_CLOSED', `the channel was paid out meanwhile, ${!p ? 'not by your close state (its payout is being read)' : `by ${p.step === null ? 'the deposits (an exit)' : `step ${p.step}`}, not by your close state`}: see channels`)
      : new NodeError('ALREADY_CLOSING', `your partner started a close on chain (${close?.step == null ? 'an exit with the deposits' : `step ${close.step}`}) instead of signing yours: the node challenges it if a later state pays you more, and finishes it after the challenge window`);
    SENT.add(e); // the contract closed: a close of ours would only be refused
    throw e;
  }

  private async unilateral(ctl: ChannelController, use: SignedState, opts: ProgressOptions): Promise<Omit<WithdrawResult, 'fellBack' | 'fallbackReason'>> {
    const result = () => ({ mode: 'unilateral' as const, step: use.state.step, deadline: ctl.rec.close?.deadline ?? null, payoutA: null, payoutB: null });
    if ((await earlierMayLand(this.ctx, ctl, opts)) && ours(ctl, use.state.step)) return result();
    if (ctl.life === 'closed') throw new NodeError('ALREADY_CLOSED', 'the channel is closed and paid out');
    if (ctl.life === 'closing') throw new NodeError('ALREADY_CLOSING', `a close is already running (step ${ctl.rec.close?.step ?? '?'}); the node finishes it after the challenge window`);
    if (ctl.isStopped) throw ctl.stoppedError('the node stopped before the close was sent: nothing went to the contract; start it again and withdraw');
    opts.onProgress?.(`sending step ${use.state.step} (${balancesLine(use.state)}) to the contract: the challenge window starts…`);
    const arg = await ctl.forChain(use, this.ctx.o.wallet.address);
    await sendLeave(this.ctx, ctl, use.state.step, opts.signal, (beforeSend) => this.ctx.o.chain.startClose(this.ctx.o.wallet, Address.parse(ctl.rec.contract), arg, {
      ...chainOpts(opts),
      beforeSend,
      onProgress: (m) => {
        opts.onProgress?.(m);
        if (/^waiting for the channel contract/.test(m)) crashPoint('during-close');
      },
    }));
    this.ctx.send(ctl, { type: 'close.notice', contract: ctl.rec.contract, kind: 'unilateral', step: use.state.step });
    await abortable(ctl.waitFor(() => ctl.life === 'closing' || ctl.life === 'closed', 120_000, opts.signal, 'the close did not show on chain'), opts.signal).catch((e: unknown) => {
      throw stoppedAfter(e, `step ${use.state.step} went to the contract: the challenge window opens when it lands, and the node watches it`);
    });
    return result();
  }

  /**
   * Locked with no state signed by both: leave with the recorded deposits (the partner may challenge with any state
   * both signed). One at a time: a second exit would reach the contract once the first started the close (a fee).
   */
  async exit(ctl: ChannelController, opts: ProgressOptions & { confirmStale?: boolean }): Promise<{ deadline: number }> {
    if (leaveAsked(ctl) === 'exit') throw new NodeError('EXIT_UNDER_WAY', UNDER_WAY.exit.again);
    if (leaveAsked(ctl) === 'withdraw') throw busy(ctl.actions().exit, 'WITHDRAW_UNDER_WAY', UNDER_WAY.withdraw.other);
    this.marked(ctl, 'exit');
    try {
      return await this.exitOnce(ctl, opts);
    } finally {
      this.marked(ctl, null);
    }
  }

  private async exitOnce(ctl: ChannelController, opts: ProgressOptions & { confirmStale?: boolean }): Promise<{ deadline: number }> {
    const can = ctl.actions({ oursWaits: true }).exit;
    if (!can.ok) throw new NodeError(can.code, can.why);
    // as withdraw: the partner may hold states signed since the backup, and an exit pays the deposits
    if (ctl.rec.restorePending && !opts.confirmStale) {
      throw new NodeError('RESTORE_PENDING', 'restored from a backup: your partner may hold states signed since it, and an exit pays the deposits (they challenge it only with a state that pays them more); connect to them first, or confirm to leave with the deposits');
    }
    const mine = ctl.rec.me === 'A' ? ctl.rec.depositA : ctl.rec.depositB;
    opts.onProgress?.(`starting the exit: the contract pays back the deposits (yours: ${formatTon(mine)} TON) after the challenge window…`);
    if (await earlierMayLand(this.ctx, ctl, opts)) {
      if (ours(ctl, null)) return { deadline: ctl.rec.close?.deadline ?? 0 };
      const now = ctl.actions({ oursWaits: true }).exit;
      if (!now.ok) throw new NodeError(now.code, now.why);
    }
    await sendLeave(this.ctx, ctl, null, opts.signal, (beforeSend) => this.ctx.o.chain.startExit(this.ctx.o.wallet, Address.parse(ctl.rec.contract), { ...chainOpts(opts), beforeSend }));
    await abortable(ctl.waitFor(() => ctl.life === 'closing' || ctl.life === 'closed', 120_000, opts.signal, 'the exit did not show on chain'), opts.signal).catch((e: unknown) => {
      throw stoppedAfter(e, 'the exit went to the contract: the challenge window opens when it lands, and the node watches it');
    });
    return { deadline: ctl.rec.close?.deadline ?? 0 };
  }
}

/** A close state both signed whose cooperative close did not reach the chain: what to do next, with the cause. */
function closeStateKept(e: unknown, step: bigint): unknown {
  const code = (e as { code?: ErrorCode }).code;
  if (!code) return e;
  return new NodeError(code, `${(e as Error).message}. The close state (step ${step}) is signed by both: run withdraw again to send it (it pays out at once; the node does not replace it with a unilateral close)`, { cause: e });
}

/** Asked while the other way out runs: the reason the channel does not allow it (else the one under way). */
function busy(can: Capability, code: ErrorCode, why: string): NodeError {
  return can.ok ? new NodeError(code, why) : new NodeError(can.code, can.why);
}
