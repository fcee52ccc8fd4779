// What the stale-read tests share: two nodes on one SandboxChain, a restart with reads through injected faults.
import { test } from 'node:test';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import type { Wallet } from '../../src/chain/types.js';
import { faultyChain, type FaultyChain } from './faults.js';
import { TON, closePair, connect, fund, latest, openPair, until, type Pair } from './nodes.js';

export const PERIOD = 120;

/** Restarts `who` on the same data folder with its reads going through a faulty chain. */
export async function restartFaulty(p: Pair, who: 'alice' | 'bob'): Promise<FaultyChain> {
  const f = faultyChain(p.chain);
  await p[who].stop();
  p[who] = await createNode({ ...p.common, chain: f.chain, dataDir: join(p.dir, who), key: { keyPair: p.keys[who] } });
  return f;
}

/** Bob passes the turn (step 1), Alice pays 1 TON (step 2, Bob passes back: 3). */
/** Alice proposes 3 / 4 TON to Bob, whose chain now fails every deposit (ENDPOINT_UNREACHABLE): his never goes out. */
export async function proposedWithFailingDeposit(p: Pair): Promise<void> {
  const f = await restartFaulty(p, 'bob');
  await connect(p.alice, p.bob);
  f.inject({ method: 'deposit', error: 'ENDPOINT_UNREACHABLE' });
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
}

/** Alice deploys with her 3 TON; Bob's deposit never goes out: the contract stays funding with hers alone. */
export async function aliceAloneIn(p: Pair): Promise<void> {
  await proposedWithFailingDeposit(p);
  await p.bob.deposit().catch(() => undefined);
  await until('Alice deployed with her deposit', () => p.alice.currentChannel()?.phase === 'funding' && p.alice.currentChannel()?.depositA === TON('3'));
}

/**
 * Alice deploys with her 3 TON; Bob's node never deposits, his wallet puts 1 TON in (the contract stays funding) and
 * takes it back (refund) while Alice's node is down. Alice is left stopped.
 */
export async function bobRefundedWhileAliceDown(p: Pair): Promise<void> {
  const refund = await bobPutOneIn(p);
  await p.alice.stop();
  await refund();
}

/**
 * Alice deploys with her 3 TON; Bob's node never deposits, his wallet puts 1 TON in (the contract stays funding) and
 * Alice's node reads it. Returns Bob's wallet's refund of it.
 */
export async function bobPutOneIn(p: Pair): Promise<() => Promise<void>> {
  await proposedWithFailingDeposit(p);
  await p.bob.deposit().catch(() => undefined);
  await until('Alice deployed', () => p.alice.currentChannel()?.phase === 'funding');
  const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Wallet } } }).ctx.o.wallet;
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  await p.chain.deposit(bobWallet, contract, TON('1'));
  await until("Alice's node read Bob's 1 TON", () => p.alice.currentChannel()?.depositB === TON('1'));
  return async () => void (await p.chain.refund(bobWallet, contract));
}

export async function payOne(p: Pair): Promise<void> {
  const passed = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 1n);
  await p.bob.createEmpty();
  await passed;
  const back = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 3n);
  await p.alice.send(TON('1'));
  await back;
  await until('Bob holds step 3', () => latest(p.bob).step === 3n);
}

/** Alice closes alone and finishes (step 3: A 2 TON, B 5 TON) while Bob is stopped; returns the contract. */
export async function paidOutWhileBobDown(p: Pair): Promise<Address> {
  await fund(p);
  await payOne(p);
  await p.bob.stop();
  await p.alice.withdraw({ mode: 'unilateral' });
  p.chain.advanceTime(PERIOD + 5);
  await until('Alice finished the close', () => p.alice.currentChannel()?.phase === 'closed', 30_000);
  return Address.parse(p.alice.currentChannel()!.contract);
}

/**
 * Alice closes alone at step 3 (A 2 TON, B 5 TON) while Bob is stopped, and 9 refused messages to the closed
 * contract bury the payout beyond the depth of a chain that looks through 4 (8 at start-up): Bob's node is started
 * again on that chain (close it with the pair). Bob never reads the shares.
 */
export async function bobAfterBuriedPayout(p: Pair): Promise<SandboxChain> {
  const contract = await paidOutWhileBobDown(p);
  // Anyone may send the closed contract messages (each refused, each a transaction): 9 bury it beyond 4 and 8.
  for (let i = 0; i < 9; i++) await p.chain.fund(contract, TON('0.001'));
  const shallow = await SandboxChain.create({ blockchain: p.chain.blockchain, payoutDepth: { watch: 4, deep: 8 } });
  p.bob = await createNode({ ...p.common, chain: shallow, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  return shallow;
}

/** A test on two nodes (challenge window PERIOD), stopped at its end. */
export function withPair(name: string, fn: (p: Pair) => Promise<void>): void {
  test(name, async () => {
    const p = await openPair({ challengePeriod: PERIOD });
    try {
      await fn(p);
    } finally {
      await closePair(p);
    }
  });
}
