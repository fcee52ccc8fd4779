// Payout addresses must be basechain wallets. A payout to a workchain that does not exist fails in the action
// phase, so a partner who named such an address (and expected no deposit of its own) could lock the other's
// deposit in for good: every finish_close and cooperative_close would fail. Such a channel takes no deposit.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, toNano } from '@ton/core';
import { ChannelContract, ChannelExit, DEPOSIT_FEE, depositBody } from '../../src/contract/index.js';
import { DEP_A, DEP_B, balance, expectExit, rawWorld } from './helpers.js';

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
});
