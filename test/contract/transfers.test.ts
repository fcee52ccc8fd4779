// TON sent to the channel outside a deposit (contract v3). A plain transfer, what a wallet app sends to an
// address, was a top-up in v2: it joined the reserve and was split evenly at the payout, so a party that "added
// funds" gave half to its partner, and while funding it could not leave until the channel locked. Now it goes
// back to its sender in every phase (less its gas and forward fee); only an explicit top_up feeds the reserve.
// A refund under storage fees: the first to leave took its whole deposit and the other bore the loss; the
// deposits now share it by size.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, toNano, type Cell } from '@ton/core';
import type { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { DEPOSIT_FEE, OP_CHANGE } from '../../src/contract/index.js';
import { NOW, PERIOD, balance, checkPayout, balancesBefore, expectOk, makeWorld, openWorld, payouts, refunded, storageFee, tagOf, txOn, type World } from './helpers.js';

const SENT = toNano('3');
const FEES = toNano('0.01'); // what a returned transfer may lose: the contract's gas and the forward fee

/** Sends `SENT` from `from` with `body` (none: an empty body); checks that it came back to `from` as change. */
async function sendsBack(w: World, from: SandboxContract<TreasuryContract>, opts: { bounce: boolean; body?: Cell }): Promise<void> {
  const c0 = await balance(w, w.channel.address);
  const r = await from.send({ to: w.channel.address, value: SENT, bounce: opts.bounce, body: opts.body });
  const tx = expectOk(r, w.channel.address);
  const back = [...tx.outMessages.values()];
  assert.equal(back.length, 1, 'one message: the transfer back');
  const m = back[0]!;
  assert.ok(m.info.type === 'internal' && m.info.dest.equals(from.address), 'back to its sender');
  assert.equal(tagOf(m.body), OP_CHANGE);
  assert.ok(m.info.value.coins > SENT - FEES, `nearly all of it: ${m.info.value.coins}`);
  assert.equal(await balance(w, w.channel.address), c0 - storageFee(tx), 'the channel keeps none of it');
}

describe('channel contract: plain transfers and top-ups', () => {
  test('a plain transfer from a party goes back to it while funding, open and closing, bounceable or not', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: w.config.expectedDepositA + DEPOSIT_FEE, deposit: w.config.expectedDepositA }), w.channel.address);
    await sendsBack(w, w.a, { bounce: true });
    await sendsBack(w, w.b, { bounce: false });
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: w.config.expectedDepositB }), w.channel.address);
    assert.equal((await w.channel.getChannelStatus()).status, 'open');
    await sendsBack(w, w.a, { bounce: false });
    expectOk(await w.channel.sendExit(w.a.getSender()), w.channel.address);
    await sendsBack(w, w.b, { bounce: true });
  });

  test('a text comment and a stranger\'s transfer go back too', async () => {
    const w = await openWorld();
    await sendsBack(w, w.a, { bounce: false, body: beginCell().storeUint(0, 32).storeStringTail('top up my side').endCell() });
    await sendsBack(w, w.stranger, { bounce: true });
    await sendsBack(w, w.stranger, { bounce: false, body: beginCell().storeUint(0, 32).endCell() });
  });

  test('after a party sent TON to the contract, the payout is the same as without it', async () => {
    const w = await openWorld();
    await sendsBack(w, w.a, { bounce: false });
    expectOk(await w.channel.sendExit(w.a.getSender()), w.channel.address);
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const r = await w.channel.sendFinishClose(w.a.getSender());
    const { shareB } = await checkPayout(w, r.transactions, before, { step: null, balanceA: w.config.expectedDepositA, balanceB: w.config.expectedDepositB }, w.a.address);
    // B's share is its deposit and half of what the deposits' fees left in the reserve: never a part of the 3 TON
    assert.ok(shareB >= w.config.expectedDepositB && shareB < w.config.expectedDepositB + DEPOSIT_FEE, `B's share ${shareB}`);
  });

  test('a closed channel sends a plain transfer back and bounces a top_up', async () => {
    const w = await openWorld();
    expectOk(await w.channel.sendExit(w.b.getSender()), w.channel.address);
    w.bc.now = NOW + PERIOD;
    expectOk(await w.channel.sendFinishClose(w.b.getSender()), w.channel.address);
    assert.equal((await w.channel.getChannelStatus()).status, 'closed');
    await sendsBack(w, w.a, { bounce: false });
    const r = await w.channel.sendTopUp(w.a.getSender(), { value: toNano('0.05') });
    const tx = txOn(r.transactions, w.channel.address);
    assert.ok(tx.description.type === 'generic' && tx.description.aborted, 'refused');
    assert.equal(await balance(w, w.channel.address), 0n, 'nothing stays on the closed address');
  });

  test('a top_up joins the reserve and is split evenly at the payout', async () => {
    const w = await openWorld();
    const c0 = await balance(w, w.channel.address);
    const r = await w.channel.sendTopUp(w.stranger.getSender(), { value: toNano('1') });
    const tx = expectOk(r, w.channel.address);
    assert.equal(tx.outMessages.size, 0);
    assert.equal(await balance(w, w.channel.address), c0 + toNano('1') - tx.totalFees.coins);
    expectOk(await w.channel.sendExit(w.a.getSender()), w.channel.address);
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const f = await w.channel.sendFinishClose(w.stranger.getSender());
    const { shareA, shareB } = await checkPayout(w, f.transactions, before, { step: null, balanceA: w.config.expectedDepositA, balanceB: w.config.expectedDepositB }, w.stranger.address);
    assert.ok(shareB - w.config.expectedDepositB >= toNano('0.5'), 'half of the top-up to B');
    assert.ok(shareA - w.config.expectedDepositA >= toNano('0.5'), 'half of the top-up to A');
    assert.equal(payouts(txOn(f.transactions, w.channel.address)).count, 3);
  });

  test('refunds under storage fees: the deposits share the loss by size, whoever leaves first', async () => {
    const depA = toNano('0.02');
    const depB = toNano('0.01');
    const w = await makeWorld({ expectedDepositA: depA * 2n, expectedDepositB: depB * 2n, challengePeriod: 60 });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: depA + DEPOSIT_FEE, deposit: depA }), w.channel.address);
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: depB }), w.channel.address);
    w.bc.now = NOW + 3 * 365 * 24 * 3600; // the reserve is gone and part of the deposits
    const gotB = await refunded(w, w.b);
    const gotA = await refunded(w, w.a);
    assert.ok(gotB < depB && gotA < depA, `both bore a loss: A ${gotA} of ${depA}, B ${gotB} of ${depB}`);
    // by size: A's loss is about twice B's (the second refund also pays the storage of its own transaction)
    const lossA = depA - gotA;
    const lossB = depB - gotB;
    assert.ok(lossA >= 2n * lossB - 2n && lossA <= 2n * lossB + toNano('0.0001'), `losses A ${lossA}, B ${lossB}`);
    assert.equal((await w.channel.getChannelData()).depositA, 0n);
  });
});
