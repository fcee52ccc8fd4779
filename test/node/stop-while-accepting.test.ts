// A node stopped (window reload, Stop the Node, a network switch) just as a deposit accepts a partner's
// proposal. The deposit must end with the node's own words for a stop (NODE_STOPPED: what became of it, what to do),
// never a storage error the extension shows as "this is a bug".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { TON, closePair, openPair } from '../helpers/nodes.js';

test('a stop while a deposit accepts the proposal: the deposit says the node stopped, not a storage error', async () => {
  const p = await openPair();
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    await proposed;
    // Alice goes away: she deploys nothing, Bob's deposit waits for the contract
    await p.alice.stop();
    const deposit = p.bob.deposit().then(
      () => 'resolved',
      (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
    );
    // the window reloads the moment the proposal reads as accepted
    while (p.bob.channels()[0]?.phase !== 'accepted') await new Promise((r) => setImmediate(r));
    await p.bob.stop();
    const outcome = await deposit;
    assert.match(outcome, /^NODE_STOPPED: the node stopped/, outcome);
    assert.doesNotMatch(outcome, /storage|bug/);
  } finally {
    await closePair(p);
  }
});
