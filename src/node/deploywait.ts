// deposit() waiting for the channel contract to be deployed (B: by the partner; A: its own deployment under way).
// Bounded (DEPLOY_WAIT_MS), and said so; B is told when the partner goes offline (or is) and comes back: a partner
// offline deploys only once back, so the wait says so and what to do, never runs its length in silence.
import { durationText } from '../core/duration.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { NodeError, abortable, stoppedAfter } from './errors.js';
import { DEPLOY_WAIT_MS } from './policy.js';
import type { ProgressOptions } from './types.js';

const undeployed = (ctl: ChannelController) => ctl.rec.life === 'proposed' || ctl.rec.life === 'accepted' || ctl.rec.life === 'deploying';

/** What B is told when the partner is offline while its deposit waits for their deployment; `left`: ms. */
const partnerOffline = (left: number) =>
  `your partner is offline: their node deploys the channel contract once it is back (a deployment it sent already may still land). ` +
  `Waiting for it up to ${durationText(left / 1000)} more; you may stop waiting: the proposal stays accepted, and once the contract is deployed (the node says so), run deposit again to pay your part`;

/** Resolves once the channel's contract is deployed (or the channel ended); TIMEOUT after DEPLOY_WAIT_MS, saying what to do. */
export async function waitDeployed(ctx: NodeContext, ctl: ChannelController, opts: ProgressOptions): Promise<void> {
  const rec = ctl.rec;
  if (!undeployed(ctl)) return;
  const waitMs = ctx.o.deployWaitMs ?? DEPLOY_WAIT_MS[ctx.o.network];
  const end = Date.now() + waitMs;
  const online = () => ctx.sessionOf(ctl)?.connected === true;
  // only B waits for the partner: A's own deployment is under way
  const watched = rec.me === 'B';
  opts.onProgress?.(`waiting for the channel contract to be deployed (up to ${durationText(waitMs / 1000)})…`);
  try {
    let told = true; // as if online: the line above
    while (undeployed(ctl)) {
      const on = online();
      if (watched && on !== told) {
        opts.onProgress?.(on ? 'your partner is back online: waiting for their deployment of the channel contract…' : partnerOffline(end - Date.now()));
        told = on;
      }
      const wake = () => !undeployed(ctl) || (watched && online() !== on);
      await abortable(ctl.waitFor(wake, Math.max(0, end - Date.now()), opts.signal, 'the contract was not deployed'), opts.signal);
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'TIMEOUT') {
      const what = watched ? 'your partner has not deployed the channel contract' : 'your deployment has not shown on chain';
      const offline = watched && !online() ? ' (they are offline)' : '';
      const next = watched ? 'the proposal stays accepted: once they deploy it (the node says so), run deposit again to pay your part (if they say it is deployed, check that both nodes run on the same chain: --chain)' : 'it may still land, and the node watches it: run deposit again later';
      throw new NodeError('TIMEOUT', `${what} in ${durationText(waitMs / 1000)}${offline}: ${next}`, { cause: e, sent: true });
    }
    throw stoppedAfter(e, watched ? 'the proposal is accepted and your partner deploys the contract: run deposit again once it is deployed to pay your part' : 'your deployment is under way: the node tells you when the contract is deployed');
  }
}
