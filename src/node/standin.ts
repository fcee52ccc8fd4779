// A channel an import failed at while it was open or closing, and that did not load again (shown broken, tried
// again later): a stand-in watches its contract and defends it with the latest state both signed that the dropped
// controller held, until the channel loads again. It has no storage and is in no list of channels: it signs
// nothing, sends nothing to the partner, answers no command; the chain is all it acts on.
import { Channel } from '../core/channel.js';
import type { NodeContext } from './context.js';
import { ChannelController } from './controller.js';
import { bindClock } from './mayland.js';
import { handOnWay } from './inflight.js';
import { followHandedRefund } from './refunding.js';
import { shownContract as shown } from './addresses.js';
import { messageOf } from '../core/errors.js';
import type { PayoutView } from './types.js';

export class StandIns {
  private readonly byId = new Map<string, ChannelController>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly arbiter: { watch: (ctl: ChannelController) => void; unwatch: (ctl: ChannelController) => void },
  ) {}

  /** Stands in for `old` (dropped, its channel shown broken) when its contract may need a defense. */
  async start(old: ChannelController): Promise<void> {
    if ((old.life !== 'open' && old.life !== 'closing') || old.rec.legacy || this.byId.has(old.id)) return;
    const rec = { ...old.rec, close: old.rec.close ? { ...old.rec.close } : null };
    const snapshot = { party: rec.me, latest: old.channel.latest, staged: null, closing: old.channel.isClosing, turnRequested: false, partnerWantsTurn: false };
    const s = new ChannelController(rec, null, await Channel.restoreAsync(ChannelController.params(rec), this.ctx.o.key.secretKey, snapshot));
    s.standIn = true;
    s.deadlinePassed = old.deadlinePassed;
    handOnWay(old, s); // the dropped one's challenge or cooperative close past its checks still goes: waited for, not sent again
    bindClock(s, this.ctx);
    this.byId.set(s.id, s);
    this.ctx.log(`channel ${shown(s)} could not be loaded again after the import: until it is, the node watches its contract and challenges a stale close with the latest state both signed it held (step ${s.channel.latest?.state.step ?? '-'})`, 'warn');
    this.arbiter.watch(s);
  }

  /**
   * The channel is loaded again (`into`), or the node stops: its stand-in ends. What it told goes to the channel
   * loaded again, kept in its record (handOver): the payout (not told again; from its record after a restart too:
   * keepTold), the step the close started with and our challenge (a restart tells both). Its challenge or
   * cooperative close on its way goes on: the channel loaded again waits for it rather than send it again.
   */
  end(id: string, into?: ChannelController): void {
    const s = this.byId.get(id);
    if (s) {
      this.byId.delete(id);
      this.arbiter.unwatch(s);
      s.stopWaiting();
      if (into) handOver(s, into);
    }
    if (into) into.payoutTold = into.rec.payoutTold ?? null;
  }

  stop(): void {
    for (const id of [...this.byId.keys()]) this.end(id);
  }
}

/**
 * The payout a stand-in told, added to the record its channel loads later: a restart before that load does not
 * make the loaded channel tell it again (a contract pays out once). Loaded meanwhile, `end` hands it over.
 */
export async function keepTold(ctx: NodeContext, s: ChannelController, payout: PayoutView): Promise<void> {
  const kept = await ctx.data.amendWaitingRecord(s.id, { payoutTold: payout }).catch((e: unknown) => e);
  if (kept instanceof Error) {
    ctx.log(`the payout of channel ${shown(s)} was told, but could not be noted in its record (${messageOf(kept)}): if the node restarts before the channel loads, it tells this payout again (the same one, not a second)`, 'warn');
  }
}

/**
 * What a controller the channel had before (a stand-in, or one an import dropped) knew that the record loaded
 * again may lack (an import's record is older): the close's first step, our challenge, the marks of our sends that
 * may still land (cooperative close, close or exit, finish, refund, deposit, deployment), a payout told. Kept in the record of `to`, the same
 * contract's channel, where it has none (or an older one). Its challenge, cooperative close, refund, close or exit
 * on its way (past its checks, maybe not yet marked in its record) is handed over as ours: `to` waits for it before
 * sending its own (inflight.ts; a refund: refundHeld; a close or exit: leaveHandedOver).
 */
export function handOver(old: ChannelController, to: ChannelController): void {
  const rec = to.rec;
  const from = old.rec;
  if (to.ended || rec.contract !== from.contract) return;
  handOnWay(old, to);
  followHandedRefund(to);
  const onWay = old.onWay.challenge;
  const mine = onWay && (!from.challengeSent || from.challengeSent.step < onWay.step) ? { step: onWay.step } : from.challengeSent;
  const first = from.closeFirst && !rec.closeFirst ? from.closeFirst : undefined;
  const sent = mine && (!rec.challengeSent || rec.challengeSent.step < mine.step) ? mine : undefined;
  const coop = from.coopSent && (!rec.coopSent || rec.coopSent.step < from.coopSent.step || rec.coopSent.validUntil < from.coopSent.validUntil) ? from.coopSent : undefined;
  const finish = from.finishSent && (rec.finishSent?.validUntil ?? -1) < from.finishSent.validUntil ? from.finishSent : undefined;
  // our close or exit not seen on chain by either (the record loaded again reads the chain next)
  const close = from.closeSent?.validUntil !== undefined && !rec.close && (rec.closeSent?.validUntil ?? -1) < from.closeSent.validUntil ? from.closeSent : undefined;
  const refund = from.refundSent && (rec.refundSent?.validUntil ?? -1) < from.refundSent.validUntil ? from.refundSent : undefined;
  const told = from.payout && !rec.payoutTold ? from.payout : undefined;
  // our deposit or deployment that may still land (a second would pay twice, or bounce: a wallet fee)
  const deposit = from.depositPending && (rec.depositPending?.sentAt ?? -1) < from.depositPending.sentAt ? from.depositPending : undefined;
  const deploy = from.deploySentAt !== undefined && (rec.deploySentAt ?? -1) < from.deploySentAt;
  if (!first && !sent && !coop && !finish && !close && !refund && !told && !deposit && !deploy) return;
  if (deposit) rec.depositPending = { ...deposit };
  if (deploy) {
    rec.deploySentAt = from.deploySentAt;
    if (from.deployValidUntil !== undefined) rec.deployValidUntil = from.deployValidUntil;
    else delete rec.deployValidUntil;
    if (from.deployUnsigned) rec.deployUnsigned = true;
    else delete rec.deployUnsigned;
  }
  if (first) rec.closeFirst = { ...first };
  if (sent) rec.challengeSent = { ...sent };
  if (coop) rec.coopSent = { ...coop };
  if (finish) rec.finishSent = { ...finish };
  if (close) rec.closeSent = { ...close };
  if (refund) rec.refundSent = { ...refund }; // cleared once the chain shows no deposit of ours
  if (told) rec.payoutTold = told;
  void to.saveRecord().catch(() => undefined); // not saved: only a restart's telling of the close misses them
}
