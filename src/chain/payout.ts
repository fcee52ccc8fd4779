// Reading what a closed channel paid: its one successful cooperative_close or finish_close transaction, whose
// messages carry the tags payA, payB and chng (contracts/channel.tlb). Never guessed: not found is null.
import type { Address, Cell, Transaction } from '@ton/core';
import { OP_CHANGE, OP_COOPERATIVE_CLOSE, OP_FINISH_CLOSE, OP_PAID_A, OP_PAID_B, type ClosedRecord } from '../contract/index.js';
import type { Payout, PayoutBuried, PayoutNoHistory } from './types.js';

export interface TxCursor {
  lt: bigint;
  hash: Buffer;
}

/** One page of an account's transactions, newest first, strictly older than `before` (or the newest). */
export type TxPage = (address: Address, limit: number, before: TxCursor | null) => Promise<Transaction[]>;

function opOf(body: Cell): number | null {
  const s = body.beginParse();
  return s.remainingBits >= 32 ? s.preloadUint(32) : null;
}

/** The channel's payout: a successful cooperative_close or finish_close (after it, the channel refuses everything). */
export function isPayoutTx(tx: Transaction): boolean {
  const d = tx.description;
  if (d.type !== 'generic' || d.aborted || d.computePhase.type !== 'vm' || !d.computePhase.success) return false;
  if (d.actionPhase && !d.actionPhase.success) return false;
  if (tx.inMessage?.info.type !== 'internal') return false;
  const op = opOf(tx.inMessage.body);
  return op === OP_COOPERATIVE_CLOSE || op === OP_FINISH_CLOSE;
}

/**
 * The payout of a payout transaction. A party that did not send the message got one tagged share (payA or
 * payB); the sender got the rest (chng): when only B's share is tagged, the sender was A, and the other way
 * round; when both are, a third party sent it and its change is nobody's payout. The sender's share is what
 * the contract held less the other's share: the rest of the change is its own message coming back. The whole
 * balance leaves (sent + fees + forward fees = balance + message value), so from the transaction alone:
 * share = change + fees + forward fees - message value - storage fee.
 */
export function payoutFromTx(tx: Transaction, record: ClosedRecord): Payout {
  let paidA = 0n;
  let paidB = 0n;
  let change = 0n;
  let toA = false;
  let toB = false;
  for (const m of tx.outMessages.values()) {
    if (m.info.type !== 'internal') continue;
    const op = opOf(m.body);
    if (op === OP_PAID_A) {
      paidA += m.info.value.coins;
      toA = true;
    } else if (op === OP_PAID_B) {
      paidB += m.info.value.coins;
      toB = true;
    } else if (op === OP_CHANGE) {
      change += m.info.value.coins;
    }
  }
  const closer = toB && !toA ? 'A' : toA && !toB ? 'B' : null;
  let changeBack = 0n;
  if (closer) {
    const share = clamp(change + costsOf(tx) - inValueOf(tx) - storageFeeOf(tx), 0n, change);
    changeBack = change - share;
    if (closer === 'A') paidA += share;
    else paidB += share;
  }
  return { step: record.step, stateBalanceA: record.balanceA, stateBalanceB: record.balanceB, paidA, paidB, closer, changeBack, txHash: tx.hash().toString('hex'), lt: tx.lt };
}

function clamp(x: bigint, lo: bigint, hi: bigint): bigint {
  return x < lo ? lo : x > hi ? hi : x;
}

function inValueOf(tx: Transaction): bigint {
  return tx.inMessage?.info.type === 'internal' ? tx.inMessage.info.value.coins : 0n;
}

/** What the transaction took besides the values it sent: its fees and the forward fees of its messages. */
function costsOf(tx: Transaction): bigint {
  let fwd = 0n;
  for (const m of tx.outMessages.values()) if (m.info.type === 'internal') fwd += m.info.forwardFee;
  return tx.totalFees.coins + fwd;
}

function storageFeeOf(tx: Transaction): bigint {
  const d = tx.description;
  return d.type === 'generic' && d.storagePhase ? d.storagePhase.storageFeesCollected : 0n;
}

/**
 * Looks for the payout transaction among the newest `depth` transactions (pages of 20 at most), newest first.
 * null: the account's history ended, at its first transaction, without it (not shown yet); buried: more transactions
 * than `depth` came after it, or (`incomplete`) the endpoint's history ended early, before the account's first
 * transaction (it keeps no older ones: the payout, older than what it gives, is not coming from it); noHistory: no
 * transaction at all (a closed contract has some: the endpoint's history is behind its state, or it keeps none).
 */
export async function findPayout(page: TxPage, channel: Address, record: ClosedRecord, depth: number): Promise<Payout | PayoutBuried | PayoutNoHistory | null> {
  const pageSize = Math.max(1, Math.min(20, depth));
  let before: TxCursor | null = null;
  let previous: Transaction | null = null;
  for (let seen = 0; seen < depth; ) {
    const txs = await page(channel, Math.min(pageSize, depth - seen), before);
    for (const tx of txs) if (isPayoutTx(tx)) return payoutFromTx(tx, record);
    const last: Transaction | null = txs.at(-1) ?? previous;
    if (!last) return { noHistory: true };
    if (txs.length < Math.min(pageSize, depth - seen)) {
      // a short page ends the history: at the account's first transaction (none before it), or early at this endpoint
      return last.prevTransactionLt === 0n ? null : { buried: true, record, depth: seen + txs.length, incomplete: true };
    }
    previous = last;
    seen += txs.length;
    before = { lt: last.lt, hash: last.hash() };
  }
  return { buried: true, record, depth };
}
