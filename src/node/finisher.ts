// The finish of a close after its challenge window: the node's own (retried, the party that started the close at
// once, the other after a grace), and a person's single attempt. A finish the contract refuses as too early means
// the chain's clock as read ran ahead: the window is open again here and the defense runs. The arbiter
// (arbiter.ts) watches the channel and calls it.
import { Address } from '@ton/core';
import { messageOf } from '../core/errors.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { FINISH_GRACE_MS, RETRY_MAX_MS, RETRY_MIN_MS, sleep } from './policy.js';
import { shownContract as shown } from './addresses.js';
import { NodeError } from './errors.js';
import { ChannelExit } from '../contract/exits.js';
import type { OpOptions } from '../chain/types.js';
import type { ProgressOptions } from './types.js';
import { lastRead, marking, unmarked, whileMayLand } from './inflight.js';

/** A finish the contract refused as too early is tried again after this, doubling each time, up to the max. */
const EARLY_FINISH_MS = 60_000;
const EARLY_FINISH_MAX_MS = 30 * 60_000;

/** What the finisher needs of the arbiter. */
export interface FinisherHost {
  ctx: NodeContext;
  /** undefined once the channel is not watched */
  state(ctl: ChannelController): { finishing: boolean } | undefined;
  stopped(): boolean;
  poke(ctl: ChannelController): Promise<void>;
  defend(ctl: ChannelController): Promise<void>;
}

export class Finisher {
  constructor(private readonly h: FinisherHost) {}

  /**
   * The `finish` effect: the party that started the close finishes it at once; the other after FINISH_GRACE_MS, if
   * a read shows it still not finished (a second finish bounces off the paid-out contract, its sender paying the
   * fees). A person's finish does not wait for the grace.
   */
  async finishDue(ctl: ChannelController): Promise<void> {
    if (ctl.rec.close && ctl.rec.close.submitter !== ctl.rec.me) {
      await sleep(FINISH_GRACE_MS[this.h.ctx.o.network]);
      if (this.h.stopped() || !this.h.state(ctl) || ctl.life !== 'closing') return;
      if (await this.paidOutOnChain(ctl)) return void this.h.poke(ctl); // finished by the partner: read the payout
    }
    await this.finish(ctl);
  }

  /**
   * A person's finish: one attempt now, its outcome the answer (a background finish waiting to try again goes on;
   * a failed attempt starts one). As the node's own, it first waits while a finish of ours may still land.
   */
  async finishNow(ctl: ChannelController, opts: ProgressOptions = {}): Promise<void> {
    const { ctx } = this.h;
    if (await this.earlierMayLand(ctl, () => ctl.life === 'closing', opts)) return void this.h.poke(ctl);
    try {
      await ctx.o.chain.finishClose(ctx.o.wallet, Address.parse(ctl.rec.contract), this.finishOpts(ctl)).catch((e: unknown) => this.unmark(ctl, e));
      void this.h.poke(ctl);
    } catch (e) {
      if (await this.paidOutOnChain(ctl)) return void this.h.poke(ctl);
      if ((e as { exitCode?: number }).exitCode === ChannelExit.TOO_EARLY) {
        this.stillOpen(ctl, 0);
        throw new NodeError('TOO_EARLY', "the contract says the challenge window is still open (the chain's clock as read ran ahead): finish after the deadline (the node does it by itself); it challenges the close if it holds a later state", { cause: e });
      }
      if (!this.h.state(ctl)?.finishing) void this.finish(ctl);
      throw e;
    }
  }

