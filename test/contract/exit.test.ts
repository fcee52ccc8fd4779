// Leaving alone: once locked, either party gets its deposit out without any state signed by the partner
// (the audit: on the old contract every way out needed a state signed by both).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import { ChannelExit, DEPOSIT_FEE, exitBody } from '../../src/contract/index.js';
import {
  DEP_A, DEP_B, NOW, PERIOD, TOTAL, balance, balancesBefore, checkPayout, expectExit, expectOk, makeWorld, netChange, openWorld, signBoth, st,
  storageFee, txOn,
} from './helpers.js';

describe('channel contract: exit (no state signed by the partner)', () => {
  test('A exits with no state ever signed; B does nothing; after the deadline A finishes and both get their deposits', async () => {
    const w = await openWorld();
    const c0 = await balance(w, w.channel.address);
    const r = await w.channel.sendExit(w.a.getSender());
    const ctx = expectOk(r, w.channel.address);
    const data = await w.channel.getChannelData();
    assert.equal(data.phase, 'closing');
    assert.equal(data.exit, true);
    assert.equal(data.storedState, null);
    assert.equal(data.submitter, 'A');
    assert.equal(data.deadline, NOW + PERIOD);
    // A paid only its own exit: the contract kept nothing of the value (it paid its storage fee, as always)
    assert.equal(await balance(w, w.channel.address), c0 - storageFee(ctx));
    assert.ok(netChange(r.transactions, w.a.address) < 0n && netChange(r.transactions, w.a.address) > -DEPOSIT_FEE);
    await rejected(w, ChannelExit.TOO_EARLY, () => w.channel.sendFinishClose(w.a.getSender()));
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const f = await w.channel.sendFinishClose(w.a.getSender());
    expectOk(f, w.channel.address);
    const { shareA, shareB } = await checkPayout(w, f.transactions, before, { step: null, balanceA: DEP_A, balanceB: DEP_B }, w.a.address);
    assert.ok(shareA >= DEP_A && shareB >= DEP_B, 'each gets its deposit (plus half the reserve)');
  });

  test('B exits; a third party finishes', async () => {
    const w = await openWorld();
    expectOk(await w.channel.sendExit(w.b.getSender()), w.channel.address);
    assert.equal((await w.channel.getChannelData()).submitter, 'B');
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const f = await w.channel.sendFinishClose(w.stranger.getSender());
    expectOk(f, w.channel.address);
    await checkPayout(w, f.transactions, before, { step: null, balanceA: DEP_A, balanceB: DEP_B }, w.stranger.address);
  });

  test('an exit is challenged by the initial state (step 0), and by a later state that moves the money', async () => {
    const w = await openWorld();
    expectOk(await w.channel.sendExit(w.a.getSender()), w.channel.address);
    expectOk(await w.channel.sendChallenge(w.b.getSender(), signBoth(w, st(w, 0n, DEP_A, DEP_B))), w.channel.address);
    let data = await w.channel.getChannelData();
    assert.equal(data.exit, false);
    assert.equal(data.storedState?.step, 0n);
    assert.equal(data.stepFloor, 1n);
    await rejected(w, ChannelExit.STEP_NOT_HIGHER, () => w.channel.sendChallenge(w.b.getSender(), signBoth(w, st(w, 0n, DEP_A, DEP_B))), w.b);
    expectOk(await w.channel.sendChallenge(w.b.getSender(), signBoth(w, st(w, 4n, toNano('1'), TOTAL - toNano('1')))), w.channel.address);
    data = await w.channel.getChannelData();
    assert.equal(data.deadline, NOW + PERIOD, 'the deadline never moves');
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const f = await w.channel.sendFinishClose(w.b.getSender());
    expectOk(f, w.channel.address);
    await checkPayout(w, f.transactions, before, { step: 4n, balanceA: toNano('1'), balanceB: TOTAL - toNano('1') }, w.b.address);
  });

  test('a partner with deposit 0 exits: A gets its deposit back; B pays its own gas and gets only half the reserve', async () => {
    const w = await makeWorld({ expectedDepositB: 0n });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
    const b0 = await balance(w, w.b.address);
    const r = await w.channel.sendExit(w.b.getSender());
    expectOk(r, w.channel.address);
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const f = await w.channel.sendFinishClose(w.a.getSender());
    expectOk(f, w.channel.address);
    const { shareA, shareB } = await checkPayout(w, f.transactions, before, { step: null, balanceA: DEP_A, balanceB: 0n }, w.a.address);
    assert.ok(shareA >= DEP_A, 'A gets its whole deposit');
    const reserve = shareA + shareB - DEP_A;
    assert.ok(shareB <= reserve - reserve / 2n + 1n && reserve < DEPOSIT_FEE, `B gets at most half the reserve (${shareB} of ${reserve})`);
    // B's net: half the reserve minus its own exit's costs (it cannot take anything of A's deposit)
    const bNet = (await balance(w, w.b.address)) - b0;
    assert.ok(bNet <= shareB, `B ends ${bNet} (<= its share ${shareB})`);
  });

  test('no partner action can keep the deposits in: challenges raise the step and the deadline stays; exit and start_close are refused while closing', async () => {
    const w = await openWorld();
    expectOk(await w.channel.sendExit(w.a.getSender()), w.channel.address);
    for (const step of [1n, 2n, 3n]) {
      w.bc.now = NOW + Number(step) * 60;
      expectOk(await w.channel.sendChallenge(w.b.getSender(), signBoth(w, st(w, step, DEP_A, DEP_B))), w.channel.address);
      assert.equal((await w.channel.getChannelData()).deadline, NOW + PERIOD);
    }
    await rejected(w, ChannelExit.NOT_OPEN, () => w.channel.sendExit(w.b.getSender()), w.b);
    await rejected(w, ChannelExit.NOT_OPEN, () => w.channel.sendStartClose(w.b.getSender(), signBoth(w, st(w, 9n, DEP_A, DEP_B))), w.b);
    await rejected(w, ChannelExit.TOO_EARLY, () => w.channel.sendFinishClose(w.a.getSender()));
    w.bc.now = NOW + PERIOD;
    await rejected(w, ChannelExit.TOO_LATE, () => w.channel.sendChallenge(w.b.getSender(), signBoth(w, st(w, 9n, DEP_A, DEP_B))), w.b);
    expectOk(await w.channel.sendFinishClose(w.a.getSender()), w.channel.address);
    assert.equal((await w.channel.getChannelStatus()).status, 'closed');
  });

  test('exit is refused from a stranger, while funding, and twice', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
    await rejected(w, ChannelExit.NOT_OPEN, () => w.channel.sendExit(w.a.getSender()));
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B }), w.channel.address);
    await rejected(w, ChannelExit.NOT_PARTY, () => w.channel.sendExit(w.stranger.getSender()), w.stranger);
    const raw = await w.b.send({ to: w.channel.address, value: toNano('0.05'), body: exitBody() });
    expectOk(raw, w.channel.address);
    await rejected(w, ChannelExit.NOT_OPEN, () => w.channel.sendExit(w.a.getSender()));
    assert.equal(txOn(raw.transactions, w.channel.address).outMessages.size, 1, 'the change went back');
  });
});

async function rejected(
  w: Awaited<ReturnType<typeof openWorld>>,
  code: number,
  fn: () => Promise<{ transactions: Parameters<typeof expectExit>[0]['transactions'] }>,
  from = w.a,
): Promise<void> {
  expectExit(await fn(), w.channel.address, code, from.address);
}
