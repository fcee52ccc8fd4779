// Refunds and the fee reserve (contract v4). Each deposit message leaves what its gas did not use of DEPOSIT_FEE in
// the reserve; the payout splits it, but a channel that never opened kept it for ever once every deposit was taken
// back (about 0.009 TON per deposit, on an address nobody can empty). Now a refund takes half of the reserve while
// the other deposit stays, and the last deposit to leave takes all the contract holds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import { DEPOSIT_FEE } from '../../src/contract/index.js';
import { balance, expectOk, makeWorld, refunded, storageFee, txOn, v3World } from './helpers.js';

const DEP = toNano('1');

describe('channel contract: refunds take the reserve with them', () => {
  test('the only deposit leaves with the whole reserve: nothing stays on the address', async () => {
    const w = await makeWorld({ expectedDepositA: DEP, expectedDepositB: DEP, challengePeriod: 60 });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP + DEPOSIT_FEE, deposit: DEP }), w.channel.address);
    const c0 = await balance(w, w.channel.address);
    assert.ok(c0 > DEP, 'the deployment left part of its fee in the reserve');
    const got = await refunded(w, w.a);
    assert.equal(await balance(w, w.channel.address), 0n, 'nothing stays on the address');
    assert.ok(got > DEP && got <= c0, `A got its deposit and the reserve: ${got} of ${c0}`);
    assert.equal((await w.channel.getChannelData()).depositA, 0n);
    // and the channel can be funded again
    expectOk(await w.channel.sendDeposit(w.a.getSender(), { amount: DEP }), w.channel.address);
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP }), w.channel.address);
    assert.equal((await w.channel.getChannelData()).phase, 'open');
  });

  test('while the other deposit stays a refund takes half of the reserve; the last takes the rest', async () => {
    // B's deposit is below what it must be: the channel does not lock, both can leave
    const w = await makeWorld({ expectedDepositA: DEP, expectedDepositB: 2n * DEP, challengePeriod: 60 });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP + DEPOSIT_FEE, deposit: DEP }), w.channel.address);
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP }), w.channel.address);
    const c0 = await balance(w, w.channel.address);
    const reserve = c0 - 2n * DEP;
    assert.ok(reserve > DEPOSIT_FEE, `two deposits' fees are in the reserve: ${reserve}`);
    const gotB = await refunded(w, w.b);
    assert.equal(gotB, DEP + reserve / 2n, 'B: its deposit and half of the reserve');
    const c1 = await balance(w, w.channel.address);
    const r = await w.channel.sendRefund(w.a.getSender());
    const tx = expectOk(r, w.channel.address);
    assert.equal(await balance(w, w.channel.address), 0n, 'nothing stays on the address');
    const out = [...tx.outMessages.values()][0]!;
    assert.ok(out.info.type === 'internal' && out.info.dest.equals(w.a.address));
    assert.ok(out.info.value.coins > c1 - storageFee(txOn(r.transactions, w.channel.address)), `A: all the contract held (${c1}) and its change`);
  });

  test('a channel on contract v3 keeps running v3: its refund leaves the reserve on the address, as it did', async () => {
    const w = await v3World({ expectedDepositA: DEP, expectedDepositB: DEP, challengePeriod: 60 });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP + DEPOSIT_FEE, deposit: DEP }), w.channel.address);
    const c0 = await balance(w, w.channel.address);
    assert.equal(await refunded(w, w.a), DEP);
    assert.equal(await balance(w, w.channel.address), c0 - DEP);
  });
});