  /** After the deadline, pay out (either party may; the first one wins). Retries. */
  async finish(ctl: ChannelController): Promise<void> {
    const { ctx } = this.h;
    const w = this.h.state(ctl);
    if (!w || w.finishing) return;
    w.finishing = true;
    const contract = Address.parse(ctl.rec.contract);
    const closed = () => this.paidOutOnChain(ctl);
    const going = () => !this.h.stopped() && !!this.h.state(ctl) && ctl.life === 'closing';
    try {
      for (let delay = RETRY_MIN_MS, early = 0; going(); delay = Math.min(delay * 2, RETRY_MAX_MS)) {
        // A finish of ours sent before (a restart since) that may still land is waited for: a second would bounce.
        if (await this.earlierMayLand(ctl, going).catch(() => true)) return;
        try {
          ctx.log(`the challenge window of ${shown(ctl)} has passed: finishing the close`);
          await ctx.o.chain.finishClose(ctx.o.wallet, contract, this.finishOpts(ctl)).catch((e: unknown) => this.unmark(ctl, e));
          void this.h.poke(ctl);
          return;
        } catch (e) {
          if (await closed()) return void this.h.poke(ctl); // finished by the partner (or ours landed): read the payout
          let wait = (e as { sent?: boolean }).sent ? RETRY_MAX_MS : delay; // it may still land: give it time
          if ((e as { exitCode?: number }).exitCode === ChannelExit.TOO_EARLY) wait = this.stillOpen(ctl, ++early);
          else ctx.log(`finishing the close failed: ${messageOf(e)}; retrying in ${Math.round(wait / 1000)} s`, 'warn');
          await sleep(wait);
          if (await closed()) return void this.h.poke(ctl);
        }
      }
    } finally {
      w.finishing = false;
    }
  }

  /**
   * Waits while a finish of ours sent before may still land (its mark in the record; until a minute past its
   * expiry, so never for ever): true when the channel is paid out (or no longer ours to finish) meanwhile.
   */
  private async earlierMayLand(ctl: ChannelController, going: () => boolean, opts: ProgressOptions = {}): Promise<boolean> {
    return whileMayLand(this.h.ctx, ctl, {
      mark: () => ctl.rec.finishSent,
      deadline: () => null, // a finish has no window to lose
      done: () => !going(),
      text: (hold) => `the finish of the close of ${shown(ctl)} sent before may still land (for up to ${hold} s): it is not sent again until the contract pays out or it can no longer land`,
      stopped: 'the node stopped before the close was finished: start it again (it finishes the close by itself)',
    }, opts);
  }

  /**
   * The contract refused a finish as too early: the clock read that said the window was over ran ahead. The window
   * is open again here (a challenge may still be due, and a person may send one), and the finish waits longer each
   * time (each try is a wallet fee). Returns how long.
   */
  private stillOpen(ctl: ChannelController, times: number): number {
    const { ctx } = this.h;
    ctl.deadlinePassed = false;
    ctx.changed(ctl);
    void this.h.defend(ctl);
    const wait = Math.min(EARLY_FINISH_MS * 2 ** (times - 1), EARLY_FINISH_MAX_MS);
    if (times === 0) return 0; // a person's finish: its answer says it
    ctx.log(`the contract says the challenge window of ${shown(ctl)} is still open (the chain's clock as read ran ahead): the node challenges the close if it holds a later state, and tries the finish again in ${Math.round(wait / 1000)} s`, 'warn');
    return wait;
  }

  /**
   * Options of a finish: just before it leaves (its wallet may have been busy with other sends), a contract the
   * partner's finish paid out meanwhile stops it: it would bounce, a wallet fee and a contract fee for nothing.
   * Otherwise its mark (its wallet message's expiry) is saved: a restart does not send it again while it may land.
   */
  private finishOpts(ctl: ChannelController): OpOptions {
    const { ctx } = this.h;
    const mark = marking(ctl, (validUntil) => (ctl.rec.finishSent = { validUntil }));
    return {
      onProgress: (m) => ctx.log(m),
      beforeSend: async (signed) => {
        // (its wallet held meanwhile: a slow read holds nothing back, lastRead)
        if ((await lastRead(ctx, Address.parse(ctl.rec.contract)))?.status === 'closed') throw new NodeError('ALREADY_CLOSED', 'the close was finished meanwhile (the contract has paid out): nothing was sent');
        await mark(signed);
      },
    };
  }

  /** A finish that failed before it could land: its mark goes (saved). Throws `e`. */
  private unmark(ctl: ChannelController, e: unknown): Promise<never> {
    return unmarked(ctl, e, () => ctl.rec.finishSent !== undefined && delete ctl.rec.finishSent);
  }

  /** Whether a read of the contract shows it paid out (a failed read: no). */
  private async paidOutOnChain(ctl: ChannelController): Promise<boolean> {
    return (await this.h.ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => undefined))?.status === 'closed';
  }
}
