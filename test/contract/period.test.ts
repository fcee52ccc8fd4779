// The challenge window is always real: a channel whose period is below MIN_CHALLENGE_PERIOD or above
// MAX_CHALLENGE_PERIOD takes no deposit (so no money locks in it), and every allowed period gives a deadline
// that start_close and exit can store (the audit: period 0 was accepted, a period near 2^32 broke start_close).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import { ChannelContract, ChannelExit, DEPOSIT_FEE, MAX_CHALLENGE_PERIOD, MIN_CHALLENGE_PERIOD, depositBody } from '../../src/contract/index.js';
import { DEP_A, DEP_B, balance, expectExit, expectOk, netChange, openWorld, rawWorld, signBoth, st } from './helpers.js';

/** Deploys a channel with `period` through raw messages (the wrapper refuses such configs). */
async function rawDeploy(period: number) {
  const w = await rawWorld({ challengePeriod: period });
  return { w, init: w.init, address: w.channel.address, channel: w.channel };
}

describe('channel contract: the challenge period', () => {
  for (const period of [0, 1, MIN_CHALLENGE_PERIOD - 1, MAX_CHALLENGE_PERIOD + 1, 2 ** 32 - 1]) {
    test(`period ${period} s: every deposit bounces, nothing locks, no money stays`, async () => {
      const { w, init, address, channel } = await rawDeploy(period);
      assert.throws(() => ChannelContract.createFromConfig({ ...w.config, challengePeriod: period }), { code: 'BAD_CONFIG' });
      const a0 = await balance(w, w.a.address);
      const r = await w.a.send({ to: address, value: DEP_A + DEPOSIT_FEE, bounce: true, init, body: depositBody(DEP_A) });
      expectExit(r, address, ChannelExit.BAD_PERIOD, w.a.address);
      assert.equal(await balance(w, address), 0n, 'the deposit came back');
      // A lost only fees (its own transaction with the state init, the contract's compute, the bounce)
      const lost = a0 - (await balance(w, w.a.address));
      assert.equal(-lost, netChange(r.transactions, w.a.address));
      assert.ok(lost > 0n && lost < toNano('0.05'), `A lost ${lost}`);
      expectExit(await w.b.send({ to: address, value: DEP_B + DEPOSIT_FEE, bounce: true, body: depositBody(DEP_B) }), address, ChannelExit.BAD_PERIOD, w.b.address);
      expectExit(await w.b.send({ to: address, value: DEPOSIT_FEE, bounce: true, body: depositBody(0n) }), address, ChannelExit.BAD_PERIOD, w.b.address);
      const s = await channel.getChannelStatus();
      assert.ok(s.status === 'funding' || s.status === 'not_deployed', s.status);
      if (s.status === 'funding') assert.equal(s.data.depositA + s.data.depositB, 0n);
      assert.equal(await balance(w, address), 0n);
    });
  }

  for (const period of [MIN_CHALLENGE_PERIOD, MAX_CHALLENGE_PERIOD]) {
    test(`period ${period} s: start_close and exit succeed, also near the end of 32-bit chain time`, async () => {
      // the last start whose deadline chain time can still reach, and a start after it (stored whole in 40 bits)
      for (const now of [1_700_000_000, 2 ** 32 - 1 - period, 2 ** 32 - 100]) {
        const w = await openWorld({ challengePeriod: period });
        w.bc.now = now;
        const r = await w.channel.sendStartClose(w.b.getSender(), signBoth(w, st(w, 3n, DEP_A, DEP_B)));
        expectOk(r, w.channel.address);
        const data = await w.channel.getChannelData();
        assert.equal(data.deadline, now + period, 'the deadline is stored whole');
        if (now + period < 2 ** 32) {
          w.bc.now = now + period - 1;
          expectExit(await w.channel.sendFinishClose(w.a.getSender()), w.channel.address, ChannelExit.TOO_EARLY, w.a.address);
          w.bc.now = now + period;
          expectOk(await w.channel.sendFinishClose(w.a.getSender()), w.channel.address);
        }

        const w2 = await openWorld({ challengePeriod: period, channelId: 77n });
        w2.bc.now = now;
        const e = await w2.channel.sendExit(w2.a.getSender());
        expectOk(e, w2.channel.address);
        assert.equal((await w2.channel.getChannelData()).deadline, now + period);
      }
    });
  }
});
