// B refused A's initial state (NOT_LOCKED) while its reads lagged behind the lock; when its watch then saw the lock,
// its record could not be saved (a full disk, for a moment): the failed transition ran none of the lock's effects,
// and the failure's path did not ask A for the initial state again. With both nodes still connected, the channel
// stayed unopened until a reconnect or the initial timer's exit. Two real nodes over loopback libp2p on one
// SandboxChain, Bob's reads lagging and his first save of the locked record failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closePair, openPair, until } from '../helpers/nodes.js';
import { bobLagging, bobRefusesInitial, failOneSave } from '../helpers/lagging.js';

test('B refused the initial state before the lock and cannot save the lock: it still asks for the state, the channel opens', async () => {
  const p = await openPair({ initialTimeoutMs: 600_000 });
  try {
    const { lagging, reconnects } = await bobLagging(p);

    await bobRefusesInitial(p);
    await until("Bob's watch saw the lock (held back by the lagging endpoint)", () => lagging.held.length > 0);
    assert.equal(p.bob.currentChannel()!.latest, null, 'no step 0 on Bob');

    // Bob's first save of the locked record fails (a full disk, for a moment).
    const failed = failOneSave(p.bob, (r) => r.life === 'locked');

    lagging.catchUp();
    await until("Bob's watch saw the lock, unsaved", () => failed() && p.bob.currentChannel()?.phase !== 'funding');
    await until('the channel open on both sides', () => p.alice.currentChannel()?.phase === 'open' && p.bob.currentChannel()?.phase === 'open', 20_000);
    assert.equal(p.bob.currentChannel()!.latest?.step, 0n);
    assert.equal(reconnects(), 0, 'no reconnect');
  } finally {
    await closePair(p);
  }
});
