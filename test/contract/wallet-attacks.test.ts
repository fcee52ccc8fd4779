// Attacks from a wallet the other contract tests do not try: a stranger on the masterchain, ops with a tail of junk
// bits and refs, a refused message sent non-bounceable, twenty challenges that try to grow the storage, and every op
// sent with too little value for its gas, a close state both signed that lands after the deadline, and a stranger's deploy.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, toNano, type Cell } from '@ton/core';
import {
  ChannelExit, DEPOSIT_FEE, OP_DEPOSIT, OP_EXIT, OP_FINISH_CLOSE, OP_REFUND, OP_TOP_UP, cooperativeCloseBody, depositBody, exitBody, finishCloseBody, refundBody,
  startCloseBody,
} from '../../src/contract/index.js';
import {
  DEP_A, DEP_B, NOW, PERIOD, TOTAL, balance, balancesBefore, checkPayout, compute, dataHash, dest, expectExit, expectOk, makeWorld, openWorld, outValue, payouts, signBoth, st,
  storageFee, txOn, type World,
} from './helpers.js';

/** An op's body followed by bits and a ref nobody reads. */
function withTail(op: number, amount?: bigint): Cell {
  const b = beginCell().storeUint(op, 32);
  if (amount !== undefined) b.storeCoins(amount);
  return b.storeUint(0x5a5a5a, 24).storeRef(beginCell().storeBuffer(Buffer.alloc(100, 0xee)).endCell()).endCell();
}

/** Sends `body` with too little value for its gas: refused, nothing changes, the contract pays no gas. */
async function starved(w: World, who: World['a'], body: Cell, label: string): Promise<void> {
  const h = await dataHash(w);
  const c0 = await balance(w, w.channel.address);
  const r = await who.send({ to: w.channel.address, value: 500_000n, bounce: true, body });
  const tx = txOn(r.transactions, w.channel.address);
  assert.equal(compute(tx)?.success, false, `${label}: refused`);
  assert.equal(await dataHash(w), h, `${label}: the storage is the same`);
  assert.ok((await balance(w, w.channel.address)) >= c0 - storageFee(tx), `${label}: the contract paid none of the gas`);
}

/** Cells and bits of the contract's storage tree (each distinct cell once). */
async function storageSize(w: World): Promise<{ cells: number; bits: number }> {
  const acc = (await w.bc.getContract(w.channel.address)).accountState;
  assert.ok(acc?.type === 'active' && acc.state.data);
  const seen = new Set<string>();
  let bits = 0;
  const walk = (c: Cell): void => {
    const h = c.hash().toString('hex');
    if (seen.has(h)) return;
    seen.add(h);
    bits += c.bits.length;
    c.refs.forEach(walk);
  };
  walk(acc.state.data);
  return { cells: seen.size, bits };
}

