// The lifecycle's driver: a channel's life event saved with its record, then the effects the lifecycle machine
// asks for (core/lifecycle.ts), each started without blocking the caller.
import type { LifeEffect, LifeEventType } from '../core/lifecycle.js';
import type { Arbiter } from './arbiter.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import type { Negotiation } from './negotiation.js';
import type { Payments } from './payments.js';
import { landedAfterDecline, sendReject } from './decline.js';
import { lockSeen } from './payout.js';
import { sendAccept, sendDeployed } from './unacked.js';

/**
 * The effects that guard money already in a contract, or tell the partner it is deployed (its deposit waits for it,
 * and no later read tells it again), and need no record on disk to run.
 */
const GUARDS: readonly LifeEffect[] = ['watch', 'defend', 'finish', 'offerExit', 'sendDeployed'];

export class Effects {
  constructor(
    private readonly ctx: NodeContext,
    private readonly negotiation: Negotiation,
    private readonly payments: Payments,
    private readonly arbiter: Arbiter,
  ) {}

  async transition(ctl: ChannelController, event: LifeEventType): Promise<void> {
    const { ctx } = this;
    const was = ctl.life;
    const { changed, effects } = ctl.step(event);
    if (was === 'accepted' && ctl.life === 'funding' && ctl.rec.me === 'B') ctx.emit({ type: 'channelDeployed', channel: ctx.view(ctl) });
    // Opened by a state both signed before a read here showed the lock (a resync brought step 0): the lock is told
    // here, once, with its time (a lock read is told by the arbiter's onLocked; B's read as A's initial state comes,
    // by payments.ts lockRead).
    if (event !== 'locked' && !lockSeen(was) && ctl.life === 'open') {
      ctl.rec.lockedAt ??= Date.now();
      ctx.emit({ type: 'channelLocked', channel: ctx.view(ctl) });
    }
    if (ctl.life === 'closing' || ctl.life === 'closed') this.payments.coalescer.closing(ctl);
    if (ctl.life === 'closed') {
      delete ctl.rec.closeSent; // paid out: no close or challenge of ours can land any more
      delete ctl.rec.challengeSent;
      delete ctl.rec.coopSent;
      delete ctl.rec.finishSent;
      delete ctl.rec.refundSent;
    }
    // Our decline is owed to the partner until acknowledged, saved with the decline itself.
    if (effects.includes('sendReject')) ctl.rec.rejectedHere = true;
    if (effects.includes('sendReject') && ctl.storage) ctl.rec.rejectOwed = { reason: ctl.rejectReason ?? 'declined', since: Date.now() };
    if (changed || effects.length) {
      try {
        await ctl.saveRecord();
      } catch (e) {
        // What the chain did needs an answer that writes nothing (a restart reads the chain again): the record's
        // failure (a full disk) is reported, the defense of the money goes on.
        for (const effect of effects) if (GUARDS.includes(effect)) this.perform(ctl, effect);
        throw e;
      }
      ctx.changed(ctl);
    }
    if ((was === 'accepted' || was === 'deploying') && ctl.life === 'funding' && ctl.rec.me === 'A' && ctl.rec.partnerDeclined) landedAfterDecline(ctx, ctl);
    for (const effect of effects) this.perform(ctl, effect);
  }

  /** Effects never block the caller: long ones (deploy, challenge) run on their own and report failures. */
  private perform(ctl: ChannelController, effect: LifeEffect): void {
    const { ctx } = this;
    const bg = (p: Promise<unknown>) => void p.catch((e) => ctx.fail(e, ctl));
    const r = ctl.rec;
    switch (effect) {
      case 'sendAccept':
        return sendAccept(ctx, ctl);
      case 'sendReject':
        return bg(sendReject(ctx, ctl));
      case 'deploy':
        return bg(this.negotiation.deploy(ctl));
      case 'sendDeployed':
        return sendDeployed(ctx, ctl);
      case 'watch':
        return this.arbiter.watch(ctl);
      case 'proposeInitial':
        return bg(this.payments.proposeInitial(ctl));
      case 'askInitial':
        return this.payments.askInitial(ctl);
      case 'offerExit':
        return ctx.emit({ type: 'exitOffered', channel: ctx.view(ctl), waitedSeconds: Math.round((Date.now() - (r.lockedAt ?? Date.now())) / 1000) });
      case 'defend':
        return bg(this.arbiter.defend(ctl));
      case 'finish':
        return bg(this.arbiter.finishDue(ctl));
      case 'stopWatch':
        return this.arbiter.unwatch(ctl);
    }
  }
}
