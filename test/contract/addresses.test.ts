// Payout addresses must be basechain wallets. A payout to a workchain that does not exist fails in the action
// phase, so a partner who named such an address (and expected no deposit of its own) could lock the other's
// deposit in for good: every finish_close and cooperative_close would fail. Such a channel takes no deposit.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, contractAddress, toNano, type Builder } from '@ton/core';
import { CHANNEL_CODE, ChannelContract, ChannelExit, DEPOSIT_FEE, depositBody } from '../../src/contract/index.js';
import { DEP_A, DEP_B, balance, compute, expectExit, makeWorld, rawWorld, txOn } from './helpers.js';

const OTHER = [
  ['a workchain that does not exist (7)', 7],
  ['the masterchain (-1)', -1],
] as const;

describe('channel contract: payout addresses outside the basechain', () => {
  for (const [where, wc] of OTHER) {
    for (const bad of ['A', 'B'] as const) {
      test(`${bad}'s address in ${where}, no deposit expected of ${bad}: the other's deposit bounces, nothing locks`, async () => {
        const odd = new Address(wc, Buffer.alloc(32, 0x77));
        const w = await rawWorld(bad === 'A' ? { addressA: odd, expectedDepositA: 0n } : { addressB: odd, expectedDepositB: 0n });
        assert.throws(() => ChannelContract.createFromConfig(w.config), { code: 'BAD_CONFIG' });
        const honest = bad === 'A' ? w.b : w.a;
        const amount = bad === 'A' ? DEP_B : DEP_A;
        const before = await balance(w, honest.address);
        const r = await honest.send({ to: w.channel.address, value: amount + DEPOSIT_FEE, bounce: true, init: w.init, body: depositBody(amount) });
        expectExit(r, w.channel.address, ChannelExit.BAD_ADDRESS, honest.address);
        assert.equal(await balance(w, w.channel.address), 0n, 'the deposit came back');
        const lost = before - (await balance(w, honest.address));
        assert.ok(lost > 0n && lost < toNano('0.05'), `the honest party lost only fees, ${lost}`);
        const s = await w.channel.getChannelStatus();
        assert.ok(s.status === 'funding' || s.status === 'not_deployed', s.status);
        if (s.status === 'funding') assert.equal(s.data.depositA + s.data.depositB, 0n);
      });
    }
  }

  test('a deposit to a channel whose partner address is outside the basechain bounces after the deploy too', async () => {
    const w = await rawWorld({ addressB: new Address(7, Buffer.alloc(32, 0x77)) });
    expectExit(await w.a.send({ to: w.channel.address, value: DEP_A + DEPOSIT_FEE, bounce: true, init: w.init, body: depositBody(DEP_A) }), w.channel.address, ChannelExit.BAD_ADDRESS, w.a.address);
    expectExit(await w.a.send({ to: w.channel.address, value: DEP_A + DEPOSIT_FEE, bounce: true, body: depositBody(DEP_A) }), w.channel.address, ChannelExit.BAD_ADDRESS, w.a.address);
    assert.equal(await balance(w, w.channel.address), 0n);
  });

  // Basechain addresses the wallet layer cannot name (an anycast addr_std, an addr_var): the storage's address
  // fields take only a plain addr_std, so the contract cannot even read such storage and no deposit stays.
  for (const [kind, storeB] of [
    ['an anycast addr_std', (b: Builder) => b.storeUint(0b10, 2).storeBit(1).storeUint(1, 5).storeBit(1).storeInt(0, 8).storeBuffer(Buffer.alloc(32, 0x77))],
    ['an addr_var', (b: Builder) => b.storeUint(0b11, 2).storeBit(0).storeUint(256, 9).storeInt(0, 32).storeBuffer(Buffer.alloc(32, 0x77))],
  ] as const) {
    test(`B's address is ${kind} in workchain 0: A's deposit bounces`, async () => {
      const w = await makeWorld({ expectedDepositB: 0n });
      const c = w.config;
      const params = beginCell().storeBuffer(c.publicKeyA, 32).storeBuffer(c.publicKeyB, 32).storeUint(c.channelId, 64).endCell();
      const b = beginCell().storeUint(0, 2).storeUint(0, 65).storeCoins(0n).storeCoins(0n).storeAddress(c.addressA);
      storeB(b);
      const data = b.storeRef(params).storeUint(0, 40).storeUint(0, 1).storeMaybeRef(null).storeCoins(c.expectedDepositA).storeCoins(0n).storeUint(c.challengePeriod, 32).endCell();
      const init = { code: CHANNEL_CODE, data };
      const address = contractAddress(0, init);
      const r = await w.a.send({ to: address, value: DEP_A + DEPOSIT_FEE, bounce: true, init, body: depositBody(DEP_A) });
      assert.notEqual(compute(txOn(r.transactions, address))?.exitCode, 0);
      const bounce = [...txOn(r.transactions, address).outMessages.values()].find((m) => m.info.type === 'internal' && m.info.bounced);
      assert.ok(bounce && bounce.info.type === 'internal' && bounce.info.dest.equals(w.a.address), 'the deposit bounces to A');
      assert.equal(await balance(w, address), 0n, 'nothing stays');
    });
  }
});
