// Storage debt past the freeze limit in the phases the other tests do not freeze: FUNDING (a deposit that waited
// decades for the other) and CLOSING (an exit whose finish never came). Unfrozen with the frozen state init, each
// exit path still pays: the refund, the finish.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cell, toNano } from '@ton/core';
import { DEPOSIT_FEE } from '../../src/contract/index.js';
import { MAX_CHALLENGE_PERIOD } from '../../src/contract/layout.js';
import { NOW, balance, balancesBefore, checkPayout, expectOk, makeWorld, txOn, type World } from './helpers.js';

const YEAR = 365 * 24 * 3600;
const DEP = toNano('0.01');

async function dataOf(w: World): Promise<Cell> {
  const st = (await w.bc.getContract(w.channel.address)).accountState;
  assert.ok(st?.type === 'active' && st.state.data);
  return st.state.data;
}

/** Lets decades pass and freezes the account with the message `send` sends (it bounces); returns the frozen data. */
async function freeze(w: World, send: () => Promise<{ transactions: Parameters<typeof txOn>[0] }>): Promise<Cell> {
  const data = await dataOf(w);
  w.bc.now = NOW + 30 * YEAR; // the debt is past freeze_due_limit (0.1 TON), below delete_due_limit (1 TON)
  const r = await send();
  const tx = txOn(r.transactions, w.channel.address);
  assert.equal(tx.endStatus, 'frozen');
  assert.equal((await w.channel.getChannelStatus()).status, 'frozen');
  return data;
}

describe('channel contract: frozen while funding or closing', () => {
  test('FUNDING: a deposit left alone for decades freezes the account; unfrozen, its refund takes all there is', async () => {
    const w = await makeWorld({ expectedDepositA: DEP, expectedDepositB: DEP, challengePeriod: 60 });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP + DEPOSIT_FEE, deposit: DEP }), w.channel.address);
    const data = await freeze(w, () => w.channel.sendRefund(w.a.getSender()));
    const u = await w.channel.sendUnfreeze(w.a.getSender(), { value: toNano('1'), data });
    assert.equal(txOn(u.transactions, w.channel.address).endStatus, 'active');
    assert.equal((await w.channel.getChannelStatus()).status, 'funding');
    const left = await balance(w, w.channel.address);
    assert.ok(left > toNano('0.5') && left < toNano('1'), `the unfreeze paid the debt and left the rest: ${left}`);
    // A's deposit is long gone into storage; its refund is the last deposit leaving: all the contract holds
    const r = await w.channel.sendRefund(w.a.getSender());
    const tx = expectOk(r, w.channel.address);
    const out = [...tx.outMessages.values()][0]!;
    assert.ok(out.info.type === 'internal' && out.info.dest.equals(w.a.address));
    assert.ok(out.info.value.coins > left, 'A gets back what its unfreeze left, with its message less gas');
    assert.equal(await balance(w, w.channel.address), 0n);
    assert.equal((await w.channel.getChannelData()).depositA, 0n);
  });

  test('CLOSING: an exit with a one-year window, never finished, freezes; unfrozen, the finish pays the documented shares', async () => {
    const w = await makeWorld({ expectedDepositA: DEP, expectedDepositB: DEP, challengePeriod: MAX_CHALLENGE_PERIOD });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP + DEPOSIT_FEE, deposit: DEP }), w.channel.address);
    expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP }), w.channel.address);
    expectOk(await w.channel.sendExit(w.b.getSender()), w.channel.address);
    const data = await freeze(w, () => w.channel.sendFinishClose(w.a.getSender()));
    const u = await w.channel.sendUnfreeze(w.stranger.getSender(), { value: toNano('0.5'), data });
    assert.equal(txOn(u.transactions, w.channel.address).endStatus, 'active');
    const s = await w.channel.getChannelStatus();
    assert.ok(s.status === 'closing' && s.data.exit, 'still closing with the exit record');
    // the stranger's unfreeze left its rest in the reserve: the payout splits it evenly over the deposits
    const before = await balancesBefore(w);
    const f = await w.channel.sendFinishClose(w.a.getSender());
    const { shareA, shareB } = await checkPayout(w, f.transactions, before, { step: null, balanceA: DEP, balanceB: DEP }, w.a.address);
    assert.ok(shareA - shareB <= 1n && shareB - shareA <= 1n && shareB > DEP, `B gets its deposit and half the rest: ${shareB}`);
  });
});
