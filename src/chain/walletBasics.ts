// What the wallet half of every Chain shares with the rest of the chain layer: an account as read, the wallet's
// reserve and message lifetime, an address as shown, errors as the chain layer types them, and the check of a
// contract's transaction.
import { beginCell, storeMessage, type Address, type Cell, type Message, type Transaction } from '@ton/core';
import { ChannelContractError, exitCodeMessage, exitCodeName } from '../contract/index.js';
import type { TxResult } from './types.js';
import { ChainError } from './errors.js';

export interface AccountInfo {
  state: 'active' | 'uninit' | 'frozen' | 'nonexist';
  balance: bigint;
  /** The contract's data cell when active. */
  data: Cell | null;
  /** The logical time of the account's last transaction (0 when it has none, or the backend does not say). */
  lastLt: bigint;
  /** The chain time this read shows the account at (an endpoint's sync time), when the backend says it. */
  at?: number;
  /** The storage fee (its debt included) its next transaction takes first, by the chain's time now, when the backend says it. */
  storageDue?: bigint;
}

/** What the wallet keeps back for its own fees when we check funds before sending. */
export const WALLET_FEE_RESERVE = 20_000_000n; // 0.02 TON
/** How long a signed wallet message stays valid (chain seconds). */
export const WALLET_MESSAGE_TTL = 120;

export function friendly(address: Address): string {
  return address.toString({ testOnly: true, bounceable: false });
}

export function toChainError(e: unknown): Error {
  if (e instanceof ChainError) return e;
  if (e instanceof ChannelContractError) {
    return new ChainError(e.code === 'NOT_DEPLOYED' ? 'NOT_DEPLOYED' : 'BAD_INPUT', e.message, { cause: e });
  }
  return e as Error;
}

/** Serialised message hash, e.g. for logs. */
export function messageHash(m: Message): Buffer {
  return beginCell().store(storeMessage(m)).endCell().hash();
}

/** The contract's transaction of our message: success, or a typed error with the exit code and what it means. */
export async function checkContractTx(tx: Transaction, what: string, target: Address, reason: () => Promise<string | null>): Promise<Pick<TxResult, 'hash' | 'lt' | 'exitCode' | 'gasUsed'>> {
  const d = tx.description;
  if (d.type !== 'generic') throw new ChainError('CONTRACT_REJECTED', `unexpected ${d.type} transaction on the channel contract for ${what}`);
  if (d.computePhase.type === 'skipped') {
    throw new ChainError(
      'NOT_DEPLOYED',
      `there is no channel contract at ${friendly(target)} (${d.computePhase.reason}): it is not deployed yet (or frozen by unpaid storage fees); the coins came back to the wallet`,
      { address: friendly(target) },
    );
  }
  if (!d.computePhase.success) {
    const code = d.computePhase.exitCode;
    const name = exitCodeName(code);
    const why = (await reason().catch(() => null)) ?? exitCodeMessage(code);
    throw new ChainError('CONTRACT_REJECTED', `the channel contract rejected ${what}${name ? ` (${name}, exit code ${code})` : ` (exit code ${code})`}: ${why}`, {
      exitCode: code,
    });
  }
  if (d.actionPhase && !d.actionPhase.success) {
    const code = d.actionPhase.resultCode;
    throw new ChainError('CONTRACT_REJECTED', `the channel contract could not send its messages for ${what} (action phase result ${code}): ${exitCodeMessage(code)}`, {
      exitCode: code,
    });
  }
  return { hash: tx.hash().toString('hex'), lt: tx.lt, exitCode: d.computePhase.exitCode, gasUsed: d.computePhase.gasUsed };
}

/** How far a replica's chain time may lag the newest read (s); a read further behind says the newest was wrong. */
const REPLICA_BEHIND_S = 15 * 60;

/**
 * The newest chain time an endpoint answered, moved on by the time since it was read: a replica behind lags it.
 * One answer far ahead is not kept: a later read further behind it than a replica lags drops it (else every
 * later wallet message would stay "may land" that much longer).
 */
export class NewestTime {
  private seen: { t: number; at: number } | null = null;

  read(t: number): void {
    const newest = this.now();
    if (newest === null || t >= newest || newest - t > REPLICA_BEHIND_S) this.seen = { t, at: performance.now() };
  }

  /** The newest time seen as of now, and at least `t`. */
  atLeast(t: number): number {
    return Math.max(t, this.now() ?? t);
  }

  private now(): number | null {
    return this.seen && this.seen.t + Math.floor((performance.now() - this.seen.at) / 1000);
  }
}
