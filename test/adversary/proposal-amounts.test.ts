// Amounts at the edge in a partner's proposal: a deposit the wire takes (up to 2^120 - 1) but no channel contract
// holds (2^63 and above) is terms this node does not take: the proposer hears a decline that says why, and this
// node reports the partner's proposal, not a parameter of its own to fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { MAX_AMOUNT } from '../../src/contract/layout.js';
import { waitForEvent } from '../../src/node/index.js';
import { stranger, withVictim } from './mallory.js';
import { TON } from './scene.js';

for (const [whose, deposits] of [
  ['the proposer', { expectedDepositA: MAX_AMOUNT + 1n, expectedDepositB: TON('1') }],
  ['this node', { expectedDepositA: TON('1'), expectedDepositB: (1n << 120n) - 1n }],
] as const) {
  test(`a proposal with a deposit for ${whose} over what a channel holds is declined with the reason, and reported as the partner's`, () =>
    withVictim(async (_world, vic, addr, eves) => {
      const eve = await stranger(addr);
      eves.push(eve);
      const channelId = BigInt('0x' + randomBytes(7).toString('hex'));
      const reported = waitForEvent(vic.node, 'error');
      eve.say({ type: 'channel.propose', channelId, challengePeriod: 600, ...deposits, addressA: eve.address.toRawString(), addressB: Address.parse(vic.node.getAccount()).toRawString(), publicKeyA: eve.keyPair.publicKey.toString('hex'), publicKeyB: vic.keyPair.publicKey.toString('hex') });
      const reject = await eve.nextOf('channel.reject', (m) => m.channelId === channelId);
      assert.match(reject.reason, /a deposit is at most 9223372036\.854775807 TON/);
      const e = await reported;
      assert.equal(e.code, 'BAD_PROPOSAL');
      assert.deepEqual(vic.node.channels(), [], 'nothing held');
    }));
}
