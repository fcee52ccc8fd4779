// A (the proposer): a deployment marked as sent (deploySentAt) and not seen on chain, after a restart or a send
// whose failure left it unknown whether it went out. Once it can no longer land (by the chain's clock: mayland.ts), the node
// reads the chain and, if the contract is still not there, deploys again by itself: the partner waits for it.
// Never two deployments with money: nothing is sent while the first may land, nor after a read that failed or
// shows anything but "never deployed". A stop after the partner's acceptance and before the deployment's mark
// (deployDue) sent nothing: that deployment is started at once.
import { Address } from '@ton/core';
import { addressText } from '../core/format.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import type { Negotiation } from './negotiation.js';
import { chainNowEstimate, chainNowRead, clearDeployMark, deployMark, mayLandFor } from './mayland.js';
import { shownContract as shown } from './addresses.js';

/** How long after a failed read the chain is read again (ms). */
const READ_AGAIN_MS = 60_000;
/** Deployments the node sends again by itself per channel while it runs (each one whose send failed again). */
export const MAX_REDEPLOYS = 3;

export class Redeploy {
  /** channels with a check scheduled (one at a time) */
  private readonly waiting = new WeakSet<ChannelController>();
  /** deployments sent again per channel */
  private readonly sent = new WeakMap<ChannelController, number>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly n: Pick<Negotiation, 'adoptDeployed' | 'deploy'>,
  ) {}

  /** A channel of ours whose deployment may have gone out and is not seen: accepted, marked, not declined. */
  private due(ctl: ChannelController): boolean {
    const r = ctl.rec;
    return r.me === 'A' && ctl.life === 'accepted' && r.deploySentAt !== undefined && !r.partnerDeclined;
  }

  /**
   * Schedules the check for once the deployment can no longer land. False when the node does not (not such a
   * channel, or it sent MAX_REDEPLOYS already): then only deposit deploys again.
   */
  schedule(ctl: ChannelController): boolean {
    if (!this.due(ctl) || (this.sent.get(ctl) ?? 0) >= MAX_REDEPLOYS) return false;
    // an estimate for the timer: the check reads the chain's time and waits again if it is early
    this.at(ctl, mayLandFor(deployMark(ctl.rec), chainNowEstimate(this.ctx)) * 1000 + 1_000);
    return true;
  }

  /**
   * After a restart: a deployment under way (deploying) that the chain does not show is failed (accepted); one
   * marked and not seen is sent again once it can no longer land, or deposit does it.
   */
  async recover(ctl: ChannelController): Promise<void> {
    if (this.owed(ctl)) return this.startOwed(ctl);
    if (ctl.rec.me !== 'A' || (ctl.life !== 'deploying' && !this.due(ctl))) return;
    if (ctl.life === 'deploying') {
      const st = await this.ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => null);
      if (!st) return ctl.later(() => void this.recover(ctl).catch((e: unknown) => this.ctx.fail(e, ctl)), READ_AGAIN_MS);
      if (st.status !== 'not_deployed' || ctl.life !== 'deploying') return;
      await this.ctx.transition(ctl, 'deployFailed');
    }
    // Stopped before the wallet signed (its expiry is saved before the message leaves): nothing can land, so the
    // deployment is owed, not waited for.
    if (ctl.rec.deployUnsigned && this.due(ctl)) {
      clearDeployMark(ctl.rec);
      ctl.rec.deployDue = true;
      await ctl.run(() => ctl.saveRecord());
      return this.startOwed(ctl);
    }
    const mark = deployMark(ctl.rec);
    const left = mark ? mayLandFor(mark, await chainNowRead(this.ctx).catch(() => chainNowEstimate(this.ctx))) : 0; // (only said)
    const auto = this.schedule(ctl);
    const what = `your deployment of channel ${shown(ctl)} (the node stopped or its send failed) is not on chain`;
    const then = auto ? 'the node reads the chain and deploys again by itself if nothing landed' : 'run deposit: it reads the chain first and deploys again only if nothing landed';
    const now = auto ? 'The node deploys the contract with your deposit again (it reads the chain first)' : 'Run deposit to deploy the contract with your deposit again';
    this.ctx.log(left > 0 ? `${what} yet: it may still land in the next ${left} s (the node watches the contract). If it has not by then, ${then}` : `${what}: it did not land. ${now}`, 'warn');
  }

  /** A channel of ours accepted before a stop that came before its deployment's mark: nothing was sent. */
  private owed(ctl: ChannelController): boolean {
    const r = ctl.rec;
    return r.me === 'A' && ctl.life === 'accepted' && r.deployDue === true && r.deploySentAt === undefined && !r.partnerDeclined;
  }

  /** Starts the deployment the acceptance asked for, once a read shows the contract is not there. */
  private async startOwed(ctl: ChannelController): Promise<void> {
    const status = (await this.ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => null))?.status;
    if (!status) return ctl.later(() => void this.startOwed(ctl).catch((e: unknown) => this.ctx.fail(e, ctl)), READ_AGAIN_MS);
    if (!this.owed(ctl) || (await this.n.adoptDeployed(ctl, { status }))) return;
    if (!this.owed(ctl)) return;
    if (status !== 'not_deployed') {
      this.ctx.log(`channel ${shown(ctl)} was accepted but not deployed before the node stopped, and its contract shows ${status}: nothing is deployed`, 'warn');
      return;
    }
    this.ctx.log(`channel ${shown(ctl)}: the node stopped after your partner accepted it and before its deployment was sent: deploying it now`, 'warn');
    await this.n.deploy(ctl);
  }

  private at(ctl: ChannelController, ms: number): void {
    if (this.waiting.has(ctl)) return;
    this.waiting.add(ctl);
    ctl.later(() => {
      this.waiting.delete(ctl);
      void this.check(ctl).catch((e: unknown) => this.ctx.fail(e, ctl));
    }, ms);
  }

  /** Reads the chain once the deployment can no longer land; deploys again if the contract is still not there. */
  private async check(ctl: ChannelController): Promise<void> {
    const since = ctl.rec.deploySentAt;
    if (!this.due(ctl) || since === undefined) return;
    // early by the chain's clock (a local clock step), or marked again meanwhile
    const now = await chainNowRead(this.ctx).catch(() => null);
    if (now === null) return this.at(ctl, READ_AGAIN_MS); // nothing is deployed again before the chain's time is read
    if (mayLandFor(deployMark(ctl.rec), now) > 0) return void this.schedule(ctl);
    if (!this.due(ctl) || ctl.rec.deploySentAt !== since) return;
    const contract = addressText(ctl.rec.contract, 'contract');
    const status = (await this.ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract)).catch(() => null))?.status;
    if (!status) {
      this.ctx.log(`could not read ${contract} to see whether your deployment of that channel landed: nothing is deployed again before a read says; trying again in ${READ_AGAIN_MS / 1000} s`, 'warn');
      return this.at(ctl, READ_AGAIN_MS);
    }
    if (await this.n.adoptDeployed(ctl, { status })) return; // it landed after all: the channel goes on
    // Checked again with no wait before deploy()'s own phase step: a deposit deploying meanwhile is seen.
    if (!this.due(ctl) || ctl.rec.deploySentAt !== since) return;
    if (status !== 'not_deployed') {
      this.ctx.log(`your deployment of channel ${contract} is not seen, and its contract shows ${status}: nothing is deployed again`, 'warn');
      return;
    }
    this.sent.set(ctl, (this.sent.get(ctl) ?? 0) + 1);
    this.ctx.log(`your deployment of channel ${shown(ctl)} did not land and can no longer: deploying the channel contract with your deposit again…`, 'warn');
    await this.n.deploy(ctl);
  }
}
