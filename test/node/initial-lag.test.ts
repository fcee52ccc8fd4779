// B refuses A's initial state (NOT_LOCKED) while its reads of the chain lag behind the lock (a load-balanced
// endpoint), then its watch sees the lock: the channel opens on both sides with the two nodes still connected,
// without a reconnect. Two real nodes over loopback libp2p on one SandboxChain, Bob's reads lagging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { closePair, openPair, until } from '../helpers/nodes.js';
import { bobLagging, bobRefusesInitial } from '../helpers/lagging.js';

test("B refuses the initial state while its reads lag behind the lock; once its watch sees the lock, the channel opens without a reconnect", async () => {
  const p = await openPair({ initialTimeoutMs: 600_000 });
  try {
    // Bob restarts with his reads of the chain lagging behind the lock.
    const { lagging, reconnects } = await bobLagging(p);

    const told = waitForEvent(p.alice, 'error', (e) => e.code === 'NOT_LOCKED' && e.partner === true, 60_000);
    const refused = bobRefusesInitial(p);
    // Bob's node refused Alice's initial state: its read showed the contract still funding.
    // Both are told the state is asked for again once Bob's node sees the lock (what the rest of the test shows).
    assert.match((await refused).message, /once it sees (the lock|both deposits in), it asks your partner for the state again \(nothing to do\)$/);
    // (a partner's report names its channel)
    assert.match((await told).message, /once it sees (the lock|both deposits in), it asks your node for the state again \(nothing to do\) \(channel \S+\)$/);
    await until("Bob's watch saw the lock (held back by the lagging endpoint)", () => lagging.held.length > 0);
    assert.equal(p.alice.currentChannel()!.phase, 'locked');
    assert.equal(p.bob.currentChannel()!.phase, 'funding');
    assert.equal(p.bob.currentChannel()!.latest, null, 'no step 0 on Bob');

    // The endpoint catches up: Bob's watch reports the lock, the nodes stay connected.
    lagging.catchUp();
    await until('the channel open on both sides', () => p.alice.currentChannel()?.phase === 'open' && p.bob.currentChannel()?.phase === 'open', 20_000);
    assert.equal(p.bob.currentChannel()!.latest?.step, 0n);
    assert.equal(p.alice.currentChannel()!.latest?.step, 0n);
    assert.equal(reconnects(), 0, 'no reconnect');
  } finally {
    await closePair(p);
  }
});
