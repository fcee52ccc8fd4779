// A's deployment is on chain whether or not A's node can save its record then (a full disk, for a moment): the
// phase moved to funding in memory and the contract was watched, but the partner was never told it is deployed
// (channel.deployed, an effect of the same transition): B's deposit waited for it and gave up, and every later read
// found A's channel funding already. The partner is told, then the failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { failOneSave } from '../helpers/lagging.js';
import { TON, closePair, openPair } from '../helpers/nodes.js';

test("A's deployment seen while A's record cannot be saved (a full disk) is told to the partner: B's deposit goes in", async () => {
  const p = await openPair({ bob: { deployWaitMs: 20_000 } });
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    const failed = failOneSave(p.alice, (r) => r.life === 'funding');
    const locked = waitForEvent(p.bob, 'channelLocked', () => true, 60_000);
    await p.bob.deposit();
    await locked;
    assert.ok(failed(), 'the save failed');
  } finally {
    await closePair(p);
  }
});
