// A wallet idle for long owes a storage fee that its next transaction pays first: a deposit that the wallet's
// balance covers only before that fee leaves it without what a close or a challenge needs. The funds check leaves
// room for the fee, and the balance says it. Two real nodes on a SandboxChain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, toNano } from '@ton/core';
import { waitForEvent } from '../../src/node/index.js';
import { DEPOSIT_FEES } from '../../src/node/checks.js';
import { depositRoom } from '../../src/node/uiRules.js';
import { TON, closePair, openPair } from '../helpers/nodes.js';

const YEAR = 365 * 86400;

test('a deposit the wallet covers only before its storage fee due is refused before anything is sent', async () => {
  const p = await openPair();
  try {
    const bob = Address.parse(p.bob.getAccount());
    p.chain.advanceTime(10 * YEAR);
    const { storageDue } = await p.chain.getBalanceDue(bob);
    assert.ok(storageDue !== null && storageDue > toNano('0.002'), `a fee is due after ten idle years (${storageDue})`);
    // Bob's wallet holds his deposit and the fees beside it, and less than the fee due beyond that.
    (await p.chain.blockchain.getContract(bob)).balance = TON('4') + DEPOSIT_FEES + storageDue / 2n;
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    const seqno = await p.chain.getSeqno(bob);
    await assert.rejects(p.bob.deposit(), (e: { code?: string; message: string }) => e.code === 'INSUFFICIENT_FUNDS' && /storage fee due/.test(e.message));
    assert.equal(await p.chain.getSeqno(bob), seqno, 'nothing sent');
  } finally {
    await closePair(p);
  }
});

test("the most a wallet can deposit (depositRoom of the node's read, what the deposit prompts offer) is what the node accepts, less the fee due", async () => {
  const p = await openPair();
  try {
    const alice = Address.parse(p.alice.getAccount());
    (await p.chain.blockchain.getContract(alice)).balance = TON('5');
    p.chain.advanceTime(10 * YEAR);
    const read = await p.alice.balanceTonDue();
    assert.ok(read.storageDue !== null && read.storageDue > toNano('0.002'), `a fee is due after ten idle years (${read.storageDue})`);
    const most = depositRoom(read, p.alice.depositFees());
    assert.equal(most, TON('5') - read.storageDue - p.alice.depositFees(), 'the fee due is left out');
    // what the balance less the fees alone would offer is refused; a nanoton over the room too (the fee only grows)
    for (const over of [TON('5') - p.alice.depositFees(), most + 1n]) {
      await assert.rejects(p.alice.open({ myDeposit: over, partnerDeposit: 0n }), (e: { code?: string }) => e.code === 'INSUFFICIENT_FUNDS');
    }
    // the room, less what the fee grows by in the seconds since the read
    const ch = await p.alice.open({ myDeposit: most - 10_000n, partnerDeposit: 0n });
    assert.equal(ch.expectedDepositA, most - 10_000n);
  } finally {
    await closePair(p);
  }
});
