// Paying a deposit into a funding contract (deposit() once the contract is deployed): how much the contract still
// expects, marked in the record before it leaves, and never sent twice while an earlier one may still land.
import { Address } from '@ton/core';
import { formatTon } from '../core/amounts.js';
import { codeOf, messageOf } from '../core/errors.js';
import { addressText } from '../core/format.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { crashPoint } from './crash.js';
import { NodeError, stoppedAfter } from './errors.js';
import { chainNowRead, mayLandFor } from './mayland.js';
import { depositExact } from './uiRules.js';
import type { ChannelView, ProgressOptions } from './types.js';

/**
 * Chain errors of a transfer that never left or never can land (the wallet's funds or state, the input; a TIMEOUT
 * before it left or once it expired unprocessed; a stop before it left), when they do not say `sent`.
 */
const NOT_SENT: ReadonlySet<string> = new Set(['INSUFFICIENT_FUNDS', 'WALLET_REJECTED', 'BAD_INPUT', 'UNKNOWN_WALLET', 'TIMEOUT', 'CANCELLED']);

/**
 * Whether a failed transfer surely never left (nothing of it can land): the chain says it failed before leaving, or
 * its code says so. An endpoint that did not answer the send itself may have taken it.
 */
export function neverSent(e: unknown): boolean {
  const { code, sent, unsent } = e as { code?: string; sent?: boolean; unsent?: boolean };
  return unsent === true || (code !== undefined && NOT_SENT.has(code) && !sent);
}

/** A deposit held back because its record could not note it (a full disk): said with the store's code. */
function notSentUnsaved(e: unknown): unknown {
  return new NodeError(codeOf(e), `${messageOf(e)}: nothing was deposited (a deposit goes only once its record notes it, so that a restart never sends it twice); deposit again once it can be saved`, { cause: e });
}

/** Pays this node's deposit (`amount`, or what the contract still expects) into the funding contract. */
export async function payDeposit(ctx: NodeContext, ctl: ChannelController, amount: bigint | undefined, opts: ProgressOptions, refresh: () => Promise<void>): Promise<ChannelView> {
  const rec = ctl.rec;
  const expected = rec.me === 'A' ? rec.expectedDepositA : rec.expectedDepositB;
  const data = await ctx.o.chain.getChannelData(Address.parse(rec.contract));
  const have = rec.me === 'A' ? (data?.depositA ?? 0n) : (data?.depositB ?? 0n);
  const missing = expected - have;
  // B: A's deployment carried A's deposit, so a funding contract without it means A took it back. A deposit of
  // ours would wait there for a lock that needs A to deposit again (and cost a refund's fees to get back).
  if (rec.me === 'B' && data && rec.expectedDepositA > 0n && data.depositA === 0n && missing > 0n) {
    throw new NodeError('PARTNER_REFUNDED', `your partner took their deposit back from ${addressText(rec.contract, 'contract')}: nothing was deposited. Decline the channel (decline), or wait until they deposit again`);
  }
  if (missing <= 0n) {
    opts.onProgress?.('your deposit is already in');
    return ctx.view(ctl);
  }
  // A deposit of ours not seen yet (its send failed without saying whether it went out) may still land: a
  // second would pay twice. The mark is in the record, so a restart keeps the rule.
  // Judged by the chain's clock (mayland.ts): a step of the local clock neither shortens nor stretches the wait.
  const pending = rec.depositPending;
  const left = pending && pending.total > have ? mayLandFor(pending, await chainNowRead(ctx)) : 0;
  if (left > 0) {
    throw new NodeError('DEPOSIT_UNDER_WAY', `your deposit sent earlier is not on chain yet and may still land: wait ${left} s (the node follows the contract), then run deposit again if it has not`);
  }
  // The amount typed is what is paid, never replaced: A may top up in parts, B pays what the proposal says.
  const toPay = amount ?? missing;
  if (toPay > missing) throw new NodeError('DEPOSIT_TOO_LARGE', `the contract expects ${formatTon(missing)} TON more from you; deposit that amount`);
  if (toPay <= 0n || (depositExact(rec.life, rec.me) && toPay !== missing)) {
    throw new NodeError('DEPOSIT_MISMATCH', `the contract expects ${formatTon(missing)} TON from you: run \`deposit ${formatTon(missing)}\` (or \`deposit\` with no amount)`);
  }
  // Marked before it leaves, in the same step as the phase check: a decline never ends a channel a deposit of this
  // node may still land in. Saved once the message is signed (a stop or a crash before leaves nothing to wait for).
  // The mark stays on any failure but one before the message left (a send whose answer was lost may land).
  if (ctl.life !== 'funding') throw new NodeError('INVALID_TRANSITION', `the channel is ${ctl.life} now: nothing was deposited`);
  // An earlier mark here can no longer land (checked above): this one counts from what the contract holds.
  const earlier = rec.depositPending;
  rec.depositPending = { sentAt: Date.now(), total: have + toPay };
  opts.onProgress?.(`depositing ${formatTon(toPay)} TON to ${addressText(rec.contract, 'contract')}…`);
  // The mark could not be saved (a full disk, the stop): the signed message was not sent.
  let unmarked: unknown = null;
  try {
    // The mark's time is the message's, once signed: the send may wait its turn for the wallet first.
    const beforeSend = async ({ validUntil }: { validUntil: number }) => {
      if (rec.depositPending) Object.assign(rec.depositPending, { sentAt: Date.now(), validUntil });
      await ctl.run(() => ctl.saveRecord()).catch((e: unknown) => {
        throw (unmarked = e);
      });
      crashPoint('deposit-marked');
    };
    const onProgress = (m: string) => {
      opts.onProgress?.(m);
      if (/^waiting for the channel contract/.test(m)) crashPoint('during-deposit');
    };
    await ctx.o.chain.deposit(ctx.o.wallet, Address.parse(rec.contract), toPay, { ...(opts.signal ? { signal: opts.signal } : {}), onProgress, beforeSend });
  } catch (e) {
    if (e === unmarked || neverSent(e)) {
      // Refused before it left: nothing of it can land (the earlier mark, if any, stands).
      if (earlier) rec.depositPending = earlier;
      else delete rec.depositPending;
      await ctl.run(() => ctl.saveRecord()).catch(() => undefined);
    }
    if (e === unmarked && !ctl.isStopped) throw notSentUnsaved(e);
    throw e;
  }
  ctx.send(ctl, { type: 'deposit', contract: rec.contract, party: rec.me, amount: toPay });
  // Stopped or loaded again meanwhile (an import): the deposit went all the same, and is said so (sent).
  await refresh().catch((e: unknown) => {
    throw stoppedAfter(e, `your deposit of ${formatTon(toPay)} TON went to the contract: the channel shows it once the node reads it there`);
  });
  return ctx.view(ctl);
}
