// A wallet send's parts: the wallet's secret, the signed transfer, the send's hooks, and the verdict on a wallet that sent nothing.
import type { Address, Cell, Message, Transaction } from '@ton/core';
import { formatTon } from '../core/amounts.js';
import { ChainError } from './errors.js';
import { friendly, WALLET_FEE_RESERVE } from './walletBasics.js';
import type { WalletContractInfo } from './wallets.js';
import type { OpOptions } from './types.js';

export interface WalletSecret {
  secretKey: Buffer;
  info: WalletContractInfo;
}

export interface SignedTransfer {
  ext: Message;
  body: Cell;
  seqno: number;
  validUntil: number;
  /** the wallet's last transaction before this one (0: none or unknown) */
  afterLt: bigint;
  /** TON the message carries to the contract */
  value: bigint;
  /** the wallet's balance as read to sign it */
  balance: bigint;
}

/** A send's progress lines, its caller's mark, and whether its message started to leave. */
export interface SendHooks {
  progress: (m: string) => void;
  beforeSend: OpOptions['beforeSend'];
  leaving: boolean;
}

/**
 * The wallet's transaction for `t` sent no message to the contract: why (its funds, or storage fees taken first), as
 * the error to throw. `hint` says how to fund the wallet.
 */
export function sentNothing(walletTx: Transaction, what: string, address: Address, t: SignedTransfer, hint: () => string): ChainError {
  const d = walletTx.description;
  const code = d.type === 'generic' ? d.actionPhase?.resultCode : undefined;
  // A wallet idle for long pays its storage fees first: what was left may not cover the message (a v5 wallet
  // then sends nothing with result 0, its errors ignored). The funds check read the balance before them.
  const storage = d.type === 'generic' ? (d.storagePhase?.storageFeesCollected ?? 0n) : 0n;
  const storageShort = storage > 0n && t.balance - storage < t.value + WALLET_FEE_RESERVE;
  if (code === 37 || code === 38 || storageShort) {
    const took = storageShort ? `; storage fees of ${formatTon(storage)} TON for the time it was idle were taken from it first` : '';
    return new ChainError('INSUFFICIENT_FUNDS', `wallet ${friendly(address)} could not pay for ${what}${code ? ` (action phase ${code})` : ''}${took}: ${hint()}`, {
      address: friendly(address),
      exitCode: code,
    });
  }
  return new ChainError('WALLET_REJECTED', `the wallet processed the message but sent nothing for ${what}${code !== undefined ? ` (action phase result ${code})` : ''}: check its balance and retry`, {
    exitCode: code,
  });
}
