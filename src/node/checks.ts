// The checks made before a channel is proposed, accepted or funded: the challenge period, this wallet's funds, the
// contract address, and that the proposer's wallet is on this node's chain. Each throws what to do.
import { Address } from '@ton/core';
import { addressText } from '../core/format.js';
import { WALLET_FEE_RESERVE } from '../chain/index.js';
import { CHANNEL_FEES, DEPOSIT_FEE } from '../contract/layout.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { NodeError } from './errors.js';
import { MAX_PERIOD, minChallengePeriod } from './policy.js';
import { fundsShort } from './uiRules.js';

/** Throws unless `period` (s) is within this node's minimum and the contract's maximum. */
export function checkPeriod(ctx: NodeContext, period: number, who: 'you' | 'partner'): void {
  const min = minChallengePeriod(ctx.o);
  const whose = who === 'you' ? 'the challenge period' : 'your partner proposes a challenge period of';
  if (Number.isInteger(period) && period > MAX_PERIOD) {
    throw new NodeError('PERIOD_TOO_LONG', `${whose} ${period} s is over the contract's limit of ${MAX_PERIOD} s (365 days): ${who === 'you' ? 'use --period with a shorter window' : 'ask your partner for a shorter window'}`);
  }
  if (!Number.isInteger(period) || period < min) {
    throw new NodeError(
      'PERIOD_TOO_SHORT',
      `${whose} ${period} s is outside ${min}..${MAX_PERIOD} s on ${ctx.o.network}: a stale close would be final before a watcher could act. ${who === 'you' ? 'Use --period with a longer window' : 'Ask your partner for a longer window'}`,
    );
  }
}

/**
 * What a wallet keeps after a deposit to leave alone: a close or a challenge, then the finish. Each carries
 * CHANNEL_FEES.close with the wallet's own reserve beside it; the first costs at most about 0.01 TON (0.05 TON). A wallet
 * that deposited all it could held 0.003 TON after it: it could not close, and a stale close of its partner stood.
 */
export const EXIT_RESERVE = CHANNEL_FEES.close + WALLET_FEE_RESERVE + 10_000_000n;

/** What a wallet holds beyond a deposit: the contract's DEPOSIT_FEE, the wallet's own fee reserve, and EXIT_RESERVE (0.08 TON). */
export const DEPOSIT_FEES = DEPOSIT_FEE + WALLET_FEE_RESERVE + EXIT_RESERVE;

/**
 * What `side` needs in its wallet beyond `deposit` to open a channel (the node's depositFees). A deploys even with
 * nothing in it, and a deposit is a message: DEPOSIT_FEES. B depositing nothing sends nothing, yet pays a close or a
 * challenge and the finish to keep what it receives: EXIT_RESERVE.
 */
export function openingFees(side?: 'A' | 'B', deposit?: bigint): bigint {
  return side === 'B' && deposit === 0n ? EXIT_RESERVE : DEPOSIT_FEES;
}

/**
 * Throws INSUFFICIENT_FUNDS unless the wallet holds `deposit` plus what `side` needs beside it (openingFees), beyond
 * the storage fee its next transaction pays first (as far as `dueCounted` counts it): the deposit's room (depositRoom).
 */
export async function checkFunds(ctx: NodeContext, side: 'A' | 'B', deposit: bigint, what: string): Promise<void> {
  const read = await ctx.o.chain.getBalanceDue(ctx.myAddress);
  ctx.walletRead(read);
  const short = fundsShort(read, openingFees(side, deposit), deposit, addressText(ctx.myAddress, 'wallet'), what, ctx.o.network);
  if (short) throw new NodeError('INSUFFICIENT_FUNDS', short);
}

/**
 * A channel that paid out keeps its address (its account stays, refusing everything), and its old states
 * would count again in a new contract there: never fund an address the chain shows was used.
 */
export async function checkAddressUnused(ctx: NodeContext, ctl: ChannelController): Promise<string> {
  const st = await ctx.o.chain.getChannelStatus(Address.parse(ctl.rec.contract));
  if (st.status === 'closed' || st.status === 'frozen' || st.status === 'closing' || st.status === 'open') {
    throw new NodeError('BAD_CONTRACT', `the contract address of this proposal (${addressText(ctl.rec.contract, 'contract')}) was used by a channel before (${st.status}): its old states could count again. Ask your partner for a new proposal`);
  }
  return st.status;
}

/**
 * B: the proposer pays the deployment from its wallet, so the wallet holds coins on this node's chain. An empty one
 * means the nodes run on different chains (one forgot --chain, or each runs its own sandbox): an acceptance would
 * have A deploy and lock its deposit where this node never sees it.
 */
export async function checkSameChain(ctx: NodeContext, ctl: ChannelController): Promise<void> {
  if ((await ctx.o.chain.getBalance(Address.parse(ctl.rec.addressA))) > 0n) return;
  throw new NodeError('PARTNER_OTHER_CHAIN', `your partner's wallet ${addressText(ctl.rec.addressA, 'wallet')} holds nothing on ${ctx.o.network}: their node runs on another chain than yours (both must use the same --chain, and the same devnet), or their wallet is empty and cannot deploy the contract. Nothing was accepted: check with your partner, then deposit again`);
}
