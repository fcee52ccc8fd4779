// The channel contract's happy paths in @ton/sandbox (real TVM), with exact balance changes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import type { BlockchainTransaction } from '@ton/sandbox';
import { CHANNEL_FEES, ChannelContract, DEPOSIT_FEE } from '../../src/contract/index.js';
import { statesEqual } from '../../src/core/state.js';
import {
  DEP_A, DEP_B, NOW, PERIOD, TOTAL, accountType, balance, costs, expectOk, inValue, makeWorld, netChange, openWorld, outValue, signBoth, st, txOn,
  type World,
} from './helpers.js';

/** Checks a payout transaction: B got exactly balanceB, A got everything else, nothing is left, the account is gone. */
async function checkPayout(w: World, txs: BlockchainTransaction[], before: { contract: bigint; a: bigint; b: bigint }, balanceA: bigint, balanceB: bigint) {
  const ctx = txOn(txs, w.channel.address);
  const toB = outValue(ctx, w.b.address);
  const toA = outValue(ctx, w.a.address);
  assert.equal(toB, balanceB, 'B gets exactly its balance');
  // conservation: what came in (balance + message value) = payouts + fees; nothing stays behind
  assert.equal(toA, before.contract + inValue(ctx) - costs(ctx) - toB, 'A gets all the rest');
  assert.ok(toA >= balanceA, `A gets at least its balance (${toA} >= ${balanceA})`);
  assert.equal(await balance(w, w.channel.address), 0n);
  assert.notEqual(await accountType(w), 'active', 'the contract is destroyed');
  // wallets: measured balances equal what the transactions say, and B's change is exactly balance_b minus its receive fee
  const aNow = await balance(w, w.a.address);
  const bNow = await balance(w, w.b.address);
  assert.equal(aNow - before.a, netChange(txs, w.a.address));
  assert.equal(bNow - before.b, netChange(txs, w.b.address));
  const bReceived = txs.find((t) => t.inMessage?.info.type === 'internal' && t.inMessage.info.dest.equals(w.b.address) && t.inMessage.info.src.equals(w.channel.address));
  if (balanceB > 0n) {
    assert.ok(bReceived, 'B received its payout');
    assert.equal(inValue(bReceived), balanceB);
    if (!txs.some((t) => t.inMessage?.info.type === 'external-in' && t.inMessage.info.dest.equals(w.b.address))) {
      assert.equal(bNow - before.b, balanceB - costs(bReceived), "B's wallet grows by exactly balance_b minus its receive fee");
    }
  } else {
    assert.equal(bReceived, undefined, 'nothing is sent to B');
  }
  const data = await w.channel.getChannelData();
  assert.equal(data.phase, 'closed');
}

