// Our refund, marked once signed: the contract refuses a second once the first lands (nothing left to refund) and
// the wallet pays its fee, so one whose wait failed (or a restart since) is not sent again while it may land.
import { Address } from '@ton/core';
import type { TxResult } from '../chain/types.js';
import { REFUND_HANDED_OVER_WHY } from '../core/capabilities.js';
import type { NodeContext } from './context.js';
import { reloaded, type ChannelController } from './controller.js';
import { NodeError } from './errors.js';
import { lastRead, marking, onItsWay, unmarked } from './inflight.js';
import { chainNowRead, refundMayLandFor } from './mayland.js';
import type { ProgressOptions } from './types.js';
import { lockSeen } from './payout.js';
import { olderThanSeen } from './seenlt.js';

/** The channels whose refund runs now: a second one (a double click) would bounce off the empty deposit. */
const running = new WeakSet<ChannelController>();

/** Runs `fn`, a person's refund, unless one of this channel runs already (REFUND_UNDER_WAY). */
export async function oneRefund<T>(ctl: ChannelController, fn: () => Promise<T>): Promise<T> {
  if (running.has(ctl)) throw new NodeError('REFUND_UNDER_WAY', 'a refund of this channel is already under way: wait for its result');
  running.add(ctl);
  try {
    return await fn();
  } finally {
    running.delete(ctl);
  }
}

/**
 * Before a refund: refuses while one sent earlier may still land (by the chain's clock, read now); one that can no
 * longer land loses its mark. A failed read of the chain's time throws (the local clock decides nothing here).
 */
export async function refundHeld(ctx: NodeContext, ctl: ChannelController): Promise<void> {
  handedOver(ctl);
  if (!ctl.rec.refundSent || ctl.life !== 'funding') return; // locked or ended: the capability says why not
  const left = refundMayLandFor(ctl.rec, await chainNowRead(ctx));
  if (left > 0) {
    throw new NodeError('REFUND_UNDER_WAY', `your refund sent earlier is not on chain yet and may still land: wait ${left} s (the node follows the contract), then run refund again if your deposit is still in`);
  }
  delete ctl.rec.refundSent;
  await ctl.run(() => ctl.saveRecord()).catch(() => undefined);
}

/**
 * A refund the channel's earlier controller (dropped by an import) has on its way, handed over (standin.ts): refused
 * while it is (it is in no record yet); once answered, its mark (if signed) is this record's.
 */
function handedOver(ctl: ChannelController): void {
  const way = ctl.onWay.refund;
  if (!way || way.by === ctl) return;
  if (!way.ended) throw new NodeError('REFUND_UNDER_WAY', REFUND_HANDED_OVER_WHY);
  ctl.onWay.refund = null;
  if (way.validUntil !== undefined && (ctl.rec.refundSent?.validUntil ?? -1) < way.validUntil) ctl.rec.refundSent = { validUntil: way.validUntil };
}

/**
 * A refund handed over on its way (standin.ts handOver; the capability refuses refund meanwhile): once answered,
 * its mark is this record's, and the views are told (refund is offered again, or says why not).
 */
export function followHandedRefund(to: ChannelController): void {
  const way = to.onWay.refund;
  if (!way || way.by === to || way.ended) return;
  void way.done.then(() => {
    if (to.isStopped) return;
    handedOver(to);
    to.inFlightOver();
  });
}

/**
 * Sends the refund, marked once signed (saved before it leaves); a refund that failed before it could land drops it.
 * Just before it leaves (its wallet may have been busy), a contract that no longer reads funding (the partner's
 * deposit locked it), or that holds no deposit of ours, would refuse it for a wallet fee: nothing is sent. A failed or slow read (lastRead) holds nothing back.
 */
export async function sendRefund(ctx: NodeContext, ctl: ChannelController, opts: ProgressOptions): Promise<TxResult> {
  // Loaded again meanwhile (an import): the channel loaded again did not get it handed over, and decides.
  if (ctl.reloading) throw reloaded();
  if (ctl.isStopped) throw ctl.stoppedError('the node stopped before the refund was sent: nothing was sent; start it again and run refund');
  const contract = Address.parse(ctl.rec.contract);
  // on its way until answered: handed over to the channel loaded again meanwhile (an import), which waits for it
  const { onWay, end } = onItsWay(ctl, 'refund', 0n);
  const mark = marking(ctl, (validUntil) => {
    onWay.validUntil = validUntil;
    ctl.rec.refundSent = { validUntil };
  });
  const beforeSend = async (signed: { validUntil: number }) => {
    const st = await lastRead(ctx, contract, opts.signal);
    // the watch took the lock while the refund waited for its wallet
    if (lockSeen(ctl.life)) throw new NodeError('NOT_FUNDING', 'the channel locked with both deposits while your refund waited: it was not sent (nothing was sent). Wait for the initial state to pay, or leave with the deposits (leave)');
    // a replica behind (the same read again and again): the contract may have locked since what it shows
    if (st && st.status === 'funding' && olderThanSeen(ctx, ctl, st.lt)) {
      throw new NodeError('PENDING', 'the endpoint answered with a state of the contract older than one the node already read (it lags behind the chain; your partner may have deposited since): your refund was not sent (nothing was sent). Run refund again in a minute, or use another endpoint');
    }
    if (st && st.status !== 'funding' && st.status !== 'not_deployed') {
      throw new NodeError('NOT_FUNDING', `the contract reads ${st.status === 'open' ? 'locked with both deposits' : st.status} now, and refunds only while funding: your refund was not sent (nothing was sent). ${st.status === 'open' ? 'Wait for the initial state to pay, or leave with the deposits (leave)' : 'See channels'}`);
    }
    // (a refund of ours the node did not know of, landed: the contract refuses one with nothing to refund)
    if (st?.status === 'funding' && (ctl.rec.me === 'A' ? st.data.depositA : st.data.depositB) === 0n) {
      throw new NodeError('NOTHING_DEPOSITED', 'the contract holds no deposit of yours now (refunded already): your refund was not sent (nothing was sent). See channels');
    }
    await mark(signed);
  };
  const o = { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), beforeSend };
  const unmark = () => {
    delete onWay.validUntil;
    return ctl.rec.refundSent !== undefined && delete ctl.rec.refundSent;
  };
  return ctx.o.chain.refund(ctx.o.wallet, contract, o).catch((e: unknown) => unmarked(ctl, e, unmark)).finally(end);
}
