// A partner's channel.reject of a funding channel is a claim: an honest node declines one only with nothing of its
// own in the contract. A partner that deposited and then declines was told to the person as "holds nothing of
// theirs", which is false: the node reads the contract, says the partner's deposit is there (theirs to take back
// with refund), and still puts nothing more of this node's in.
// A reject that comes after both deposits landed, before the watch saw the lock, is told as a lock: refund no
// longer takes a deposit back, leave does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import type { Chain, ChannelEvent } from '../../src/chain/types.js';
import { waitForEvent } from '../../src/node/index.js';
import { Mallory } from './mallory.js';
import { TON } from './scene.js';
import { World, until, type NodeHandle } from './world.js';

/** A chain whose watches' events wait while `held` (a watch that has not polled yet); `release` lets them through. */
function heldWatches() {
  let held = false;
  const queued: (() => void)[] = [];
  const wrap = (c: Chain): Chain =>
    new Proxy(c, {
      get(target, prop, receiver) {
        if (prop !== 'watchChannel') return Reflect.get(target, prop, receiver) as unknown;
        return (ch: Address, o: Parameters<Chain['watchChannel']>[1]) =>
          target.watchChannel(ch, { ...o, onEvent: (e: ChannelEvent) => (held ? queued.push(() => o.onEvent(e)) : o.onEvent(e)) });
      },
    });
  const hold = () => void (held = true);
  const release = () => {
    held = false;
    for (const f of queued.splice(0)) f();
  };
  return { wrap, hold, release };
}

/** Alice proposes 3 TON / 1 TON; Bob accepts and stops before his deposit; Alice deploys, Bob sees it funding. */
async function fundedByAlice(w: World, bob: NodeHandle, alice: NodeHandle): Promise<string> {
  const proposed = waitForEvent(bob.node, 'channelProposed');
  const view = await alice.node.open({ myDeposit: TON('3'), partnerDeposit: TON('1'), partner: bob.node.getAccount() });
  await proposed;
  const stop = new AbortController();
  const accepting = bob.node.deposit(undefined, { channel: view.channelId, signal: stop.signal }).catch(() => undefined);
  await until(() => bob.node.channel(view.channelId)?.phase !== 'proposed', 'the acceptance');
  stop.abort();
  await accepting;
  await until(() => bob.node.channel(view.channelId)?.phase === 'funding', "Alice's deployment, seen by Bob", 60_000);
  return view.channelId;
}

test("a funding channel declined by a partner whose deposit is in it says so (theirs to take back), not 'holds nothing of theirs'", async () => {
  const w = await World.create();
  let mallory: Mallory | undefined;
  try {
    const bob = await w.node('bob');
    const alice = await w.node('alice');
    const addr = await w.link(bob, alice);
    // Bob accepts, and stops before his deposit: Alice deploys with hers, and the channel funds.
    const channel = await fundedByAlice(w, bob, alice);
    await w.stop(alice);
    mallory = await Mallory.connect(alice.keyPair, alice.node.getAccount(), addr);
    const told = waitForEvent(bob.node, 'partnerDeclined', () => true, 30_000);
    mallory.say({ type: 'channel.reject', channelId: BigInt(channel), reason: 'declined' });
    const e = await told;
    assert.doesNotMatch(e.message, /holds nothing of theirs/);
    assert.match(e.message, /their deposit of 3 TON/);
    assert.match(e.message, /refund/);
    assert.equal(e.next, 'decline', 'nothing of Bob is in it');
    const after = bob.node.channel(channel)!;
    assert.equal(after.actions.deposit.ok, false, 'nothing more of Bob goes in');
    assert.equal(after.actions.decline.ok, true, 'Bob can stop following it');
  } finally {
    await mallory?.stop();
    await w.close();
  }
});

test('a funding channel declined after both deposits landed, before the watch saw the lock, is told as locked (leave), not refund', async () => {
  const w = await World.create();
  const watches = heldWatches();
  let mallory: Mallory | undefined;
  try {
    const bob = await w.node('bob', { wrap: watches.wrap });
    const alice = await w.node('alice');
    const addr = await w.link(bob, alice);
    const channel = await fundedByAlice(w, bob, alice);
    await w.stop(alice);
    mallory = await Mallory.connect(alice.keyPair, alice.node.getAccount(), addr);
    // Bob's deposit lands (sent before a crash, say) while his watch has not polled since: the contract locks.
    watches.hold();
    const contract = Address.parse(bob.node.channel(channel)!.contract);
    await w.chain.deposit(await w.chain.openWallet(bob.keyPair), contract, TON('1'));
    assert.equal((await w.chain.getChannelStatus(contract)).status, 'open', 'locked on chain');
    assert.equal(bob.node.channel(channel)!.phase, 'funding', 'not seen by Bob yet');
    const told = waitForEvent(bob.node, 'partnerDeclined', () => true, 30_000);
    mallory.say({ type: 'channel.reject', channelId: BigInt(channel), reason: 'declined' });
    const e = await told;
    assert.match(e.message, /locked/);
    assert.match(e.message, /leave with the deposits \(leave\)/);
    assert.doesNotMatch(e.message, /Take your deposit back with refund/);
    assert.equal(e.next, 'exit');
    const after = bob.node.channel(channel)!;
    assert.equal(after.phase, 'locked');
    assert.equal(after.actions.exit.ok, true, 'what the message offers is allowed');
    assert.equal(after.actions.refund.ok, false);
  } finally {
    watches.release();
    await mallory?.stop();
    await w.close();
  }
});
