// Storage fees never block the payout (the audit: they were paid by A's share alone, so after years B's payout
// could fail in the action phase, and a small channel froze). The reserve pays them; past it, the deposits
// share the loss evenly; a debt is paid by the payout message; a frozen channel is unfrozen with its state init.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cell, toNano } from '@ton/core';
import { DEPOSIT_FEE } from '../../src/contract/index.js';
import { NOW, balance, balancesBefore, checkPayout, expectOk, makeWorld, storageFee, txOn, v2World, type World } from './helpers.js';

const YEAR = 365 * 24 * 3600;

async function openSmall(deposit: bigint): Promise<World> {
  const w = await makeWorld({ expectedDepositA: deposit, expectedDepositB: deposit, challengePeriod: 60 });
  expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: deposit + DEPOSIT_FEE, deposit }), w.channel.address);
  expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: deposit }), w.channel.address);
  return w;
}

async function dataOf(w: World): Promise<Cell> {
  const st = (await w.bc.getContract(w.channel.address)).accountState;
  assert.ok(st?.type === 'active' && st.state.data);
  return st.state.data;
}

describe('channel contract: storage fees', () => {
  test('years after the reserve ran out the payout still succeeds: the loss is shared evenly', async () => {
    const deposit = toNano('0.1');
    const w = await openSmall(deposit);
    expectOk(await w.channel.sendExit(w.a.getSender()), w.channel.address);
    w.bc.now = NOW + 5 * YEAR;
    const before = await balancesBefore(w);
    const r = await w.channel.sendFinishClose(w.b.getSender());
    const ctx = expectOk(r, w.channel.address);
    assert.ok(ctx.description.type === 'generic' && ctx.description.actionPhase?.success, 'the action phase succeeds');
    const b0 = before.contract - storageFee(ctx);
    assert.ok(b0 < 2n * deposit, `storage ate into the deposits: ${b0} left of ${2n * deposit}`);
    const { shareA, shareB } = await checkPayout(w, r.transactions, before, { step: null, balanceA: deposit, balanceB: deposit }, w.b.address);
    assert.ok(shareA > 0n && shareB > 0n && shareA + shareB === b0);
    assert.ok(shareA - shareB <= 1n && shareB - shareA <= 1n, 'an even split of the loss');
  });

  test('with everything eaten and a storage debt, the payout still succeeds: shares of 0, the sender gets its change', async () => {
    const deposit = toNano('0.001');
    const w = await openSmall(deposit);
    expectOk(await w.channel.sendExit(w.a.getSender()), w.channel.address);
    w.bc.now = NOW + 4 * YEAR; // the balance is gone and the debt is still below the freeze limit
    const before = await balancesBefore(w);
    const r = await w.channel.sendFinishClose(w.a.getSender());
    const ctx = expectOk(r, w.channel.address);
    const d = ctx.description;
    assert.ok(d.type === 'generic' && (d.storagePhase?.storageFeesDue ?? 0n) > 0n, 'the account was in debt');
    assert.ok(d.type === 'generic' && d.actionPhase?.success, 'the action phase succeeds');
    const { shareA, shareB } = await checkPayout(w, r.transactions, before, { step: null, balanceA: deposit, balanceB: deposit }, w.a.address);
    assert.equal(shareA + shareB, 0n);
  });

  test('years in FUNDING: a refund never fails, it returns what storage left of the deposit', async () => {
    const deposit = toNano('0.02');
    const w = await makeWorld({ expectedDepositA: deposit, expectedDepositB: deposit, challengePeriod: 60 });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: deposit + DEPOSIT_FEE, deposit }), w.channel.address);
    w.bc.now = NOW + 2 * YEAR; // the reserve is gone and part of the deposit
    const c0 = await balance(w, w.channel.address);
    const r = await w.channel.sendRefund(w.a.getSender());
    const ctx = expectOk(r, w.channel.address);
    const held = c0 - storageFee(ctx);
    assert.ok(held > 0n && held < deposit, `storage ate into the deposit: ${held} left`);
    assert.ok(ctx.description.type === 'generic' && ctx.description.actionPhase?.success);
    assert.equal(await balance(w, w.channel.address), 0n, 'all that was left went back');
    assert.equal((await w.channel.getChannelData()).depositA, 0n);
  });

  test('a top-up (from anyone) feeds the reserve; a channel frozen by storage fees is unfrozen with its state init and pays out', async () => {
    const deposit = toNano('0.01');
    const w = await openSmall(deposit);
    const c0 = await balance(w, w.channel.address);
    const top = await w.channel.sendTopUp(w.stranger.getSender(), { value: toNano('0.05') });
    assert.equal(await balance(w, w.channel.address), c0 + toNano('0.05') - txOn(top.transactions, w.channel.address).totalFees.coins);
    const frozenData = await dataOf(w);
    w.bc.now = NOW + 30 * YEAR;
    // the next message's storage phase freezes the account (debt above freeze_due_limit); it bounces
    const r = await w.channel.sendExit(w.a.getSender());
    const tx = txOn(r.transactions, w.channel.address);
    assert.equal(tx.endStatus, 'frozen');
    assert.equal((await w.channel.getChannelStatus()).status, 'frozen');
    // unfreeze: the state init of the frozen state, and enough to pay the debt
    const u = await w.channel.sendUnfreeze(w.stranger.getSender(), { value: toNano('1'), data: frozenData });
    assert.equal(txOn(u.transactions, w.channel.address).endStatus, 'active');
    assert.equal((await w.channel.getChannelStatus()).status, 'open');
    expectOk(await w.channel.sendExit(w.a.getSender()), w.channel.address);
    w.bc.now = (w.bc.now ?? 0) + 60;
    expectOk(await w.channel.sendFinishClose(w.b.getSender()), w.channel.address);
    assert.equal((await w.channel.getChannelStatus()).status, 'closed');
  });

  test('a channel on contract v2 (no top_up op) is topped up and unfrozen with an empty body when the wrapper is told its version', async () => {
    const deposit = toNano('0.01');
    const w = await v2World({ expectedDepositA: deposit, expectedDepositB: deposit, challengePeriod: 60 });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: deposit + DEPOSIT_FEE, deposit }), w.channel.address);
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: deposit }), w.channel.address);
    const c0 = await balance(w, w.channel.address);
    const top = expectOk(await w.channel.sendTopUp(w.stranger.getSender(), { value: toNano('0.05'), version: 2 }), w.channel.address);
    assert.equal(await balance(w, w.channel.address), c0 + toNano('0.05') - top.totalFees.coins);
    const frozenData = await dataOf(w);
    w.bc.now = NOW + 30 * YEAR;
    await w.channel.sendExit(w.a.getSender());
    assert.equal((await w.channel.getChannelStatus()).status, 'frozen');
    const u = await w.channel.sendUnfreeze(w.stranger.getSender(), { value: toNano('1'), data: frozenData, version: 2 });
    const tx = expectOk(u, w.channel.address);
    assert.equal(tx.endStatus, 'active');
    assert.equal((await w.channel.getChannelStatus()).status, 'open');
  });

  test('sendUnfreeze sends only to a channel frozen with that very state: to a live or closed one its value would stay there (not bounceable)', async () => {
    const deposit = toNano('0.01');
    const w = await openSmall(deposit);
    const data = await dataOf(w);
    // closed: a top_up is refused and, not bounceable, its value would stay on the closed address for ever
    expectOk(await w.channel.sendExit(w.a.getSender()), w.channel.address);
    w.bc.now = NOW + 60;
    expectOk(await w.channel.sendFinishClose(w.b.getSender()), w.channel.address);
    const s0 = await balance(w, w.stranger.address);
    await assert.rejects(w.channel.sendUnfreeze(w.stranger.getSender(), { value: toNano('1'), data }), { code: 'NOT_FROZEN' });
    assert.equal(await balance(w, w.channel.address), 0n, 'nothing was sent to the closed address');
    assert.equal(await balance(w, w.stranger.address), s0);
    // frozen, but with another state than the one given: refused before sending
    const f = await openSmall(deposit);
    const frozenData = await dataOf(f);
    f.bc.now = NOW + 30 * YEAR;
    await f.channel.sendExit(f.a.getSender());
    assert.equal((await f.channel.getChannelStatus()).status, 'frozen');
    await assert.rejects(f.channel.sendUnfreeze(f.stranger.getSender(), { value: toNano('1'), data: Cell.EMPTY }), { code: 'NOT_FROZEN' });
    const u = await f.channel.sendUnfreeze(f.stranger.getSender(), { value: toNano('1'), data: frozenData });
    assert.equal(txOn(u.transactions, f.channel.address).endStatus, 'active');
  });
});
