// What a channel's person may do now: the core's capabilities, from the controller's machines and record, with
// what only the node knows (a send that may still land, a journal that could not be written).
import { capabilities, type Capabilities } from '../core/capabilities.js';
import type { ChannelController } from './controller.js';
import { movesMoney } from './controller.js';
import { journalRefusal } from './journalfail.js';
import { inFlightOf } from './mayland.js';

/**
 * `chainJudges`: for deposit and decline, which read the chain themselves for a message that may still land and
 * for a partner's refund (the estimate of the chain's time, or a record behind the chain, could refuse wrongly);
 * the views take it all. `oursWaits`: for withdraw and exit, which wait for our close or exit on its way (inflight.ts).
 */
export interface ActionOptions {
  chainJudges?: boolean;
  oursWaits?: boolean;
}

export function actionsOf(ctl: ChannelController, o: ActionOptions): Capabilities {
  const ch = ctl.channel;
  const rec = ctl.rec;
  const me = rec.me;
  const latest = ch.latestState;
  const can = capabilities({
    me,
    life: rec.life,
    off: { phase: ch.phase, turn: ch.turn, stagedBy: ch.stagedBy, latestStep: latest?.step ?? null, latestTag: latest?.tag ?? null, stagedMoves: movesMoney(ch.pending?.state, latest), myBalance: ch.myBalance },
    expectedMine: me === 'A' ? rec.expectedDepositA : rec.expectedDepositB,
    depositedMine: me === 'A' ? rec.depositA : rec.depositB,
    bothIn: rec.depositA >= rec.expectedDepositA && rec.depositB >= rec.expectedDepositB,
    ...(o.chainJudges ? {} : inFlightOf(ctl)),
    ...(o.oursWaits ? { leaveOnWay: null } : {}),
    depositRunning: ctl.depositing,
    deadlinePassed: ctl.deadlinePassed,
    deadline: rec.close?.deadline ?? null,
    restorePending: rec.restorePending,
    restored: rec.restored === true,
    partnerDeclined: rec.partnerDeclined === true,
    partnerRefunded: !o.chainJudges && me === 'B' && rec.expectedDepositA > 0n && rec.depositA === 0n,
    otherWallet: ctl.otherWallet,
  });
  // a journal that cannot be written: no state is signed until it is (closes still go, from memory)
  const no = journalRefusal(ctl.journal, latest?.step ?? null);
  return no ? { ...can, send: no, createEmpty: no, requestEmpty: no, sign: no } : can;
}
