// Only the agreed balances and each sender's own money leave: excess and change go back to their sender,
// and over a whole channel nobody ends up with the other's money beyond its own fees (the audit: every
// leftover went to A; after a cooperative close A was 0.019 TON up on B's money; a cheating A that was
// challenged ended better off while honest B paid 0.06-0.09 TON).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import { DEPOSIT_FEE, OP_CHANGE } from '../../src/contract/index.js';
import { DEP_A, DEP_B, NOW, PERIOD, TOTAL, balance, expectOk, inValue, makeWorld, netChange, signBoth, st, storageFee, tagOf, txOn, type World } from './helpers.js';

const FEES = toNano('0.03'); // a party's own fees over a whole channel (deploy with the code, deposit fee, gas) stay below this

async function wallets(w: World) {
  return { a: await balance(w, w.a.address), b: await balance(w, w.b.address), s: await balance(w, w.stranger.address) };
}

async function open(w: World) {
  expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
  expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B }), w.channel.address);
}

describe('channel contract: money', () => {
  test('a deposit above amount + DEPOSIT_FEE sends the excess back to its sender', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
    const c0 = await balance(w, w.channel.address);
    const r = await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B, value: DEP_B + DEPOSIT_FEE + toNano('0.5') });
    const ctx = expectOk(r, w.channel.address);
    const back = [...ctx.outMessages.values()][0]!;
    assert.ok(back.info.type === 'internal' && back.info.dest.equals(w.b.address));
    assert.equal(tagOf(back.body), OP_CHANGE);
    const d = ctx.description;
    assert.ok(d.type === 'generic' && d.computePhase.type === 'vm' && d.actionPhase);
    assert.equal(back.info.value.coins + (d.actionPhase.totalFwdFees ?? 0n), toNano('0.5'), 'the excess, less its own forward fee');
    const kept = DEP_B + DEPOSIT_FEE - storageFee(ctx) - d.computePhase.gasFees;
    assert.equal((await balance(w, w.channel.address)) - c0, kept, 'the contract keeps amount + fee - its gas');
  });

  test('start_close, exit and challenge send the change back to the sender, a third party included', async () => {
    const w = await makeWorld();
    await open(w);
    const check = async (label: string, r: { transactions: Parameters<typeof txOn>[0] }, before: bigint) => {
      const ctx = txOn(r.transactions, w.channel.address);
      assert.equal(await balance(w, w.channel.address), before - storageFee(ctx), `${label}: the contract keeps nothing of the value`);
      const back = [...ctx.outMessages.values()][0]!;
      assert.ok(back.info.type === 'internal' && back.info.value.coins > inValue(ctx) - toNano('0.01'), `${label}: the change comes back`);
    };
    let c = await balance(w, w.channel.address);
    await check('start_close', await w.channel.sendStartClose(w.a.getSender(), { ...signBoth(w, st(w, 1n, DEP_A, DEP_B)), value: toNano('1') }), c);
    c = await balance(w, w.channel.address);
    const s0 = await balance(w, w.stranger.address);
    const r = await w.channel.sendChallenge(w.stranger.getSender(), { ...signBoth(w, st(w, 2n, DEP_A, DEP_B)), value: toNano('1') });
    await check('challenge by a third party', r, c);
    const spent = s0 - (await balance(w, w.stranger.address));
    assert.equal(-spent, netChange(r.transactions, w.stranger.address));
    assert.ok(spent < toNano('0.01'), `the challenger pays only its own gas: ${spent}`);
    const w2 = await makeWorld({ channelId: 5n });
    await open(w2);
    c = await balance(w2, w2.channel.address);
    const e = await w2.channel.sendExit(w2.b.getSender(), { value: toNano('1') });
    const ectx = txOn(e.transactions, w2.channel.address);
    assert.equal(await balance(w2, w2.channel.address), c - storageFee(ectx));
  });

  test('a whole channel closed cooperatively: each party ends with exactly its balance change minus its own fees', async () => {
    const w = await makeWorld();
    const w0 = await wallets(w);
    await open(w);
    const balA = toNano('2');
    const balB = TOTAL - balA;
    expectOk(await w.channel.sendCooperativeClose(w.a.getSender(), signBoth(w, st(w, 5n, balA, balB, 'close'))), w.channel.address);
    const w1 = await wallets(w);
    const netA = w1.a - w0.a;
    const netB = w1.b - w0.b;
    // nobody gains anything beyond its balance change; nobody loses more than its own fees
    assert.ok(netA <= balA - DEP_A && netA > balA - DEP_A - FEES, `A: ${netA} vs ${balA - DEP_A}`);
    assert.ok(netB <= balB - DEP_B && netB > balB - DEP_B - FEES, `B: ${netB} vs ${balB - DEP_B}`);
    assert.equal(await balance(w, w.channel.address), 0n);
  });

  test('a stale close by A, challenged by B: cheating A gains nothing, honest B pays only its own gas', async () => {
    const w = await makeWorld();
    const w0 = await wallets(w);
    await open(w);
    const stale = st(w, 3n, toNano('7'), toNano('1')); // A was richer at step 3
    const latest = st(w, 8n, toNano('2'), toNano('6'));
    expectOk(await w.channel.sendStartClose(w.a.getSender(), signBoth(w, stale)), w.channel.address);
    const bBefore = await balance(w, w.b.address);
    expectOk(await w.channel.sendChallenge(w.b.getSender(), signBoth(w, latest)), w.channel.address);
    const challengeCost = bBefore - (await balance(w, w.b.address));
    assert.ok(challengeCost > 0n && challengeCost < toNano('0.01'), `B's challenge cost ${challengeCost}`);
    w.bc.now = NOW + PERIOD;
    expectOk(await w.channel.sendFinishClose(w.a.getSender()), w.channel.address);
    const w1 = await wallets(w);
    const netA = w1.a - w0.a;
    const netB = w1.b - w0.b;
    assert.ok(netA <= toNano('2') - DEP_A, `cheating A: ${netA}`);
    assert.ok(netB <= toNano('6') - DEP_B && netB > toNano('6') - DEP_B - FEES, `honest B: ${netB}`);
    assert.equal(await balance(w, w.channel.address), 0n);
  });

  test('a third party finishing pays only its gas and the payouts are exactly the shares', async () => {
    const w = await makeWorld();
    await open(w);
    expectOk(await w.channel.sendExit(w.a.getSender()), w.channel.address);
    w.bc.now = NOW + PERIOD;
    const s0 = await balance(w, w.stranger.address);
    const r = await w.channel.sendFinishClose(w.stranger.getSender(), { value: toNano('1') });
    expectOk(r, w.channel.address);
    const spent = s0 - (await balance(w, w.stranger.address));
    assert.ok(spent > 0n && spent < toNano('0.01'), `the third party spent ${spent}`);
  });
});
