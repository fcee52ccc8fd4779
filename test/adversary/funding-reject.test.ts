// A partner's channel.reject of a funding channel is a claim: an honest node declines one only with nothing of its
// own in the contract. A partner that deposited and then declines was told to the person as "holds nothing of
// theirs", which is false: the node reads the contract, says the partner's deposit is there (theirs to take back
// with refund), and still puts nothing more of this node's in.
// A partner that still follows a channel declined here (its copy of the decline lost) hears it again on its resync,
// as often as resync answers go, no more; one the partner declined is answered as any ended channel.
// A reject that comes after both deposits landed, before the watch saw the lock, is told as a lock: refund no
// longer takes a deposit back, leave does.
// A flood of a partner's rejects reads the chain once (the first marks the channel declined), and a third peer's
// reject or resync request of the channel is answered UNKNOWN_CHANNEL and changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Address } from '@ton/core';
import type { Chain, ChannelEvent } from '../../src/chain/types.js';
import { waitForEvent } from '../../src/node/index.js';
import { decodeRecordFile } from '../../src/node/store/record.js';
import { Mallory, stranger } from './mallory.js';
import { TON } from './scene.js';
import { World, until, type NodeHandle } from './world.js';
import { RESYNC_BURST, RESYNC_PER_SECOND } from '../../src/node/sync.js';

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
  // Alice's deployment waits until Bob stopped waiting for it (his deposit never goes)
  let go: () => void = () => undefined;
  const held = new Promise<void>((r) => (go = r));
  const restore = w.slowWallet(alice, () => held);
  const stop = new AbortController();
  const accepting = bob.node.deposit(undefined, { channel: view.channelId, signal: stop.signal }).catch(() => undefined);
  await until(() => bob.node.channel(view.channelId)?.phase !== 'proposed', 'the acceptance');
  stop.abort();
  await accepting;
  restore();
  go();
  await until(() => bob.node.channel(view.channelId)?.phase === 'funding', "Alice's deployment, seen by Bob", 60_000);
  return view.channelId;
}

/** Bob and Alice linked, with a channel Alice funded (fundedByAlice); Bob's chain wrapped by `wrap` if given. */
async function fundedPair(w: World, wrap?: (c: Chain) => Chain) {
  const bob = await w.node('bob', wrap ? { wrap } : {});
  const alice = await w.node('alice');
  const addr = await w.link(bob, alice);
  return { bob, alice, addr, channel: await fundedByAlice(w, bob, alice) };
}

