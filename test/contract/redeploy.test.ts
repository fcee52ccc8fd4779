// A paid-out channel cannot be deployed again at its address, so its states are worthless there (the audit:
// the old contract destroyed itself, the same init could be redeployed and old states were valid again).
// Also: the wrapper tells the six kinds of account apart.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import { ChannelContract, DEPOSIT_FEE, depositBody, startCloseBody } from '../../src/contract/index.js';
import { DEP_A, DEP_B, NOW, PERIOD, TOTAL, balance, expectOk, makeWorld, openWorld, signBoth, st, txOn } from './helpers.js';

const YEAR = 365 * 24 * 3600;

describe('channel contract: no redeployment, and the status of an address', () => {
  test('after the payout, a deploy with the original state init bounces and the old states are refused', async () => {
    const w = await openWorld();
    const old = signBoth(w, st(w, 2n, toNano('7'), toNano('1'))); // a state that favoured A
    expectOk(await w.channel.sendCooperativeClose(w.b.getSender(), signBoth(w, st(w, 9n, toNano('1'), TOTAL - toNano('1'), 'close'))), w.channel.address);
    const closed = await w.channel.getChannelStatus();
    assert.equal(closed.status, 'closed');
    // the original deploy message (state init + A's deposit) reaches the CLOSED code and bounces
    const init = w.channel.init!;
    const r = await w.a.send({ to: w.channel.address, value: DEP_A + DEPOSIT_FEE, bounce: true, init, body: depositBody(DEP_A) });
    const tx = txOn(r.transactions, w.channel.address);
    assert.ok(tx.description.type === 'generic' && tx.description.aborted);
    assert.equal(await balance(w, w.channel.address), 0n);
    // an old state, even with the init attached, changes nothing
    const s = await w.a.send({ to: w.channel.address, value: toNano('0.05'), bounce: true, init, body: startCloseBody(old, 'A') });
    assert.ok(txOn(s.transactions, w.channel.address).description.type === 'generic');
    assert.deepEqual(await w.channel.getChannelStatus(), closed);
  });

  test('a CLOSED account frozen by storage debt refuses the original init too', async () => {
    const w = await openWorld();
    expectOk(await w.channel.sendCooperativeClose(w.a.getSender(), signBoth(w, st(w, 1n, DEP_A, DEP_B, 'close'))), w.channel.address);
    w.bc.now = NOW + 20 * YEAR; // the debt of the closed account passes freeze_due_limit
    const init = w.channel.init!;
    const r = await w.a.send({ to: w.channel.address, value: DEP_A + DEPOSIT_FEE, bounce: true, init, body: depositBody(DEP_A) });
    const tx = txOn(r.transactions, w.channel.address);
    assert.equal(tx.endStatus, 'frozen');
    const again = await w.a.send({ to: w.channel.address, value: DEP_A + DEPOSIT_FEE, bounce: true, init, body: depositBody(DEP_A) });
    const tx2 = txOn(again.transactions, w.channel.address);
    assert.ok(tx2.description.type === 'generic' && tx2.description.computePhase.type === 'skipped', 'the original init does not unfreeze it');
    assert.equal(tx2.endStatus, 'frozen');
    assert.equal((await w.channel.getChannelStatus()).status, 'frozen');
  });

  test('getChannelStatus: not deployed (even with coins), funding, open, closing, closed, frozen', async () => {
    const w = await makeWorld();
    assert.deepEqual(await w.channel.getChannelStatus(), { status: 'not_deployed', balance: 0n });
    await w.stranger.send({ to: w.channel.address, value: 1n, bounce: false });
    const s0 = await w.channel.getChannelStatus();
    assert.equal(s0.status, 'not_deployed', 'a nanoton does not make it deployed, nor closed');
    await assert.rejects(w.channel.getChannelData(), { code: 'NOT_DEPLOYED' });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
    assert.equal((await w.channel.getChannelStatus()).status, 'funding');
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP_B }), w.channel.address);
    assert.equal((await w.channel.getChannelStatus()).status, 'open');
    expectOk(await w.channel.sendExit(w.b.getSender()), w.channel.address);
    const closing = await w.channel.getChannelStatus();
    assert.ok(closing.status === 'closing' && closing.data.exit && closing.data.submitter === 'B');
    w.bc.now = NOW + PERIOD;
    expectOk(await w.channel.sendFinishClose(w.b.getSender()), w.channel.address);
    const closed = await w.channel.getChannelStatus();
    assert.deepEqual(closed, { status: 'closed', balance: 0n, paid: { step: null, tag: 'exit', balanceA: DEP_A, balanceB: DEP_B } });
    // getChannelData keeps working for a wrapper made from the config, with phase 'closed'
    assert.equal((await w.channel.getChannelData()).phase, 'closed');
    await assert.rejects(w.bc.openContract(ChannelContract.createFromAddress(w.channel.address)).getChannelData(), { code: 'NOT_DEPLOYED' });
    w.bc.now = NOW + 20 * YEAR;
    await w.a.send({ to: w.channel.address, value: toNano('0.01'), bounce: true });
    assert.equal((await w.channel.getChannelStatus()).status, 'frozen');
  });
});
