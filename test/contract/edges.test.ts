// Edges of the message rules: too little value, a message flagged as bounced, malformed bodies, a finish and a
// challenge in one block, a deposit at the lock, and a state replayed to the same pair's channel on another code.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, internal as relaxed, toNano } from '@ton/core';
import { internal, type BlockchainTransaction } from '@ton/sandbox';
import {
  ChannelContract, ChannelExit, CHANNEL_CODE_V3, DEPOSIT_FEE, MIN_PAYOUT_VALUE, OP_COOPERATIVE_CLOSE, challengeBody, cooperativeCloseBody,
  finishCloseBody,
} from '../../src/contract/index.js';
import { stateToCell } from '../../src/core/state.js';
import {
  DEP_A, DEP_B, NOW, PERIOD, TOTAL, balance, balancesBefore, checkPayout, compute, dataHash, expectExit, expectOk, makeWorld, openWorld, signBoth, st, storageFee,
  txOn, type World,
} from './helpers.js';

async function closing(): Promise<World> {
  const w = await openWorld();
  expectOk(await w.channel.sendStartClose(w.b.getSender(), signBoth(w, st(w, 5n, toNano('3'), toNano('5')))), w.channel.address);
  return w;
}

describe('channel contract: edges of the message rules', () => {
  test('too little value: a challenge that runs out of gas changes nothing; a payout needs MIN_PAYOUT_VALUE and then pays exact shares', async () => {
    const w = await closing();
    const h = await dataHash(w);
    const c0 = await balance(w, w.channel.address);
    const r = await w.channel.sendChallenge(w.stranger.getSender(), { ...signBoth(w, st(w, 9n, toNano('4'), toNano('4'))), value: toNano('0.001') });
    const tx = txOn(r.transactions, w.channel.address);
    assert.notEqual(compute(tx)?.exitCode, 0, 'out of gas');
    assert.equal(await dataHash(w), h, 'the stored close is the same');
    assert.ok((await balance(w, w.channel.address)) >= c0 - storageFee(tx), 'the contract paid none of its gas');
    w.bc.now = NOW + PERIOD;
    expectExit(await w.a.send({ to: w.channel.address, value: MIN_PAYOUT_VALUE - 1n, body: finishCloseBody() }), w.channel.address, ChannelExit.VALUE_TOO_LOW, w.a.address);
    assert.equal(await dataHash(w), h, 'still closing');
  });

  test('the costliest payout (a stranger\'s cooperative close: two signatures, three messages) succeeds with exactly MIN_PAYOUT_VALUE', async () => {
    const w = await openWorld();
    const close = signBoth(w, st(w, 3n, toNano('6'), toNano('2'), 'close'));
    expectExit(await w.stranger.send({ to: w.channel.address, value: MIN_PAYOUT_VALUE - 1n, body: cooperativeCloseBody(close, 'other') }), w.channel.address, ChannelExit.VALUE_TOO_LOW, w.stranger.address);
    const before = await balancesBefore(w);
    const r = await w.channel.sendCooperativeClose(w.stranger.getSender(), { ...close, value: MIN_PAYOUT_VALUE });
    const tx = expectOk(r, w.channel.address);
    assert.ok(tx.description.type === 'generic' && tx.description.actionPhase?.success && tx.description.actionPhase.messagesCreated === 3);
    await checkPayout(w, r.transactions, before, { step: 3n, balanceA: toNano('6'), balanceB: toNano('2') }, w.stranger.address);
  });

  test('every message the contract sends is non-bounceable (so no bounce reaches it: the build drops the bounce filter); a bounce is refused', async () => {
    const w = await makeWorld({ expectedDepositB: DEP_B + toNano('1') });
    const sent: Array<{ transactions: BlockchainTransaction[] }> = [];
    sent.push(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE + toNano('1'), deposit: DEP_A })); // excess back
    sent.push(await w.channel.sendDeposit(w.b.getSender(), { amount: toNano('1') }));
    sent.push(await w.channel.sendRefund(w.b.getSender())); // half the reserve while A's deposit stays
    sent.push(await w.b.send({ to: w.channel.address, value: toNano('1') })); // a plain transfer comes back
    sent.push(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B + toNano('1') }));
    sent.push(await w.channel.sendStartClose(w.a.getSender(), signBoth(w, st(w, 1n, DEP_A, DEP_B + toNano('1')))));
    sent.push(await w.channel.sendChallenge(w.stranger.getSender(), signBoth(w, st(w, 2n, DEP_A, DEP_B + toNano('1')))));
    sent.push(await w.channel.sendCooperativeClose(w.stranger.getSender(), signBoth(w, st(w, 3n, DEP_A, DEP_B + toNano('1'), 'close'))));
    let count = 0;
    for (const r of sent) {
      const tx = expectOk(r, w.channel.address);
      for (const m of tx.outMessages.values()) {
        assert.ok(m.info.type === 'internal' && !m.info.bounce, 'non-bounceable');
        count++;
      }
    }
    assert.equal(count, 8, 'every reply, change and payout of the run');
    // a bounce carries 0xffffffff before the body: no op starts so, the message is refused
    const o = await openWorld();
    const h = await dataHash(o);
    const r = await o.bc.sendMessage(internal({ from: o.a.address, to: o.channel.address, value: toNano('1'), bounce: false, bounced: true, body: beginCell().storeUint(0xffffffff, 32).storeUint(0x65786974, 32).endCell() }));
    assert.equal(compute(txOn(r.transactions, o.channel.address))?.exitCode, ChannelExit.UNKNOWN_OP);
    assert.equal(await dataHash(o), h);
  });

  test('malformed bodies: a deposit without its amount, a truncated second signature, a state with bits the signers did not sign', async () => {
    const w = await openWorld();
    const h = await dataHash(w);
    expectExit(await w.a.send({ to: w.channel.address, value: toNano('1'), body: beginCell().storeUint(0x6465706f, 32).endCell() }), w.channel.address, ChannelExit.NOT_FUNDING, w.a.address);
    const close = signBoth(w, st(w, 3n, toNano('6'), toNano('2'), 'close'));
    const short = beginCell().storeUint(OP_COOPERATIVE_CLOSE, 32).storeBuffer(close.sigA).storeRef(stateToCell(close.state)).storeMaybeRef(beginCell().storeBuffer(close.sigB.subarray(0, 63)).endCell()).endCell();
    const r1 = await w.stranger.send({ to: w.channel.address, value: toNano('1'), body: short });
    assert.ok(txOn(r1.transactions, w.channel.address).description.type === 'generic');
    assert.notEqual(compute(txOn(r1.transactions, w.channel.address))?.exitCode, 0);
    const padded = beginCell().storeSlice(stateToCell(close.state).beginParse()).storeUint(1, 1).endCell();
    const body = beginCell().storeUint(OP_COOPERATIVE_CLOSE, 32).storeBuffer(close.sigB).storeRef(padded).storeMaybeRef(null).endCell();
    expectExit(await w.a.send({ to: w.channel.address, value: toNano('1'), body }), w.channel.address, ChannelExit.BAD_SIGNATURE_B, w.a.address);
    assert.equal(await dataHash(w), h);
    // funding: a deposit without its amount fails to parse
    const f = await makeWorld();
    expectOk(await f.channel.sendDeploy(f.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), f.channel.address);
    expectExit(await f.a.send({ to: f.channel.address, value: toNano('1'), body: beginCell().storeUint(0x6465706f, 32).endCell() }), f.channel.address, 9, f.a.address);
    assert.equal((await f.channel.getChannelData()).depositA, DEP_A);
  });

  for (const [label, at, order, winner] of [
    ['one second before the deadline, challenge then finish: the challenge lands, the finish is too early', NOW + PERIOD - 1, ['challenge', 'finish'], 'challenge'],
    ['at the deadline, challenge then finish: the challenge is too late, the finish pays the stored close', NOW + PERIOD, ['challenge', 'finish'], 'finish'],
    ['at the deadline, finish then challenge: the finish pays, the challenge finds the channel closed', NOW + PERIOD, ['finish', 'challenge'], 'finish'],
  ] as const) {
    test(`a finish racing a challenge in one block, ${label}`, async () => {
      const w = await closing();
      w.bc.now = at;
      const newer = signBoth(w, st(w, 8n, toNano('7'), toNano('1')));
      const msgs = order.map((op) => relaxed({ to: w.channel.address, value: toNano('0.1'), bounce: true, body: op === 'finish' ? finishCloseBody() : challengeBody(newer, 'A') }));
      const r = await w.a.sendMessages(msgs);
      const txs = r.transactions.filter((t) => t.inMessage?.info.type === 'internal' && t.inMessage.info.dest.equals(w.channel.address));
      assert.equal(txs.length, 2);
      const codes = txs.map((t) => compute(t)?.exitCode);
      const win = order.indexOf(winner);
      assert.equal(codes[win], 0, `${winner} lands`);
      assert.notEqual(codes[1 - win], 0, 'the other is refused');
      const s = await w.channel.getChannelStatus();
      if (winner === 'finish') assert.ok(s.status === 'closed' && s.paid.step === 5n, 'the stored close was paid');
      else assert.ok(s.status === 'closing' && s.data.storedState?.step === 8n && s.data.deadline === NOW + PERIOD);
    });
  }

  test('a deposit at the lock: the one that meets the expected deposits locks, the next one in the same block comes back whole', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: toNano('7') + DEPOSIT_FEE, deposit: toNano('7') }), w.channel.address);
    assert.equal((await w.channel.getChannelData()).depositA, toNano('7'), 'more than expected is credited whole');
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B }), w.channel.address);
    const a0 = await balance(w, w.a.address);
    const c0 = await balance(w, w.channel.address);
    const r = await w.channel.sendDeposit(w.a.getSender(), { amount: toNano('1') });
    expectExit(r, w.channel.address, ChannelExit.NOT_FUNDING, w.a.address);
    assert.ok(a0 - (await balance(w, w.a.address)) < toNano('0.01'), 'A lost only fees');
    assert.equal(await balance(w, w.channel.address), c0 - storageFee(txOn(r.transactions, w.channel.address)));
    const data = await w.channel.getChannelData();
    assert.equal(data.phase, 'open');
    assert.equal(data.depositA + data.depositB, toNano('7') + DEP_B, 'the deposits are what was credited before the lock');
    // the over-deposit is A's: an exit pays it back to A
    expectOk(await w.channel.sendExit(w.b.getSender()), w.channel.address);
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const f = await w.channel.sendFinishClose(w.b.getSender());
    const { shareA } = await checkPayout(w, f.transactions, before, { step: null, balanceA: toNano('7'), balanceB: DEP_B }, w.b.address, toNano('7') + DEP_B);
    assert.ok(shareA >= toNano('7'));
  });

  test('signatures are bound to the contract: the same pair and config on contract v3 (another address) refuses v4\'s states, and back', async () => {
    const w4 = await openWorld();
    const v3 = w4.bc.openContract(ChannelContract.createFromConfig(w4.config, CHANNEL_CODE_V3));
    assert.ok(!v3.address.equals(w4.channel.address));
    expectOk(await v3.sendDeploy(w4.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), v3.address);
    expectOk(await v3.sendDeposit(w4.b.getSender(), { amount: DEP_B }), v3.address);
    const for4 = signBoth(w4, st(w4, 7n, TOTAL, 0n, 'close'));
    const for3 = signBoth(w4, st(w4, 7n, TOTAL, 0n, 'close', v3.address));
    expectExit(await v3.sendCooperativeClose(w4.a.getSender(), for4), v3.address, ChannelExit.WRONG_CHANNEL, w4.a.address);
    expectExit(await w4.channel.sendCooperativeClose(w4.a.getSender(), for3), w4.channel.address, ChannelExit.WRONG_CHANNEL, w4.a.address);
    expectExit(await w4.channel.sendStartClose(w4.a.getSender(), signBoth(w4, st(w4, 7n, TOTAL, 0n, 'state', v3.address))), w4.channel.address, ChannelExit.WRONG_CHANNEL, w4.a.address);
    assert.equal((await w4.channel.getChannelStatus()).status, 'open');
    assert.equal((await v3.getChannelStatus()).status, 'open');
  });
});
