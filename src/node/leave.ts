// Our close or exit (closing.ts): waited for while an earlier one of ours may still land (handed over by an import,
// or marked before a restart), read for a close of the partner's just before it leaves, and marked on its way.
import { Address } from '@ton/core';
import type { NodeContext } from './context.js';
import { reloaded, type ChannelController } from './controller.js';
import { NodeError } from './errors.js';
import { lastRead, leaveHandedOver, marking, onItsWay, unmarked, whileMayLand, type OnWay } from './inflight.js';
import type { ProgressOptions } from './types.js';
import { chainNowRead } from './mayland.js';
import { crashPoint } from './crash.js';

/**
 * Before our close or exit is sent: waits while one of ours sent before (a restart since), or our cooperative
 * close, may still land, as the contract refuses a close once one lands (a wallet fee). True when the contract
 * showed a close meanwhile, or paid out.
 */
export async function earlierMayLand(ctx: NodeContext, ctl: ChannelController, opts: ProgressOptions): Promise<boolean> {
  await leaveHandedOver(ctx, ctl, opts);
  // the later of the two marks (closeSent is dropped once the contract shows a close)
  const later = () => ((ctl.rec.closeSent?.validUntil ?? -1) < (ctl.rec.coopSent?.validUntil ?? -1) ? ctl.rec.coopSent : ctl.rec.closeSent);
  const { closeSent: sent, coopSent: coop } = ctl.rec;
  const what = coop && later() === coop ? `your cooperative close with step ${coop.step}` : sent?.step === null ? 'your exit' : `your close with step ${sent?.step}`;
  return whileMayLand(ctx, ctl, {
    mark: later,
    deadline: () => null,
    done: () => ctl.life !== 'open' && ctl.life !== 'locked',
    text: (hold) => `${what} sent before may still land (for up to ${hold} s): it is not sent again until the contract shows it or it can no longer land`,
    stopped: 'the node stopped before the close was sent: start it again and withdraw',
  }, opts);
}

/**
 * Just before our close (step; null: an exit) leaves, once signed (its wallet may have been busy): a contract that
 * reads closing or paid out already would refuse it for a wallet fee (a partner's close since the watch's last
 * poll), so nothing is sent; a failed or slow read (lastRead) holds nothing back. Otherwise its mark, the wallet message's expiry, is
 * saved before it leaves.
 */
function leaving(ctx: NodeContext, ctl: ChannelController, onWay: OnWay, step: bigint | null, signal: AbortSignal | undefined) {
  const mark = marking(ctl, (validUntil) => {
    onWay.validUntil = validUntil;
    ctl.rec.closeSent = { step, validUntil };
  });
  const what = step === null ? 'your exit' : `your close with step ${step}`;
  return async (signed: { validUntil: number }) => {
    const st = await lastRead(ctx, Address.parse(ctl.rec.contract), signal);
    if (st?.status === 'closed') throw new NodeError('ALREADY_CLOSED', `the contract has paid out already: ${what} was not sent (nothing was sent); the node shows the payout once it reads it`);
    if (st?.status === 'closing') throw new NodeError('ALREADY_CLOSING', `a close is already on chain, which this node reads at its next look at the contract: ${what} was not sent (nothing was sent). The node challenges that close if a later state pays you more, and finishes it after the challenge window`);
    await mark(signed);
    crashPoint('close-marked');
  };
}

/**
 * Sends our close (step; null: an exit) with `send`, on its way until answered: handed over to the channel an
 * import loads again meanwhile, which waits for it (leaveHandedOver). Marked before it is sent (a challenge may
 * land before our first read of it, even across a restart; a record that cannot be written keeps no one in) and
 * once signed; a refused one cannot land: its mark goes (else it stays, the chain decides). Loaded again: not sent.
 */
export async function sendLeave(ctx: NodeContext, ctl: ChannelController, step: bigint | null, signal: AbortSignal | undefined, send: (beforeSend: (signed: { validUntil: number }) => Promise<void>) => Promise<unknown>): Promise<void> {
  if (ctl.reloading) throw reloaded();
  ctl.rec.closeSent = { step };
  await ctl.run(() => ctl.saveRecord()).catch(() => undefined);
  const { onWay, end } = onItsWay(ctl, 'leave', step ?? -1n);
  ctl.inFlightOver(); // the views: withdraw and exit are not offered meanwhile
  const unmark = () => {
    delete onWay.validUntil;
    return ctl.rec.closeSent !== undefined && delete ctl.rec.closeSent;
  };
  await send(leaving(ctx, ctl, onWay, step, signal))
    .catch((e: unknown) => unmarked(ctl, e, unmark))
    .finally(() => {
      end();
      ctl.inFlightOver();
      // kept, it is judged by the chain's clock estimated from the skew last measured (a devnet's advanceTime since
      // would keep it "may land" for as long): measured again, the views are told its time left
      if (ctl.rec.closeSent?.validUntil !== undefined) void chainNowRead(ctx).then(() => ctl.inFlightOver(), () => undefined);
    });
}

/** Whether the close on chain is ours with `step` (null: our exit). */
export function ours(ctl: ChannelController, step: bigint | null): boolean {
  return ctl.rec.close?.submitter === ctl.rec.me && ctl.rec.close.step === step;
}
