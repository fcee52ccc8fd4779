// What the wallet half of every Chain shares with the rest of the chain layer: an account as read, the wallet's
// reserve and message lifetime, an address as shown, and errors as the chain layer types them.
import { beginCell, storeMessage, type Address, type Cell, type Message } from '@ton/core';
import { ChannelContractError } from '../contract/index.js';
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
