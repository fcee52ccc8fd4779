// A partner's channel.reject while this node's deployment may still land makes the node read the chain (the
// contract and its clock) to know whether to keep the channel. A flood of them, all arriving before the first
// read returned, made one read each: operations that a paced endpoint serves before every watch's read and that a
// challenge on another channel waits behind. Concurrent rejects share one look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { waitForEvent } from '../../src/node/index.js';
import { Mallory } from './mallory.js';
import { TON } from './scene.js';
import { World } from './world.js';

/** Reads of a contract asked for (counted as they are asked, not as they return). */
const asked = { reads: 0 };

/**
 * Deployments through this chain are "not seen in time" (TIMEOUT, sent): they may still land, and never do. Its reads
 * of a contract take a moment, as on a paced endpoint.
 */
const lostDeploys = (c: Chain): Chain =>
  new Proxy(c, {
    get(target, prop, receiver) {
      if (prop === 'deployChannel') return () => Promise.reject(new ChainError('TIMEOUT', 'injected: the deployment was not seen on chain in time', { sent: true }));
      if (prop === 'getChannelStatus') {
        return (...a: Parameters<Chain['getChannelStatus']>) => {
          asked.reads++;
          return new Promise((r) => setTimeout(r, 100)).then(() => target.getChannelStatus(...a));
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;

test("a flood of channel.reject while this node's deployment may still land reads the chain once, not once per message", async () => {
  const w = await World.create();
  let mallory: Mallory | undefined;
  try {
    const alice = await w.node('alice', { wrap: lostDeploys });
    const bob = await w.node('bob');
    const addr = await w.link(alice, bob);
    const proposed = waitForEvent(bob.node, 'channelProposed');
    const view = await alice.node.open({ myDeposit: TON('3'), partnerDeposit: TON('1'), partner: bob.node.getAccount() });
    await proposed;
    const timedOut = waitForEvent(alice.node, 'error', (e) => e.code === 'TIMEOUT', 30_000);
    void bob.node.deposit(undefined, { channel: view.channelId }).catch(() => undefined); // accepts, waits for the deployment
    await timedOut;
    assert.equal(alice.node.channel(view.channelId)!.phase, 'accepted', 'the deployment may still land');
    await w.stop(bob);
    mallory = await Mallory.connect(bob.keyPair, bob.node.getAccount(), addr);
    const told = waitForEvent(alice.node, 'partnerDeclined', () => true, 30_000);
    const before = asked.reads;
    const n = 200;
    await mallory.flood(n, () => ({ type: 'channel.reject', channelId: BigInt(view.channelId), reason: 'declined' }), 2_000);
    await told;
    // one look at the contract, then the node follows it (its watch's first read)
    const reads = asked.reads - before;
    await mallory.delivered();
    assert.equal(alice.node.channel(view.channelId)!.actions.deposit.ok, false, 'the decline kept');
    assert.ok(reads <= 3, `${reads} reads of the contract for ${n} rejects`);
  } finally {
    await mallory?.stop();
    await w.close();
  }
});
