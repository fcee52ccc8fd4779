// A party that deposits the most its node allows can still leave alone and defend its money: the node kept only
// the deposit's own fees, so the wallet was left with less than a close, a challenge or a finish needs (a stale close
// stood, and a withdraw failed INSUFFICIENT_FUNDS with the money locked). Real nodes on a SandboxChain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { waitForEvent } from '../../src/node/index.js';
import { TON, closePair, latest, openPair, until, type Pair } from '../helpers/nodes.js';

const PERIOD = 60;

/** Both wallets hold exactly their deposit plus what the node says a deposit needs beside it; then the channel opens. */
async function fundToTheMax(p: Pair): Promise<void> {
  for (const [who, deposit] of [['alice', TON('3')], ['bob', TON('4')]] as const) {
    (await p.chain.blockchain.getContract(Address.parse(p[who].getAccount()))).balance = deposit + p[who].depositFees();
  }
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const locked = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 0n, 60_000);
  await p.bob.deposit();
  await locked;
}

test('after the largest deposits, a stale close is challenged and the defender finishes the close alone', { timeout: 180_000 }, async () => {
  const p = await openPair({ challengePeriod: PERIOD });
  try {
    await fundToTheMax(p);
    // Alice, who closes with a stale state, has coins for it; Bob's wallet holds what the node left him
    (await p.chain.blockchain.getContract(Address.parse(p.alice.getAccount()))).balance += TON('1');
    await p.bob.createEmpty();
    await until('step 1', () => latest(p.alice).step === 1n);
    await p.alice.send(TON('2'), { waitMs: 15_000 });
    await until('step 3 at Bob', () => latest(p.bob).step === 3n);
    const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 60_000);
    const failed: string[] = [];
    p.bob.on((e) => void (e.type === 'challengeFailed' && failed.push(`${e.code}: ${e.message}`)));
    await p.alice.withdraw({ mode: 'unilateral', step: 1n, confirmStale: true });
    await challenged;
    assert.deepEqual(failed, []);
    await p.alice.stop(); // Bob finishes alone
    const closed = waitForEvent(p.bob, 'closed', () => true, 60_000);
    p.chain.advanceTime(PERIOD + 1);
    const e = await closed;
    assert.deepEqual([e.payout.step, e.payout.matchesLatest], [3n, true]);
  } finally {
    await closePair(p);
  }
});

test('after the largest deposits, the deployer (left with the least) closes alone with its partner away', { timeout: 180_000 }, async () => {
  const p = await openPair({ challengePeriod: PERIOD });
  try {
    await fundToTheMax(p);
    await p.bob.stop();
    const closing = waitForEvent(p.alice, 'closeStarted', () => true, 60_000);
    await p.alice.withdraw({ mode: 'unilateral' });
    await closing;
    const closed = waitForEvent(p.alice, 'closed', () => true, 60_000);
    p.chain.advanceTime(PERIOD + 1);
    assert.equal((await closed).payout.step, 0n);
  } finally {
    await closePair(p);
  }
});