test("a funding channel declined by a partner whose deposit is in it says so (theirs to take back), not 'holds nothing of theirs'", async () => {
  const w = await World.create();
  let mallory: Mallory | undefined;
  try {
    // Bob accepts, and stops before his deposit: Alice deploys with hers, and the channel funds.
    const { bob, alice, addr, channel } = await fundedPair(w);
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
    const { bob, alice, addr, channel } = await fundedPair(w, watches.wrap);
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

test('a resync of a channel declined here is answered with the decline again, within the resync bounds', async () => {
  const w = await World.create();
  let mallory: Mallory | undefined;
  try {
    const { bob, alice, addr, channel } = await fundedPair(w);
    const told = waitForEvent(alice.node, 'partnerDeclined', () => true, 30_000);
    await bob.node.decline({ channel });
    await told;
    const file = join(bob.dataDir, 'channels', channel, 'record.json');
    await until(async () => !('rejectOwed' in (decodeRecordFile(await readFile(file), file) as object)), 'the decline acknowledged');
    // Alice's node lost what it heard (a kill -9 before its record was written): it still follows the channel.
    await w.stop(alice);
    mallory = await Mallory.connect(alice.keyPair, alice.node.getAccount(), addr);
    const contract = bob.node.channel(channel)!.contract;
    const t0 = Date.now();
    const rejects = () => mallory!.received.filter((m) => m.type === 'channel.reject' && m.channelId === BigInt(channel)).length;
    mallory.say({ type: 'resync.request', contract, latestStep: 0n });
    await until(() => rejects() > 0, 'the decline again');
    await mallory.flood(200, () => ({ type: 'resync.request', contract, latestStep: 0n }));
    await mallory.delivered();
    const n = rejects();
    const bound = RESYNC_BURST + Math.ceil(((Date.now() - t0) / 1000) * RESYNC_PER_SECOND) + 1;
    assert.ok(n <= bound, `${n} declines for 201 requests (at most ${bound})`);
    assert.equal(mallory.received.filter((m) => m.type === 'resync.response').length, 0, 'no states of a declined channel');
  } finally {
    await mallory?.stop();
    await w.close();
  }
});

test("a resync of a channel the partner declined is not answered with a decline (it told the one who declined 'your partner declined')", async () => {
  const w = await World.create();
  let mallory: Mallory | undefined;
  try {
    const alice = await w.node('alice');
    const bob = await w.node('bob');
    const addr = await w.link(alice, bob);
    const proposed = waitForEvent(bob.node, 'channelProposed');
    const view = await alice.node.open({ myDeposit: TON('3'), partnerDeposit: TON('1'), partner: bob.node.getAccount() });
    await proposed;
    await bob.node.decline({ channel: view.channelId });
    await until(() => alice.node.channel(view.channelId)?.phase === 'rejected', "Bob's decline, heard by Alice");
    // Bob's node lost it (a kill -9): it asks Alice for the channel's states
    await w.stop(bob);
    mallory = await Mallory.connect(bob.keyPair, bob.node.getAccount(), addr);
    mallory.say({ type: 'resync.request', contract: view.contract, latestStep: 0n });
    await mallory.nextOf('resync.response');
    assert.equal(mallory.received.filter((m) => m.type === 'channel.reject').length, 0, 'Alice declined nothing');
  } finally {
    await mallory?.stop();
    await w.close();
  }
});

/** Foreground reads of contracts through this chain (a watch's polls and catch-ups are background reads). */
function countedReads() {
  const reads = { foreground: 0 };
  const wrap = (c: Chain): Chain =>
    new Proxy(c, {
      get(target, prop, receiver) {
        if (prop !== 'getChannelStatus') return Reflect.get(target, prop, receiver) as unknown;
        return (...a: Parameters<Chain['getChannelStatus']>) => {
          if (!a[1]?.background) reads.foreground++;
          return target.getChannelStatus(...a);
        };
      },
    });
  return { wrap, reads };
}

test("a partner's flood of channel.reject of a funding channel reads the chain once and is told once; a third peer's changes nothing", async () => {
  const w = await World.create();
  const counted = countedReads();
  const peers: Mallory[] = [];
  try {
    const { bob, alice, addr, channel } = await fundedPair(w, counted.wrap);
    await w.stop(alice);
    const mallory = await Mallory.connect(alice.keyPair, alice.node.getAccount(), addr);
    peers.push(mallory);
    const contract = bob.node.channel(channel)!.contract;
    // a stranger first: it names Bob's channel with Alice, and is answered UNKNOWN_CHANNEL for each message
    const eve = await stranger(addr);
    peers.push(eve);
    eve.say({ type: 'channel.reject', channelId: BigInt(channel), reason: 'declined' });
    eve.say({ type: 'resync.request', contract, latestStep: 0n });
    await until(() => eve.count('error') >= 2, "the stranger's answers");
    assert.deepEqual([...new Set(eve.errors())], ['UNKNOWN_CHANNEL']);
    assert.equal(eve.count('channel.reject'), 0, 'the stranger hears no decline');
    assert.equal(bob.node.channel(channel)!.actions.deposit.ok, true, 'the channel is as it was: Bob may deposit');
    // the partner's flood: one read of the contract (the decline's), one notice
    const before = counted.reads.foreground;
    let notices = 0;
    const off = bob.node.on((e) => void (e.type === 'partnerDeclined' && notices++));
    await mallory.flood(300, () => ({ type: 'channel.reject', channelId: BigInt(channel), reason: 'declined' }), 2_000);
    await mallory.delivered();
    await until(() => notices > 0, 'the decline told');
    off();
    assert.equal(notices, 1);
    assert.ok(counted.reads.foreground - before <= 1, `${counted.reads.foreground - before} reads of the chain for 300 declines`);
    assert.equal(bob.node.channel(channel)!.phase, 'funding');
  } finally {
    for (const p of peers) await p.stop();
    await w.close();
  }
});
