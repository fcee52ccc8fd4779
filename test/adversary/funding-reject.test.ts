// A partner's channel.reject of a funding channel is a claim: an honest node declines one only with nothing of its
// own in the contract. A partner that deposited and then declines was told to the person as "holds nothing of
// theirs", which is false: the node reads the contract, says the partner's deposit is there (theirs to take back
// with refund), and still puts nothing more of this node's in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { Mallory } from './mallory.js';
import { TON } from './scene.js';
import { World, until } from './world.js';

test("a funding channel declined by a partner whose deposit is in it says so (theirs to take back), not 'holds nothing of theirs'", async () => {
  const w = await World.create();
  let mallory: Mallory | undefined;
  try {
    const bob = await w.node('bob');
    const alice = await w.node('alice');
    const addr = await w.link(bob, alice);
    const proposed = waitForEvent(bob.node, 'channelProposed');
    const view = await alice.node.open({ myDeposit: TON('3'), partnerDeposit: TON('1'), partner: bob.node.getAccount() });
    await proposed;
    // Bob accepts, and stops before his deposit: Alice deploys with hers, and the channel funds.
    const stop = new AbortController();
    const accepting = bob.node.deposit(undefined, { channel: view.channelId, signal: stop.signal }).catch(() => undefined);
    await until(() => bob.node.channel(view.channelId)?.phase !== 'proposed', 'the acceptance');
    stop.abort();
    await accepting;
    await until(() => bob.node.channel(view.channelId)?.phase === 'funding', "Alice's deployment, seen by Bob", 60_000);
    await w.stop(alice);
    mallory = await Mallory.connect(alice.keyPair, alice.node.getAccount(), addr);
    const told = waitForEvent(bob.node, 'partnerDeclined', () => true, 30_000);
    mallory.say({ type: 'channel.reject', channelId: BigInt(view.channelId), reason: 'declined' });
    const e = await told;
    assert.doesNotMatch(e.message, /holds nothing of theirs/);
    assert.match(e.message, /their deposit of 3 TON/);
    assert.match(e.message, /refund/);
    assert.equal(e.next, 'decline', 'nothing of Bob is in it');
    const after = bob.node.channel(view.channelId)!;
    assert.equal(after.actions.deposit.ok, false, 'nothing more of Bob goes in');
    assert.equal(after.actions.decline.ok, true, 'Bob can stop following it');
  } finally {
    await mallory?.stop();
    await w.close();
  }
});
