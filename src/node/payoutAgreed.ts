// A close state both signed pays out at once while a close waits its window (the defense calls it: defense.ts).
import { Address } from '@ton/core';
import { messageOf, codeOf } from '../core/errors.js';
import { creatorOf } from '../core/channel.js';
import type { ChannelController } from './controller.js';
import type { DefenseHost } from './defense.js';
import { closeLanded, sendClose } from './inflight.js';
import { chainNowEstimate, chainNowRead } from './mayland.js';
import { FINISH_GRACE_MS, LAST_READ_MS, RETRY_MAX_MS, RETRY_MIN_MS, sleep } from './policy.js';

/**
 * While a close waits its window, a close state both signed (a partner who signed after the closer gave up
 * waiting) pays out at once: the contract takes a cooperative close during the window.
 */
export function payOutAgreed(h: DefenseHost, ctl: ChannelController): void {
  const w = h.state(ctl);
  const latest = ctl.channel.latest;
  // A defense under way pays out with the close state itself (challengeOnce), then calls this again. A controller
  // whose storage an import closed is being dropped: its latest may not be on disk, and the one loaded again pays out.
  if (!w || ctl.reloading || w.payingOut || w.paidOut || w.defending || ctl.life !== 'closing' || ctl.deadlinePassed || latest?.state.tag !== 'close' || !latest.sigA || !latest.sigB) return;
  // The close on chain holds it already (or a later step): the contract refuses it again, and pays it out after the window.
  if ((ctl.rec.close?.step ?? -1n) >= latest.state.step || w.refusedStep === latest.state.step) return;
  w.payingOut = true;
  const contract = Address.parse(ctl.rec.contract);
  const go = () => !h.stopped() && !!h.state(ctl) && !ctl.reloading && ctl.life === 'closing' && !ctl.deadlinePassed;
  void (async () => {
    // The journal holds it first (the partner's signature may have just arrived).
    const arg = await ctl.forChain(latest, h.ctx.o.wallet.address);
    h.ctx.log(`both signed the close state (step ${latest.state.step}): paying out now instead of after the challenge window`);
    // Both nodes learn it at once: its creator sends it, the other after a grace and only if it has not landed (a
    // second one bounces off the paid-out contract, its sender paying the fees).
    if (creatorOf(latest.state.step) !== ctl.rec.me) await sleep(await graceFor(h, ctl));
    for (let delay = RETRY_MIN_MS; go(); delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        if (!(await closeLanded(h.ctx, ctl, latest.state.step))) await sendClose(h.ctx, ctl, latest.state.step, arg);
        w.paidOut = true;
        break;
      } catch (e) {
        // the partner's landed first; otherwise tried again (the close on chain still ends after its window)
        const st = await h.ctx.o.chain.getChannelStatus(contract).catch(() => null);
        if (st?.status === 'closed') break;
        // A refusal is the contract's answer to its state, which only moves on: another try costs a fee and fails.
        if (codeOf(e) === 'CONTRACT_REJECTED') {
          w.refusedStep = latest.state.step;
          h.ctx.log(`the contract refused the close state (${messageOf(e)}): the close on chain pays out after its window`, 'warn');
          break;
        }
        h.ctx.log(`paying out with the close state failed (${messageOf(e)}); retrying in ${Math.round(delay / 1000)} s`, 'warn');
        await sleep(delay);
      }
    }
    w.payingOut = false;
    void h.poke(ctl);
  })();
}

/**
 * How long the party that did not create the close state waits for its creator to send it: the finish's grace,
 * shortened so that a grace is still left for its own send to land before the window ends (none left: at once;
 * the close on chain would pay out instead). A failed or slow read of the chain's time uses the estimate.
 */
async function graceFor(h: DefenseHost, ctl: ChannelController): Promise<number> {
  const grace = FINISH_GRACE_MS[h.ctx.o.network];
  const deadline = ctl.rec.close?.deadline;
  if (deadline === undefined) return grace;
  // a read that has not answered within LAST_READ_MS counts as failed: the close state is not held back by it
  const estimate = () => chainNowEstimate(h.ctx);
  const now = await new Promise<number>((resolve) => {
    const late = setTimeout(() => resolve(estimate()), LAST_READ_MS[h.ctx.o.network]);
    chainNowRead(h.ctx, { signal: AbortSignal.timeout(LAST_READ_MS[h.ctx.o.network]) })
      .catch(estimate)
      .then(resolve)
      .finally(() => clearTimeout(late));
  });
  return Math.max(0, Math.min(grace, (deadline - now) * 1000 - grace));
}
