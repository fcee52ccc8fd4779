// Storage debt and late deposits: the refund paths when the account owes storage fees, and who pays the storage of
// the time a first deposit waited alone for the second.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import { DEPOSIT_FEE, refundBody } from '../../src/contract/index.js';
import { NOW, balance, balancesBefore, checkPayout, expectOk, makeWorld, refunded, signBoth, st } from './helpers.js';

const YEAR = 365 * 24 * 3600;


describe('channel contract: storage debt and late deposits', () => {
  for (const bounce of [true, false]) {
    test(`both deposits in, never locked, years of storage debt: each refund still succeeds (${bounce ? 'bounceable' : 'non-bounceable: the debt is paid out of it'})`, async () => {
      const dep = toNano('0.001');
      // A's deposit is below its expected one: the channel never locks, both can only refund
      const w = await makeWorld({ expectedDepositA: toNano('1'), expectedDepositB: dep, challengePeriod: 60 });
      expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: dep + DEPOSIT_FEE, deposit: dep }), w.channel.address);
      expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: dep }), w.channel.address);
      w.bc.now = NOW + 4 * YEAR; // the deposits and the reserve are gone, the debt is below the freeze limit
      const c0 = await balance(w, w.channel.address);
      // B leaves first while A's deposit stays (mode 64). Non-bounceable, the credit comes first and pays the debt,
      // and the message value the contract sees is cut to the balance left (so the balance held before it is 0)
      const r = await w.b.send({ to: w.channel.address, value: toNano('0.05'), bounce, body: refundBody() });
      const tx = expectOk(r, w.channel.address);
      const d = tx.description;
      assert.ok(d.type === 'generic' && d.storagePhase && d.actionPhase?.success && d.computePhase.type === 'vm', 'the refund is paid');
      const collected = d.storagePhase.storageFeesCollected;
      assert.ok(collected + (d.storagePhase.storageFeesDue ?? 0n) > c0, 'the account was in debt');
      const out = [...tx.outMessages.values()][0]!;
      assert.ok(out.info.type === 'internal' && out.info.dest.equals(w.b.address));
      const gotB = out.info.value.coins + (d.actionPhase.totalFwdFees ?? 0n) + d.computePhase.gasFees - toNano('0.05');
      assert.equal(gotB, c0 - collected, 'nothing of the deposit is left: B gets its message back less gas, forward fee and the debt it paid');
      assert.equal(await balance(w, w.channel.address), 0n);
      assert.equal((await w.channel.getChannelData()).depositB, 0n);
      // A leaves last (mode 128): all there is, which is only its own message less gas
      assert.equal(await refunded(w, w.a), 0n);
      assert.equal(await balance(w, w.channel.address), 0n);
      assert.equal((await w.channel.getChannelData()).depositA, 0n);
    });
  }

  // KNOWN ISSUE (reported, contract unchanged): storage fees are collected only when a message arrives, so the
  // storage of the months or years A's deposit waited alone is collected from the balance at B's deposit, after
  // which the contract cannot tell whose time it was. A refund then shares that loss by deposit size, so a large
  // late deposit pays nearly all of it (2 years, A 0.02 TON, B 10 TON: B loses about 0.0102 TON, A about 0.00002);
  // after a lock the payout halves it. The promise "only each sender's own money leaves" does not hold for it: these
  // two tests pin how much it costs B (bounded), and fail once a contract version fixes it (then assert B loses none).
  test('KNOWN LIMIT of v4: a late deposit pays part of the storage of the time the first deposit waited alone, at most ~0.011 TON over 2 years', async () => {
    const depA = toNano('0.02');
    const depB = toNano('10');
    const w = await makeWorld({ expectedDepositA: toNano('1'), expectedDepositB: depB, challengePeriod: 60 });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: depA + DEPOSIT_FEE, deposit: depA }), w.channel.address);
    w.bc.now = NOW + 2 * YEAR;
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: depB }), w.channel.address);
    const gotB = await refunded(w, w.b);
    assert.ok(gotB < depB && depB - gotB <= toNano('0.011'), `B's refund right after its deposit: ${gotB} of ${depB}`);
  });

  test('KNOWN LIMIT of v4: a late locking deposit pays half of the storage of the time before it, at most ~0.006 TON over 2 years', async () => {
    const depA = toNano('0.02');
    const depB = toNano('10');
    const w = await makeWorld({ expectedDepositA: depA, expectedDepositB: depB, challengePeriod: 60 });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: depA + DEPOSIT_FEE, deposit: depA }), w.channel.address);
    w.bc.now = NOW + 2 * YEAR;
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: depB }), w.channel.address);
    assert.equal((await w.channel.getChannelData()).phase, 'open');
    const before = await balancesBefore(w);
    const close = signBoth(w, st(w, 0n, depA, depB, 'close'));
    const r = await w.channel.sendCooperativeClose(w.a.getSender(), { ...close, by: 'A' });
    const { shareB } = await checkPayout(w, r.transactions, before, { step: 0n, balanceA: depA, balanceB: depB }, w.a.address, depA + depB);
    assert.ok(shareB < depB && depB - shareB <= toNano('0.006'), `B's share of a close at the deposits right after the lock: ${shareB} of ${depB}`);
  });
});
