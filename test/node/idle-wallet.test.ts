// A wallet that kept only what the node keeps beside a deposit, idle for years, pays its storage fees first when it
// next sends: the challenge it sends may then carry more than is left. The node says the wallet is short (with what
// to do), not that it "sent nothing" for no reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, toNano } from '@ton/core';
import { waitForEvent } from '../../src/node/index.js';
import { DEPOSIT_FEES } from '../../src/node/checks.js';
import { TON, closePair, fund, latest, openPair, until } from '../helpers/nodes.js';

const YEAR = 365 * 86400;

test("a challenge from a wallet that storage fees left short is INSUFFICIENT_FUNDS, saying the fees were taken first", async () => {
  const p = await openPair({ challengePeriod: 3600 });
  try {
    await fund(p);
    await p.bob.createEmpty();
    await until('Alice holds the turn', () => latest(p.alice).step === 1n);
    await p.alice.send(TON('1'));
    await until('Bob has step 2', () => latest(p.bob).step >= 2n);
    // what a wallet that deposited all it could keeps: DEPOSIT_FEES less the deposit's fee and its wallet fee
    const wallet = await p.chain.blockchain.getContract(Address.parse(p.bob.getAccount()));
    wallet.balance = DEPOSIT_FEES - toNano('0.013');
    p.chain.advanceTime(6 * YEAR);
    const failed = waitForEvent(p.bob, 'challengeFailed', () => true, 60_000);
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    const e = await failed;
    assert.equal(e.code, 'INSUFFICIENT_FUNDS', e.message);
    assert.match(e.message, /could not pay for .*storage fees of [\d.]+ TON for the time it was idle were taken from it first/);
  } finally {
    await closePair(p);
  }
});
