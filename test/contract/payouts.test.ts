// Who gets what when the payout is not the plain case: storage ate into uneven balances, a party's wallet does
// not exist or is frozen, extra currencies were sent to the channel.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, toNano, type Transaction } from '@ton/core';
import { internal } from '@ton/sandbox';
import { ChannelExit, DEPOSIT_FEE, depositBody, exitBody } from '../../src/contract/index.js';
import {
  DEP_A, DEP_B, NOW, PERIOD, balance, balancesBefore, checkPayout, compute, expectOk, makeWorld, payouts, signBoth, st, storageFee, txOn,
  type World,
} from './helpers.js';

const YEAR = 365 * 24 * 3600;
const SMALL = toNano('0.1');

async function openSmall(): Promise<World> {
  const w = await makeWorld({ expectedDepositA: SMALL, expectedDepositB: SMALL, challengePeriod: 60 });
  expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: SMALL + DEPOSIT_FEE, deposit: SMALL }), w.channel.address);
  expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: SMALL }), w.channel.address);
  return w;
}

function extraOf(tx: Transaction): number {
  let n = 0;
  for (const m of tx.outMessages.values()) if (m.info.type === 'internal' && m.info.value.other && m.info.value.other.size > 0) n++;
  return n;
}

describe('channel contract: payouts off the plain case', () => {
  test('storage ate into the deposits: the loss is halved between the balances, and a balance smaller than its half is all its owner loses', async () => {
    for (const [balA, expectB0] of [[toNano('0.15'), false], [toNano('0.19'), true]] as const) {
      const w = await openSmall();
      const total = 2n * SMALL;
      expectOk(await w.channel.sendStartClose(w.a.getSender(), signBoth(w, st(w, 1n, balA, total - balA))), w.channel.address);
      w.bc.now = NOW + 5 * YEAR;
      const before = await balancesBefore(w);
      const r = await w.channel.sendFinishClose(w.b.getSender());
      const ctx = expectOk(r, w.channel.address);
      const b0 = before.contract - storageFee(ctx);
      const loss = total - b0;
      assert.ok(loss > toNano('0.04'), `a loss of ${loss}`);
      const { shareA, shareB } = await checkPayout(w, r.transactions, before, { step: 1n, balanceA: balA, balanceB: total - balA }, w.b.address);
      if (expectB0) {
        assert.equal(shareB, 0n, 'B\'s 0.01 was below half the loss: B gets nothing');
        assert.equal(shareA, b0, 'A bears the rest');
      } else {
        assert.equal(balA - shareA, (loss + 1n) / 2n, 'A bears half (the odd nanoton)');
        assert.equal(total - balA - shareB, loss / 2n, 'B bears half');
      }
    }
  });

  test('a party whose wallet does not exist or is frozen is paid all the same, and the other party is paid', async () => {
    for (const kind of ['none', 'frozen'] as const) {
      const addressB = new Address(0, Buffer.alloc(32, kind === 'none' ? 0x5b : 0x5c));
      const w = await makeWorld({ addressB, expectedDepositB: 0n });
      if (kind === 'frozen') {
        w.bc.setShardAccount(addressB, {
          account: {
            addr: addressB,
            storage: { lastTransLt: 0n, balance: { coins: 0n }, state: { type: 'frozen', stateHash: 1n } },
            storageStats: { used: { cells: 1n, bits: 100n }, lastPaid: NOW, duePayment: null, storageExtra: null },
          },
          lastTransactionLt: 0n,
          lastTransactionHash: 0n,
        });
      }
      expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
      assert.equal((await w.channel.getChannelStatus()).status, 'open');
      const r = await w.channel.sendCooperativeClose(w.a.getSender(), signBoth(w, st(w, 4n, DEP_A - toNano('1'), toNano('1'), 'close')));
      const ctx = expectOk(r, w.channel.address);
      assert.ok(ctx.description.type === 'generic' && ctx.description.actionPhase?.success, 'the payout is sent');
      const p = payouts(ctx);
      assert.ok(p.paidB >= toNano('1'), `B's share: ${p.paidB}`);
      assert.ok(p.change > DEP_A - toNano('1') - toNano('0.01'), 'A is paid');
      const b = await w.bc.getContract(addressB);
      assert.equal(b.balance, p.paidB, `B's ${kind === 'none' ? 'uninit' : 'frozen'} account holds B's share`);
      assert.equal(b.accountState?.type ?? 'uninit', kind === 'none' ? 'uninit' : 'frozen');
      assert.equal(await balance(w, w.channel.address), 0n);
      assert.equal((await w.channel.getChannelStatus()).status, 'closed');
    }
  });

  test('extra currencies accepted by the channel go to no party (modes 64 and 128 carry TON only) and stay on it; the TON shares are as without them', async () => {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
    const send = (body = beginCell().endCell(), value = toNano('1'), bounce = true) =>
      w.bc.sendMessage(internal({ from: w.b.address, to: w.channel.address, value, bounce, body, ec: [[100, 1000n]] }));
    const dep = txOn((await send(depositBody(DEP_B), DEP_B + DEPOSIT_FEE + toNano('0.5'))).transactions, w.channel.address);
    assert.equal(compute(dep)?.exitCode, 0);
    assert.equal((await w.channel.getChannelStatus()).status, 'open');
    const plain = txOn((await send()).transactions, w.channel.address);
    const refused = txOn((await send(depositBody(1n))).transactions, w.channel.address);
    assert.equal(compute(refused)?.exitCode, ChannelExit.NOT_FUNDING);
    const exit = txOn((await send(exitBody())).transactions, w.channel.address);
    for (const tx of [dep, plain, exit]) assert.equal(extraOf(tx), 0, 'the change carries no extra currency');
    const held = (await w.bc.getContract(w.channel.address)).ec;
    assert.equal(extraOf(refused), 1, 'a refused message bounces with its extra currency');
    assert.equal(held[100], 3000n, 'the deposit\'s, the plain transfer\'s and the exit\'s extra currency stay on the channel');
    w.bc.now = NOW + PERIOD;
    const before = await balancesBefore(w);
    const r = await w.channel.sendFinishClose(w.a.getSender());
    const ctx = expectOk(r, w.channel.address);
    assert.equal(extraOf(ctx), 0, 'neither payout carries it');
    await checkPayout(w, r.transactions, before, { step: null, balanceA: DEP_A, balanceB: DEP_B }, w.a.address);
    assert.equal((await w.bc.getContract(w.channel.address)).ec[100], 3000n, 'it stays on the closed address for ever');
  });
});