describe('channel contract: attacks from a wallet', () => {
  test('a stranger on the masterchain challenges and finishes: its change crosses back, the parties get exactly their shares', async () => {
    const w = await openWorld();
    const mc = await w.bc.treasury('mc-stranger', { workchain: -1 });
    expectOk(await w.channel.sendStartClose(w.b.getSender(), signBoth(w, st(w, 5n, toNano('3'), toNano('5')))), w.channel.address);
    const ch = await w.channel.sendChallenge(mc.getSender(), { ...signBoth(w, st(w, 8n, toNano('6'), toNano('2'))), by: 'other' });
    const ctx = expectOk(ch, w.channel.address);
    assert.ok(outValue(ctx, mc.address) > 0n, 'the change goes to the masterchain wallet');
    assert.ok(ch.transactions.some((t) => dest(t)?.equals(mc.address) && t.inMessage?.info.src?.toString() === w.channel.address.toString()), 'and arrives there');
    assert.equal((await w.channel.getChannelData()).storedState?.step, 8n);
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const r = await w.channel.sendFinishClose(mc.getSender());
    await checkPayout(w, r.transactions, before, { step: 8n, balanceA: toNano('6'), balanceB: toNano('2') }, mc.address);
    assert.ok(r.transactions.some((t) => dest(t)?.equals(mc.address)), 'the finisher\'s change arrives on the masterchain');
  });

  test('deposit, refund, top_up, exit and finish_close with junk bits and a junk ref after them act as without them', async () => {
    const w = await makeWorld();
    const send = (who: World['a'], body: Cell, value: bigint) => who.send({ to: w.channel.address, value, bounce: true, body });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
    expectOk(await send(w.a, withTail(OP_REFUND), toNano('0.05')), w.channel.address);
    assert.equal((await w.channel.getChannelData()).depositA, 0n, 'the refund took the whole deposit');
    assert.equal(await balance(w, w.channel.address), 0n, 'and all the contract held');
    expectOk(await send(w.a, withTail(OP_DEPOSIT, DEP_A), DEP_A + DEPOSIT_FEE), w.channel.address);
    assert.equal((await w.channel.getChannelData()).depositA, DEP_A, 'the amount is read, the tail is not');
    expectOk(await send(w.b, withTail(OP_DEPOSIT, DEP_B), DEP_B + DEPOSIT_FEE), w.channel.address);
    assert.equal((await w.channel.getChannelData()).phase, 'open');
    const c0 = await balance(w, w.channel.address);
    const top = await send(w.stranger, withTail(OP_TOP_UP), toNano('0.2'));
    expectOk(top, w.channel.address);
    assert.ok((await balance(w, w.channel.address)) > c0 + toNano('0.19'), 'the top_up joined the reserve');
    expectOk(await send(w.a, withTail(OP_EXIT), toNano('0.05')), w.channel.address);
    const data = await w.channel.getChannelData();
    assert.equal(data.phase, 'closing');
    assert.equal(data.deadline, NOW + PERIOD);
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const r = await send(w.b, withTail(OP_FINISH_CLOSE), toNano('0.05'));
    await checkPayout(w, r.transactions, before, { step: null, balanceA: DEP_A, balanceB: DEP_B }, w.b.address);
  });

  test('a refused message sent non-bounceable leaves its value on the channel: it joins the reserve and the payout splits it', async () => {
    const w = await openWorld();
    const c0 = await balance(w, w.channel.address);
    // A's deposit after the lock, not bounceable: refused, and nothing carries the value back
    const late = await w.a.send({ to: w.channel.address, value: toNano('1'), bounce: false, body: beginCell().storeUint(OP_DEPOSIT, 32).storeCoins(toNano('0.5')).endCell() });
    const tx = txOn(late.transactions, w.channel.address);
    assert.equal(compute(tx)?.exitCode, ChannelExit.NOT_FUNDING);
    assert.equal(tx.outMessages.size, 0, 'no bounce');
    const gift = (await balance(w, w.channel.address)) - c0;
    assert.ok(gift > toNano('0.99'), `the value stayed: ${gift}`);
    expectOk(await w.channel.sendExit(w.b.getSender()), w.channel.address);
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const r = await w.channel.sendFinishClose(w.stranger.getSender());
    const { shareA, shareB } = await checkPayout(w, r.transactions, before, { step: null, balanceA: DEP_A, balanceB: DEP_B }, w.stranger.address);
    assert.ok(shareB - DEP_B > toNano('0.49'), 'B got half of what A sent by mistake');
    assert.ok(shareA - DEP_A < toNano('0.51'), 'A got only the other half back');
    assert.equal(payouts(txOn(r.transactions, w.channel.address)).count, 3);
  });

  test('storage does not grow: twenty challenges from A, B and a stranger leave it the size one close made it', async () => {
    const w = await openWorld();
    expectOk(await w.channel.sendStartClose(w.b.getSender(), signBoth(w, st(w, 1n, toNano('3'), toNano('5')))), w.channel.address);
    const first = await storageSize(w);
    const who = [
      { s: w.a, by: 'A' as const },
      { s: w.b, by: 'B' as const },
      { s: w.stranger, by: 'other' as const },
    ];
    for (let i = 2n; i <= 21n; i++) {
      const p = who[Number(i) % 3]!;
      // a state of the same size each time (the coins lengths stay), with the money moving
      const a = toNano('3') + i * 1000n;
      expectOk(await w.channel.sendChallenge(p.s.getSender(), { ...signBoth(w, st(w, i, a, TOTAL - a)), by: p.by }), w.channel.address);
      assert.deepEqual(await storageSize(w), first, `after challenge ${i}`);
    }
    const data = await w.channel.getChannelData();
    assert.equal(data.stepFloor, 22n);
    assert.equal(data.deadline, NOW + PERIOD, 'the deadline never moved');
  });

  test('every op sent with too little value for its gas (0.0005 TON) changes nothing and costs the channel nothing', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
    await starved(w, w.b, depositBody(0n), 'deposit');
    await starved(w, w.a, refundBody(), 'refund');
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B }), w.channel.address);
    const close = signBoth(w, st(w, 4n, toNano('4'), toNano('4'), 'close'));
    await starved(w, w.a, exitBody(), 'exit');
    await starved(w, w.b, startCloseBody(signBoth(w, st(w, 2n, toNano('1'), toNano('7'))), 'B'), 'start_close');
    await starved(w, w.a, cooperativeCloseBody(close, 'A'), 'cooperative_close from A');
    await starved(w, w.stranger, cooperativeCloseBody(close, 'other'), 'cooperative_close from a stranger');
    expectOk(await w.channel.sendExit(w.b.getSender()), w.channel.address);
    w.bc.now = NOW + PERIOD;
    await starved(w, w.stranger, finishCloseBody(), 'finish_close');
    assert.equal((await w.channel.getChannelData()).phase, 'closing');
  });

  test('after the deadline a challenge is refused but a close state both signed still pays out before anyone finishes', async () => {
    const w = await openWorld();
    expectOk(await w.channel.sendStartClose(w.b.getSender(), signBoth(w, st(w, 5n, toNano('3'), toNano('5')))), w.channel.address);
    w.bc.now = NOW + PERIOD;
    const later = signBoth(w, st(w, 7n, toNano('6'), toNano('2')));
    expectExit(await w.channel.sendChallenge(w.a.getSender(), later), w.channel.address, ChannelExit.TOO_LATE, w.a.address);
    // a close state below the floor is refused here too; the one above it pays at once
    expectExit(await w.channel.sendCooperativeClose(w.a.getSender(), signBoth(w, st(w, 5n, toNano('6'), toNano('2'), 'close'))), w.channel.address, ChannelExit.STEP_NOT_HIGHER, w.a.address);
    const before = await balancesBefore(w);
    const r = await w.channel.sendCooperativeClose(w.a.getSender(), signBoth(w, st(w, 7n, toNano('6'), toNano('2'), 'close')));
    await checkPayout(w, r.transactions, before, { step: 7n, balanceA: toNano('6'), balanceB: toNano('2') }, w.a.address);
    const late = txOn((await w.channel.sendFinishClose(w.b.getSender())).transactions, w.channel.address).description;
    assert.ok(late.type === 'generic' && late.aborted, 'a finish after the payout is refused');
    const paid = await w.channel.getChannelStatus();
    assert.ok(paid.status === 'closed' && paid.paid.step === 7n, 'the close state stays the record');
  });

  test('a stranger deploys the channel first (a top_up with the state init): the deposits go in as usual and its gift is split', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.stranger.getSender(), { value: toNano('0.3') }), w.channel.address);
    const data = await w.channel.getChannelData();
    assert.equal(data.phase, 'funding');
    assert.equal(data.depositA + data.depositB, 0n, 'nothing is credited to the stranger or anyone');
    // the stranger cannot deposit, refund or exit in it
    expectExit(await w.channel.sendDeposit(w.stranger.getSender(), { amount: toNano('1') }), w.channel.address, ChannelExit.NOT_PARTY, w.stranger.address);
    expectExit(await w.channel.sendRefund(w.stranger.getSender()), w.channel.address, ChannelExit.NOT_PARTY, w.stranger.address);
    // A's deploy message (its state init is ignored now) credits its deposit, then B's locks the channel
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B }), w.channel.address);
    assert.equal((await w.channel.getChannelData()).phase, 'open');
    const before = await balancesBefore(w);
    const r = await w.channel.sendCooperativeClose(w.b.getSender(), signBoth(w, st(w, 1n, toNano('4'), toNano('4'), 'close')));
    const { shareA, shareB } = await checkPayout(w, r.transactions, before, { step: 1n, balanceA: toNano('4'), balanceB: toNano('4') }, w.b.address);
    assert.ok(shareA - toNano('4') > toNano('0.15') && shareB - toNano('4') > toNano('0.15'), 'each got half of the gift');
  });
});