describe('channel contract: happy paths', () => {
  test('deploy with A\'s deposit, B deposits, the channel locks (OPEN); balances add up exactly', async () => {
    const w = await makeWorld();
    const a0 = await balance(w, w.a.address);
    const b0 = await balance(w, w.b.address);
    const value = DEP_A + toNano('0.05');
    await assert.rejects(w.channel.getChannelData(), { code: 'NOT_DEPLOYED' });
    const r1 = await w.channel.sendDeploy(w.a.getSender(), { value, deposit: DEP_A });
    const d1 = expectOk(r1, w.channel.address);
    let data = await w.channel.getChannelData();
    assert.equal(data.phase, 'funding');
    assert.equal(data.depositA, DEP_A);
    assert.equal(data.depositB, 0n);
    assert.equal(data.storedState, null);
    assert.equal(data.submitter, null);
    assert.equal(data.deadline, null);
    assert.ok(data.publicKeyA.equals(w.ka.publicKey) && data.publicKeyB.equals(w.kb.publicKey));
    assert.ok(data.addressA.equals(w.a.address) && data.addressB.equals(w.b.address));
    assert.equal(data.channelId, w.config.channelId);
    assert.equal(data.challengePeriod, PERIOD);
    assert.equal(data.expectedDepositA, DEP_A);
    assert.equal(data.expectedDepositB, DEP_B);
    // A paid exactly the value plus its own transaction's costs
    const aTx = r1.transactions.find((t) => t.inMessage?.info.type === 'external-in')!;
    assert.equal((await balance(w, w.a.address)) - a0, -value - costs(aTx));
    // the contract keeps the deposit and the rest of the value minus its own fees as the reserve
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
    assert.equal(reserve, value - DEP_A - costs(d1) + CHANNEL_FEES.deposit - costs(d2));
    assert.ok(reserve > DEPOSIT_FEE, 'a gas reserve stays in the contract');
  });

  test('deposits in parts; the channel locks only when both expected deposits are met', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.b.getSender(), { value: CHANNEL_FEES.deploy }), w.channel.address);
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

  test('refund while funding: the party gets its deposit and the rest of its message value back', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + toNano('0.05'), deposit: DEP_A }), w.channel.address);
    const c0 = await balance(w, w.channel.address);
    const a0 = await balance(w, w.a.address);
    const r = await w.channel.sendRefund(w.a.getSender());
    const ctx = expectOk(r, w.channel.address);
    const refund = outValue(ctx, w.a.address);
    // mode 64: the deposit plus what is left of the message value after the contract's gas
    assert.equal(refund, DEP_A + inValue(ctx) - costs(ctx));
    assert.equal(c0 - (await balance(w, w.channel.address)), DEP_A, 'exactly the deposit leaves the contract');
    assert.ok(refund > DEP_A && refund < DEP_A + CHANNEL_FEES.refund);
    assert.equal((await balance(w, w.a.address)) - a0, netChange(r.transactions, w.a.address));
    assert.equal((await w.channel.getChannelData()).depositA, 0n);
    // and the channel can be funded again
    expectOk(await w.channel.sendDeposit(w.a.getSender(), { amount: DEP_A }), w.channel.address);
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B }), w.channel.address);
    assert.equal((await w.channel.getChannelData()).phase, 'open');
  });

  test('cooperative close pays out at once: B gets exactly balance_b, A the rest, the contract is gone', async () => {
    const w = await openWorld();
    const before = { contract: await balance(w, w.channel.address), a: await balance(w, w.a.address), b: await balance(w, w.b.address) };
    const balA = toNano('1.25');
    const balB = TOTAL - balA;
    const r = await w.channel.sendCooperativeClose(w.a.getSender(), signBoth(w, st(w, 42n, balA, balB, 'close')));
    expectOk(r, w.channel.address);
    await checkPayout(w, r.transactions, before, balA, balB);
  });

  test('cooperative close with everything to A sends one message', async () => {
    const w = await openWorld();
    const before = { contract: await balance(w, w.channel.address), a: await balance(w, w.a.address), b: await balance(w, w.b.address) };
    const r = await w.channel.sendCooperativeClose(w.b.getSender(), signBoth(w, st(w, 1n, TOTAL, 0n, 'close')));
    const ctx = expectOk(r, w.channel.address);
    assert.equal(ctx.outMessages.size, 1);
    await checkPayout(w, r.transactions, before, TOTAL, 0n);
  });

  test('start close, then finish after the window (by anyone)', async () => {
    const w = await openWorld();
    const state = st(w, 9n, toNano('4'), toNano('4'));
    expectOk(await w.channel.sendStartClose(w.b.getSender(), signBoth(w, state)), w.channel.address);
    const data = await w.channel.getChannelData();
    assert.equal(data.phase, 'closing');
    assert.equal(data.submitter, 'B');
    assert.equal(data.deadline, NOW + PERIOD);
    assert.ok(data.storedState && statesEqual(data.storedState, state));
    w.bc.now = NOW + PERIOD;
    const before = { contract: await balance(w, w.channel.address), a: await balance(w, w.a.address), b: await balance(w, w.b.address) };
    const r = await w.channel.sendFinishClose(w.stranger.getSender());
    expectOk(r, w.channel.address);
    await checkPayout(w, r.transactions, before, toNano('4'), toNano('4'));
  });

  test('the stale-state attack: B starts with an old state, A challenges with the newest, payout follows the newest', async () => {
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
    assert.ok(data.storedState && statesEqual(data.storedState, newest));
    w.bc.now = NOW + PERIOD;
    const before = { contract: await balance(w, w.channel.address), a: await balance(w, w.a.address), b: await balance(w, w.b.address) };
    const r = await w.channel.sendFinishClose(w.a.getSender());
    expectOk(r, w.channel.address);
    await checkPayout(w, r.transactions, before, toNano('7'), toNano('1'));
  });

  test('start close, challenge twice, then a cooperative close during the window', async () => {
    const w = await openWorld();
    expectOk(await w.channel.sendStartClose(w.a.getSender(), signBoth(w, st(w, 1n, toNano('5'), toNano('3')))), w.channel.address);
    assert.equal((await w.channel.getChannelData()).submitter, 'A');
    expectOk(await w.channel.sendChallenge(w.b.getSender(), signBoth(w, st(w, 2n, toNano('4'), toNano('4')))), w.channel.address);
    expectOk(await w.channel.sendChallenge(w.stranger.getSender(), signBoth(w, st(w, 5n, toNano('3'), toNano('5')))), w.channel.address);
    assert.equal((await w.channel.getChannelData()).storedState?.step, 5n);
    const before = { contract: await balance(w, w.channel.address), a: await balance(w, w.a.address), b: await balance(w, w.b.address) };
    const r = await w.channel.sendCooperativeClose(w.b.getSender(), signBoth(w, st(w, 6n, toNano('3'), toNano('5'), 'close')));
    expectOk(r, w.channel.address);
    await checkPayout(w, r.transactions, before, toNano('3'), toNano('5'));
  });

  test('an empty message tops up the gas reserve in every live phase', async () => {
    const w = await openWorld();
    const c0 = await balance(w, w.channel.address);
    const r = await w.a.send({ to: w.channel.address, value: toNano('0.1'), bounce: true });
    const ctx = expectOk(r, w.channel.address);
    assert.equal(await balance(w, w.channel.address), c0 + toNano('0.1') - costs(ctx));
    assert.equal((await w.channel.getChannelData()).phase, 'open');
  });

  test('createFromAddress reads the same data', async () => {
    const w = await openWorld();
    const other = w.bc.openContract(ChannelContract.createFromAddress(w.channel.address));
    const x = await other.getChannelData();
    const y = await w.channel.getChannelData();
    assert.ok(x.addressA.equals(y.addressA) && x.addressB.equals(y.addressB));
    assert.deepEqual({ ...x, addressA: null, addressB: null }, { ...y, addressA: null, addressB: null });
  });
});
