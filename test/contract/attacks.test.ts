// Attacks the other contract tests do not try: the last step number, a cooperative close racing a unilateral close
// or an exit, a state signed for the same terms on another chain, and large inputs around a signed state.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Blockchain } from '@ton/sandbox';
import { beginCell, toNano } from '@ton/core';
import { ChannelContract, ChannelExit, OP_CHALLENGE, challengeBody } from '../../src/contract/index.js';
import { MAX_STEP, stateToCell } from '../../src/core/state.js';
import {
  DEP_A, DEP_B, NOW, PERIOD, TOTAL, balancesBefore, checkPayout, compute, expectExit, expectOk, openWorld, signBoth, st, txOn, type World,
} from './helpers.js';

/** B's stale close (step 5) and A's latest close state (step 9, more to A). */
async function staleAndClose(w: World) {
  return { stale: signBoth(w, st(w, 5n, toNano('3'), toNano('5'))), close: signBoth(w, st(w, 9n, toNano('6'), toNano('2'), 'close')) };
}

describe('channel contract: attacks', () => {
  test('the last step number: a close with step 2^64-1 raises the floor to 2^64 (no state above it), then pays it', async () => {
    const w = await openWorld();
    expectOk(await w.channel.sendStartClose(w.a.getSender(), signBoth(w, st(w, MAX_STEP, toNano('2'), toNano('6')))), w.channel.address);
    assert.equal((await w.channel.getChannelData()).stepFloor, MAX_STEP + 1n);
    expectExit(await w.channel.sendChallenge(w.b.getSender(), signBoth(w, st(w, MAX_STEP, toNano('7'), toNano('1')))), w.channel.address, ChannelExit.STEP_NOT_HIGHER, w.b.address);
    expectExit(await w.channel.sendCooperativeClose(w.b.getSender(), signBoth(w, st(w, MAX_STEP, toNano('7'), toNano('1'), 'close'))), w.channel.address, ChannelExit.STEP_NOT_HIGHER, w.b.address);
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    await checkPayout(w, (await w.channel.sendFinishClose(w.b.getSender())).transactions, before, { step: MAX_STEP, balanceA: toNano('2'), balanceB: toNano('6') }, w.b.address);
  });

  for (const first of ['stale close', 'exit'] as const) {
    for (const order of ['before', 'after'] as const) {
      test(`a cooperative close racing B's ${first} (the close lands ${order} it): the close state is paid at once`, async () => {
        const w = await openWorld();
        const { stale, close } = await staleAndClose(w);
        const unilateral = () => (first === 'exit' ? w.channel.sendExit(w.b.getSender()) : w.channel.sendStartClose(w.b.getSender(), stale));
        if (order === 'after') expectOk(await unilateral(), w.channel.address);
        const before = await balancesBefore(w);
        const r = await w.channel.sendCooperativeClose(w.a.getSender(), close);
        await checkPayout(w, r.transactions, before, { step: 9n, balanceA: toNano('6'), balanceB: toNano('2') }, w.a.address);
        if (order === 'before') {
          const d = txOn((await unilateral()).transactions, w.channel.address).description;
          assert.ok(d.type === 'generic' && d.aborted, 'the later close is refused');
          assert.equal((await w.channel.getChannelStatus()).status, 'closed');
        }
      });
    }
  }

  test('the same terms on another chain give the same address: a state both signed there counts here (the node binds ids to a network)', async () => {
    const w = await openWorld();
    const other = await Blockchain.create();
    other.now = NOW;
    const twin = other.openContract(ChannelContract.createFromConfig(w.config));
    assert.ok(twin.address.equals(w.channel.address), 'one address on both chains');
    const a = await other.treasury('party-a');
    const b = await other.treasury('party-b');
    assert.ok(a.address.equals(w.a.address) && b.address.equals(w.b.address), 'the same wallets');
    expectOk(await twin.sendDeploy(a.getSender(), { value: DEP_A + toNano('0.05'), deposit: DEP_A }), twin.address);
    expectOk(await twin.sendDeposit(b.getSender(), { amount: DEP_B }), twin.address);
    // a close state signed for the first chain's channel pays out on the other one
    expectOk(await twin.sendCooperativeClose(a.getSender(), signBoth(w, st(w, 3n, TOTAL, 0n, 'close'))), twin.address);
    assert.equal((await twin.getChannelStatus()).status, 'closed');
  });

  test('large inputs: junk refs and bits after the signatures change nothing and cost the sender only; a state with a bit more is refused', async () => {
    const w = await openWorld();
    expectOk(await w.channel.sendStartClose(w.b.getSender(), signBoth(w, st(w, 5n, toNano('3'), toNano('5')))), w.channel.address);
    const s = signBoth(w, st(w, 8n, toNano('4'), toNano('4')));
    const junk = () => beginCell().storeBuffer(Buffer.alloc(127, 0xee)).endCell();
    // a stranger's layout with a longer sig_b cell and three junk refs after it
    const sigB = beginCell().storeBuffer(s.sigB).storeUint(0x5a, 8).storeRef(junk()).endCell();
    const body = beginCell().storeUint(OP_CHALLENGE, 32).storeBuffer(s.sigA).storeRef(stateToCell(s.state)).storeMaybeRef(sigB).storeRef(junk()).storeRef(junk()).storeUint(7, 200).endCell();
    const plain = await w.channel.sendChallenge(w.stranger.getSender(), { ...signBoth(w, st(w, 6n, toNano('4'), toNano('4'))), by: 'other' });
    const gasPlain = compute(txOn(plain.transactions, w.channel.address))!.gasUsed;
    const r = await w.stranger.send({ to: w.channel.address, value: toNano('0.05'), bounce: true, body });
    const c = compute(txOn(r.transactions, w.channel.address))!;
    assert.equal(c.exitCode, 0);
    assert.ok(c.gasUsed <= gasPlain + 200n, `gas ${c.gasUsed} vs ${gasPlain}: the junk is not read`);
    const data = await w.channel.getChannelData();
    assert.equal(data.storedState?.step, 8n);
    assert.equal(data.deadline, NOW + PERIOD, 'the deadline never moves');
    // the same state with one more bit is another cell: its hash is not what both signed
    const padded = beginCell().storeSlice(stateToCell(st(w, 9n, toNano('4'), toNano('4'))).beginParse()).storeBit(0).endCell();
    const nine = signBoth(w, st(w, 9n, toNano('4'), toNano('4')));
    const bad = beginCell().storeUint(OP_CHALLENGE, 32).storeBuffer(nine.sigA).storeRef(padded).storeMaybeRef(beginCell().storeBuffer(nine.sigB).endCell()).endCell();
    expectExit(await w.stranger.send({ to: w.channel.address, value: toNano('0.05'), bounce: true, body: bad }), w.channel.address, ChannelExit.BAD_SIGNATURE_A, w.stranger.address);
    // a party's message in a stranger's layout (both signatures) is read as the party's: its own signature is no B's
    expectExit(await w.a.send({ to: w.channel.address, value: toNano('0.05'), bounce: true, body: challengeBody(nine, 'other') }), w.channel.address, ChannelExit.BAD_SIGNATURE_B, w.a.address);
    assert.equal((await w.channel.getChannelData()).storedState?.step, 8n);
  });
});
