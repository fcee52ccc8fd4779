// Every rejection of the channel contract with its exit code (real TVM in @ton/sandbox). A rejected
// message aborts its transaction, bounces its value to the sender and leaves the storage as it was.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, toNano } from '@ton/core';
import { CHANNEL_FEES, ChannelExit, DEPOSIT_FEE, depositBody, exitCodeMessage } from '../../src/contract/index.js';
import { keyPairFromSeed, sign } from '../../src/core/signer.js';
import { stateHash } from '../../src/core/state.js';
import { DEP_A, DEP_B, NOW, PERIOD, TOTAL, accountType, dest, expectExit, expectOk, makeWorld, openWorld, signBoth, st, txOn, type World } from './helpers.js';

async function snapshotData(w: World): Promise<string> {
  const d = await w.channel.getChannelData();
  return JSON.stringify(d, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Runs `fn`, expects it to be rejected with `code` (bounced to `from`) and the channel data unchanged. */
async function rejected(w: World, code: number, from: World['a'], fn: () => Promise<{ transactions: Parameters<typeof expectExit>[0]['transactions'] }>) {
  const before = await snapshotData(w);
  const r = await fn();
  expectExit(r, w.channel.address, code, from.address);
  assert.equal(await snapshotData(w), before, 'a rejected message changes nothing');
  assert.notEqual(exitCodeMessage(code), '');
}

async function closingWorld(): Promise<World> {
  const w = await openWorld();
  expectOk(await w.channel.sendStartClose(w.b.getSender(), signBoth(w, st(w, 5n, toNano('3'), toNano('5')))), w.channel.address);
  return w;
}

describe('channel contract: rejections', () => {
  test("signatures: each party that does not send must have signed; a party's own message is its consent", async () => {
    const w = await openWorld();
    const state = st(w, 1n, toNano('4'), toNano('4'));
    const good = signBoth(w, state);
    const mallory = keyPairFromSeed(Buffer.alloc(32, 0x66));
    const h = stateHash(state);
    const forged = sign(h, mallory.secretKey);
    // from A only B's signature counts, from B only A's
    await rejected(w, ChannelExit.BAD_SIGNATURE_B, w.a, () => w.channel.sendStartClose(w.a.getSender(), { ...good, sigB: forged }));
    await rejected(w, ChannelExit.BAD_SIGNATURE_A, w.b, () => w.channel.sendStartClose(w.b.getSender(), { ...good, sigA: forged }));
    // A's own signature in B's place, B's in A's place
    await rejected(w, ChannelExit.BAD_SIGNATURE_B, w.a, () => w.channel.sendStartClose(w.a.getSender(), { ...good, sigB: good.sigA }));
    await rejected(w, ChannelExit.BAD_SIGNATURE_A, w.b, () => w.channel.sendCooperativeClose(w.b.getSender(), { ...signBoth(w, st(w, 1n, TOTAL, 0n, 'close')), sigA: Buffer.alloc(64) }));
    // signatures of a different state than the one sent
    await rejected(w, ChannelExit.BAD_SIGNATURE_A, w.b, () => w.channel.sendStartClose(w.b.getSender(), { ...good, state: st(w, 1n, toNano('5'), toNano('3')) }));
    // from anyone else both count: each wrong one, swapped, or B's missing
    const close = signBoth(w, st(w, 2n, toNano('4'), toNano('4'), 'close'));
    const s = w.stranger;
    await rejected(w, ChannelExit.BAD_SIGNATURE_A, s, () => w.channel.sendCooperativeClose(s.getSender(), { ...close, sigA: forged }));
    await rejected(w, ChannelExit.BAD_SIGNATURE_B, s, () => w.channel.sendCooperativeClose(s.getSender(), { ...close, sigB: forged }));
    await rejected(w, ChannelExit.BAD_SIGNATURE_A, s, () => w.channel.sendCooperativeClose(s.getSender(), { ...close, sigA: close.sigB, sigB: close.sigA }));
    await rejected(w, ChannelExit.BAD_SIGNATURE_B, s, () => w.channel.sendCooperativeClose(s.getSender(), { ...close, by: 'B' }));
    // a third party's message in a party's layout (one signature) is refused, not taken as a party's
    await rejected(w, ChannelExit.BAD_SIGNATURE_A, s, () => w.channel.sendCooperativeClose(s.getSender(), { ...close, by: 'A' }));
  });

  test('a state of another channel', async () => {
    // a sibling channel of the same pair (another channel id): a different address
    const other = (await makeWorld({ channelId: 99n })).channel.address;
    const w2 = await openWorld();
    assert.ok(!other.equals(w2.channel.address));
    await rejected(w2, ChannelExit.WRONG_CHANNEL, w2.a, () => w2.channel.sendStartClose(w2.a.getSender(), signBoth(w2, st(w2, 1n, toNano('4'), toNano('4'), 'state', other))));
    await rejected(w2, ChannelExit.WRONG_CHANNEL, w2.a, () => w2.channel.sendCooperativeClose(w2.a.getSender(), signBoth(w2, st(w2, 1n, toNano('4'), toNano('4'), 'close', other))));
  });

  test('total mismatch', async () => {
    const w = await openWorld();
    await rejected(w, ChannelExit.TOTAL_MISMATCH, w.a, () => w.channel.sendStartClose(w.a.getSender(), signBoth(w, st(w, 1n, TOTAL, 1n))));
    await rejected(w, ChannelExit.TOTAL_MISMATCH, w.a, () => w.channel.sendCooperativeClose(w.a.getSender(), signBoth(w, st(w, 1n, toNano('1'), toNano('1'), 'close'))));
  });

  test('cooperative close needs a close-tagged state', async () => {
    const w = await openWorld();
    await rejected(w, ChannelExit.WRONG_TAG, w.a, () => w.channel.sendCooperativeClose(w.a.getSender(), signBoth(w, st(w, 1n, toNano('4'), toNano('4'), 'state'))));
  });

  test('step not higher: challenge with the same or a lower step; cooperative close below the stored step', async () => {
    const w = await closingWorld();
    await rejected(w, ChannelExit.STEP_NOT_HIGHER, w.a, () => w.channel.sendChallenge(w.a.getSender(), signBoth(w, st(w, 5n, toNano('4'), toNano('4')))));
    await rejected(w, ChannelExit.STEP_NOT_HIGHER, w.a, () => w.channel.sendChallenge(w.a.getSender(), signBoth(w, st(w, 4n, toNano('4'), toNano('4')))));
    await rejected(w, ChannelExit.STEP_NOT_HIGHER, w.a, () => w.channel.sendCooperativeClose(w.a.getSender(), signBoth(w, st(w, 5n, toNano('4'), toNano('4'), 'close'))));
  });

  test('challenge at or after the deadline; finish before it', async () => {
    const w = await closingWorld();
    await rejected(w, ChannelExit.TOO_EARLY, w.stranger, () => w.channel.sendFinishClose(w.stranger.getSender()));
    w.bc.now = NOW + PERIOD - 1;
    await rejected(w, ChannelExit.TOO_EARLY, w.a, () => w.channel.sendFinishClose(w.a.getSender()));
    w.bc.now = NOW + PERIOD;
    await rejected(w, ChannelExit.TOO_LATE, w.a, () => w.channel.sendChallenge(w.a.getSender(), signBoth(w, st(w, 6n, toNano('4'), toNano('4')))));
  });

  test('deposits: from a stranger, too little value, after the lock', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEPOSIT_FEE, deposit: 0n }), w.channel.address);
    await rejected(w, ChannelExit.NOT_PARTY, w.stranger, () => w.channel.sendDeposit(w.stranger.getSender(), { amount: toNano('1') }));
    // the wrapper refuses too little value before sending; a raw message reaches the contract
    await assert.rejects(w.channel.sendDeposit(w.a.getSender(), { amount: toNano('1'), value: toNano('1') }), { code: 'VALUE_TOO_LOW' });
    await rejected(w, ChannelExit.VALUE_TOO_LOW, w.a, () => w.a.send({ to: w.channel.address, value: toNano('1') + DEPOSIT_FEE - 1n, body: depositBody(toNano('1')) }));
    expectOk(await w.channel.sendDeposit(w.a.getSender(), { amount: DEP_A }), w.channel.address);
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B }), w.channel.address);
    await rejected(w, ChannelExit.NOT_FUNDING, w.a, () => w.channel.sendDeposit(w.a.getSender(), { amount: toNano('1') }));
    await rejected(w, ChannelExit.NOT_FUNDING, w.stranger, () => w.channel.sendDeposit(w.stranger.getSender(), { amount: toNano('1') }));
  });

  test('refunds: after the lock, of the other party\'s deposit, from a stranger', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + CHANNEL_FEES.deposit, deposit: DEP_A }), w.channel.address);
    // B has deposited nothing: its refund cannot take A's deposit
    await rejected(w, ChannelExit.NOTHING_TO_REFUND, w.b, () => w.channel.sendRefund(w.b.getSender()));
    await rejected(w, ChannelExit.NOT_PARTY, w.stranger, () => w.channel.sendRefund(w.stranger.getSender()));
    assert.equal((await w.channel.getChannelData()).depositA, DEP_A);
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B }), w.channel.address);
    await rejected(w, ChannelExit.NOT_FUNDING, w.a, () => w.channel.sendRefund(w.a.getSender()));
    await rejected(w, ChannelExit.NOT_FUNDING, w.b, () => w.channel.sendRefund(w.b.getSender()));
    // what to do then: no close (nothing is signed yet), but wait for the initial state, or leave with the deposits
    const why = exitCodeMessage(ChannelExit.NOT_FUNDING);
    assert.doesNotMatch(why, /Close the channel instead/);
    assert.match(why, /Wait for the initial state both signed .*or leave with the deposits \(leave\)/);
  });

  test('close before the lock', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + CHANNEL_FEES.deposit, deposit: DEP_A }), w.channel.address);
    const state = st(w, 1n, DEP_A, 0n);
    await rejected(w, ChannelExit.NOT_OPEN, w.a, () => w.channel.sendCooperativeClose(w.a.getSender(), signBoth(w, { ...state, tag: 'close' })));
    await rejected(w, ChannelExit.NOT_OPEN, w.a, () => w.channel.sendStartClose(w.a.getSender(), signBoth(w, state)));
    await rejected(w, ChannelExit.NOT_CLOSING, w.a, () => w.channel.sendChallenge(w.a.getSender(), signBoth(w, state)));
    await rejected(w, ChannelExit.NOT_CLOSING, w.a, () => w.channel.sendFinishClose(w.a.getSender()));
  });

  test('phase guards once open: challenge/finish without a close, start close twice, start close by a stranger', async () => {
    const w = await openWorld();
    const state = st(w, 1n, toNano('4'), toNano('4'));
    await rejected(w, ChannelExit.NOT_CLOSING, w.a, () => w.channel.sendChallenge(w.a.getSender(), signBoth(w, state)));
    await rejected(w, ChannelExit.NOT_CLOSING, w.a, () => w.channel.sendFinishClose(w.a.getSender()));
    await rejected(w, ChannelExit.NOT_PARTY, w.stranger, () => w.channel.sendStartClose(w.stranger.getSender(), signBoth(w, state)));
    expectOk(await w.channel.sendStartClose(w.a.getSender(), signBoth(w, state)), w.channel.address);
    await rejected(w, ChannelExit.NOT_OPEN, w.b, () => w.channel.sendStartClose(w.b.getSender(), signBoth(w, st(w, 2n, toNano('4'), toNano('4')))));
  });

  test('unknown op and malformed bodies bounce', async () => {
    const w = await openWorld();
    await rejected(w, ChannelExit.UNKNOWN_OP, w.a, () => w.a.send({ to: w.channel.address, value: toNano('0.05'), body: beginCell().storeUint(0xdeadbeef, 32).endCell() }));
    // an op shorter than 32 bits (a text comment, op 0, is sent back: test/contract/transfers.test.ts)
    await rejected(w, ChannelExit.UNKNOWN_OP, w.a, () => w.a.send({ to: w.channel.address, value: toNano('0.05'), body: beginCell().storeUint(0, 16).endCell() }));
    // a start_close without its state
    await rejected(w, 9, w.a, () => w.a.send({ to: w.channel.address, value: toNano('0.05'), body: beginCell().storeUint(0x73746172, 32).storeBuffer(Buffer.alloc(64)).endCell() }));
  });

  test('finish twice, and any message after CLOSED, bounce; the closed record does not change', async () => {
    const w = await closingWorld();
    w.bc.now = NOW + PERIOD;
    expectOk(await w.channel.sendFinishClose(w.a.getSender()), w.channel.address);
    assert.equal(await accountType(w), 'active');
    const closed = JSON.stringify(await w.channel.getChannelStatus(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    assert.match(closed, /"status":"closed"/);
    const attempts: Array<() => Promise<{ transactions: Parameters<typeof expectExit>[0]['transactions'] }>> = [
      () => w.channel.sendFinishClose(w.b.getSender()),
      () => w.channel.sendDeposit(w.a.getSender(), { amount: toNano('1') }),
      () => w.channel.sendRefund(w.a.getSender()),
      () => w.channel.sendExit(w.b.getSender()),
      () => w.channel.sendChallenge(w.a.getSender(), { ...signBoth(w, st(w, 9n, toNano('4'), toNano('4'))), by: 'A' }),
      () => w.channel.sendCooperativeClose(w.a.getSender(), { ...signBoth(w, st(w, 9n, toNano('4'), toNano('4'), 'close')), by: 'A' }),
      () => w.channel.sendStartClose(w.a.getSender(), { ...signBoth(w, st(w, 9n, toNano('4'), toNano('4'))), by: 'A' }),
      () => w.channel.sendTopUp(w.a.getSender(), { value: toNano('0.05') }),
    ];
    for (const attempt of attempts) {
      const r = await attempt();
      const tx = r.transactions.find((t) => dest(t)?.equals(w.channel.address));
      assert.ok(tx && tx.description.type === 'generic');
      assert.equal(tx.description.aborted, true, 'a closed channel refuses everything');
      const bounce = [...tx.outMessages.values()].find((m) => m.info.type === 'internal' && m.info.bounced);
      assert.ok(bounce, 'the value bounces back');
      assert.equal((await w.bc.getContract(w.channel.address)).balance, 0n, 'nothing stays on the closed address');
    }
    const top = await w.channel.sendTopUp(w.a.getSender(), { value: toNano('0.05') });
    const c = txOn(top.transactions, w.channel.address).description;
    assert.ok(c.type === 'generic' && c.computePhase.type === 'vm' && c.computePhase.exitCode === ChannelExit.CLOSED);
    assert.equal(JSON.stringify(await w.channel.getChannelStatus(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)), closed);
  });
});
