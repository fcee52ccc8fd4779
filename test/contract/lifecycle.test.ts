// The channel contract's happy paths in @ton/sandbox (real TVM), with exact balance changes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import { CHANNEL_FEES, ChannelContract, DEPOSIT_FEE, OP_CHANGE } from '../../src/contract/index.js';
import { statesEqual } from '../../src/core/state.js';
import {
  DEP_A, DEP_B, NOW, PERIOD, TOTAL, accountType, balance, balancesBefore, checkPayout, costs, expectOk, inValue, makeWorld, netChange, openWorld,
  outValue, payouts, signBoth, st, tagOf, txOn,
} from './helpers.js';

describe('channel contract: happy paths', () => {
  test("deploy with A's deposit, B deposits, the channel locks (OPEN); balances add up exactly", async () => {
    const w = await makeWorld();
    const a0 = await balance(w, w.a.address);
    const b0 = await balance(w, w.b.address);
    const value = DEP_A + DEPOSIT_FEE;
    assert.equal((await w.channel.getChannelStatus()).status, 'not_deployed');
    await assert.rejects(w.channel.getChannelData(), { code: 'NOT_DEPLOYED' });
    const r1 = await w.channel.sendDeploy(w.a.getSender(), { value, deposit: DEP_A });
    const d1 = expectOk(r1, w.channel.address);
    assert.equal(d1.outMessages.size, 0, 'exactly amount + DEPOSIT_FEE: no excess to send back');
    let data = await w.channel.getChannelData();
    assert.equal(data.phase, 'funding');
    assert.equal(data.depositA, DEP_A);
    assert.equal(data.depositB, 0n);
    assert.equal(data.storedState, null);
    assert.equal(data.submitter, null);
    assert.equal(data.deadline, null);
    assert.equal(data.stepFloor, 0n);
    assert.ok(data.publicKeyA.equals(w.ka.publicKey) && data.publicKeyB.equals(w.kb.publicKey));
    assert.ok(data.addressA.equals(w.a.address) && data.addressB.equals(w.b.address));
    assert.equal(data.channelId, w.config.channelId);
    assert.equal(data.challengePeriod, PERIOD);
    assert.equal(data.expectedDepositA, DEP_A);
    assert.equal(data.expectedDepositB, DEP_B);
    // A paid exactly the value plus its own transaction's costs
    const aTx = r1.transactions.find((t) => t.inMessage?.info.type === 'external-in')!;
    assert.equal((await balance(w, w.a.address)) - a0, -value - costs(aTx));
    // the contract keeps the deposit and the rest of the fee minus its own costs as the reserve
    assert.equal(await balance(w, w.channel.address), value - costs(d1));

    const r2 = await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B });
    const d2 = expectOk(r2, w.channel.address);
    assert.equal(inValue(d2), DEP_B + CHANNEL_FEES.deposit);
    data = await w.channel.getChannelData();
    assert.equal(data.phase, 'open');
    assert.equal(data.depositB, DEP_B);
    assert.equal((await balance(w, w.b.address)) - b0, netChange(r2.transactions, w.b.address));
    assert.equal(netChange(r2.transactions, w.b.address), -(DEP_B + CHANNEL_FEES.deposit) - costs(r2.transactions[0]!));
    const reserve = (await balance(w, w.channel.address)) - TOTAL;
    assert.equal(reserve, 2n * DEPOSIT_FEE - costs(d1) - costs(d2));
    assert.ok(reserve > 0n, 'the deposit fees left a reserve');
  });

  test('deposits in parts; the channel locks only when both expected deposits are met', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.b.getSender(), { value: DEPOSIT_FEE, deposit: 0n }), w.channel.address);
    assert.equal((await w.channel.getChannelData()).phase, 'funding');
    expectOk(await w.channel.sendDeposit(w.a.getSender(), { amount: toNano('2') }), w.channel.address);
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B }), w.channel.address);
    assert.equal((await w.channel.getChannelData()).phase, 'funding');
    expectOk(await w.channel.sendDeposit(w.a.getSender(), { amount: toNano('3') }), w.channel.address);
    const data = await w.channel.getChannelData();
    assert.equal(data.phase, 'open');
    assert.equal(data.depositA, DEP_A);
  });

  test('a receive-only party (expected deposit 0): one deposit locks the channel', async () => {
    const w = await makeWorld({ expectedDepositB: 0n });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + CHANNEL_FEES.deposit, deposit: DEP_A }), w.channel.address);
    assert.equal((await w.channel.getChannelData()).phase, 'open');
  });

  test('refund while funding: the party gets its deposit, the reserve (its deposit was the only one) and the rest of its message value back', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
    const c0 = await balance(w, w.channel.address);
    const a0 = await balance(w, w.a.address);
    const r = await w.channel.sendRefund(w.a.getSender());
    const ctx = expectOk(r, w.channel.address);
    const refund = outValue(ctx, w.a.address);
    // mode 128: all the contract held plus what is left of the message value after the contract's costs
    assert.equal(refund, c0 + inValue(ctx) - costs(ctx));
    assert.equal(await balance(w, w.channel.address), 0n, 'nothing stays on the address');
    assert.ok(refund > DEP_A && refund < DEP_A + DEPOSIT_FEE + CHANNEL_FEES.refund);
    assert.equal((await balance(w, w.a.address)) - a0, netChange(r.transactions, w.a.address));
    assert.equal((await w.channel.getChannelData()).depositA, 0n);
    // and the channel can be funded again
    expectOk(await w.channel.sendDeposit(w.a.getSender(), { amount: DEP_A }), w.channel.address);
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B }), w.channel.address);
    assert.equal((await w.channel.getChannelData()).phase, 'open');
  });

  test('cooperative close from A: B gets exactly its share, A the rest; the account stays CLOSED with the state', async () => {
    const w = await openWorld();
    const before = await balancesBefore(w);
    const balA = toNano('1.25');
    const r = await w.channel.sendCooperativeClose(w.a.getSender(), signBoth(w, st(w, 42n, balA, TOTAL - balA, 'close')));
    expectOk(r, w.channel.address);
    await checkPayout(w, r.transactions, before, { step: 42n, balanceA: balA, balanceB: TOTAL - balA }, w.a.address);
  });

  test('cooperative close from B with everything to A: A gets its balance and half the reserve, B its half', async () => {
    const w = await openWorld();
    const before = await balancesBefore(w);
    const r = await w.channel.sendCooperativeClose(w.b.getSender(), signBoth(w, st(w, 1n, TOTAL, 0n, 'close')));
    const ctx = expectOk(r, w.channel.address);
    const { shareA, shareB } = await checkPayout(w, r.transactions, before, { step: 1n, balanceA: TOTAL, balanceB: 0n }, w.b.address);
    assert.ok(shareA > TOTAL && shareB > 0n && shareB < DEPOSIT_FEE, 'the reserve is split evenly');
    assert.equal(payouts(ctx).count, 2);
  });

  test('cooperative close by a third party: both shares exactly, the third party only its change', async () => {
    const w = await openWorld();
    const before = await balancesBefore(w);
    const r = await w.channel.sendCooperativeClose(w.stranger.getSender(), signBoth(w, st(w, 3n, toNano('6'), toNano('2'), 'close')));
    const ctx = expectOk(r, w.channel.address);
    await checkPayout(w, r.transactions, before, { step: 3n, balanceA: toNano('6'), balanceB: toNano('2') }, w.stranger.address);
    assert.equal(payouts(ctx).count, 3);
  });

  test('start close, then finish after the window (by anyone)', async () => {
    const w = await openWorld();
    const state = st(w, 9n, toNano('4'), toNano('4'));
    const rs = await w.channel.sendStartClose(w.b.getSender(), signBoth(w, state));
    const sctx = expectOk(rs, w.channel.address);
    assert.equal(tagOf([...sctx.outMessages.values()][0]!.body), OP_CHANGE, 'the change goes back to the sender');
    const data = await w.channel.getChannelData();
    assert.equal(data.phase, 'closing');
    assert.equal(data.submitter, 'B');
    assert.equal(data.deadline, NOW + PERIOD);
    assert.equal(data.exit, false);
    assert.equal(data.stepFloor, 10n);
    assert.ok(data.storedState && statesEqual(data.storedState, state));
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const r = await w.channel.sendFinishClose(w.stranger.getSender());
    expectOk(r, w.channel.address);
    await checkPayout(w, r.transactions, before, { step: 9n, balanceA: toNano('4'), balanceB: toNano('4') }, w.stranger.address);
  });

  test('stale close challenged: the deadline does not move, payout follows the newest', async () => {
    const w = await openWorld();
    const old = st(w, 3n, toNano('2'), toNano('6')); // B was richer back then
    const newest = st(w, 11n, toNano('7'), toNano('1'));
    expectOk(await w.channel.sendStartClose(w.b.getSender(), signBoth(w, old)), w.channel.address);
    w.bc.now = NOW + PERIOD - 1; // the last second of the window
    expectOk(await w.channel.sendChallenge(w.a.getSender(), signBoth(w, newest)), w.channel.address);
    const data = await w.channel.getChannelData();
    assert.equal(data.phase, 'closing');
    assert.equal(data.deadline, NOW + PERIOD, 'the deadline does not move');
    assert.equal(data.submitter, 'B');
    assert.equal(data.stepFloor, 12n);
    assert.ok(data.storedState && statesEqual(data.storedState, newest));
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const r = await w.channel.sendFinishClose(w.a.getSender());
    expectOk(r, w.channel.address);
    await checkPayout(w, r.transactions, before, { step: 11n, balanceA: toNano('7'), balanceB: toNano('1') }, w.a.address);
  });

  test('start close, challenge twice, then a cooperative close during the window', async () => {
    const w = await openWorld();
    expectOk(await w.channel.sendStartClose(w.a.getSender(), signBoth(w, st(w, 1n, toNano('5'), toNano('3')))), w.channel.address);
    assert.equal((await w.channel.getChannelData()).submitter, 'A');
    expectOk(await w.channel.sendChallenge(w.b.getSender(), signBoth(w, st(w, 2n, toNano('4'), toNano('4')))), w.channel.address);
    expectOk(await w.channel.sendChallenge(w.stranger.getSender(), signBoth(w, st(w, 5n, toNano('3'), toNano('5')))), w.channel.address);
    assert.equal((await w.channel.getChannelData()).storedState?.step, 5n);
    const before = await balancesBefore(w);
    const r = await w.channel.sendCooperativeClose(w.b.getSender(), signBoth(w, st(w, 6n, toNano('3'), toNano('5'), 'close')));
    expectOk(r, w.channel.address);
    await checkPayout(w, r.transactions, before, { step: 6n, balanceA: toNano('3'), balanceB: toNano('5') }, w.b.address);
  });

  test('a top_up adds to the reserve of a live channel', async () => {
    const w = await openWorld();
    const c0 = await balance(w, w.channel.address);
    const r = await w.channel.sendTopUp(w.a.getSender(), { value: toNano('0.1') });
    const ctx = expectOk(r, w.channel.address);
    assert.equal(await balance(w, w.channel.address), c0 + toNano('0.1') - costs(ctx));
    assert.equal((await w.channel.getChannelData()).phase, 'open');
  });

  test('createFromAddress reads the same data; the state init is never attached after the deploy', async () => {
    const w = await openWorld();
    const other = w.bc.openContract(ChannelContract.createFromAddress(w.channel.address));
    const x = await other.getChannelData();
    const y = await w.channel.getChannelData();
    assert.ok(x.addressA.equals(y.addressA) && x.addressB.equals(y.addressB));
    assert.deepEqual({ ...x, addressA: null, addressB: null }, { ...y, addressA: null, addressB: null });
    const r = await w.channel.sendExit(w.a.getSender());
    assert.equal(txOn(r.transactions, w.channel.address).inMessage?.init ?? null, null);
    assert.equal(await accountType(w), 'active');
  });
});
