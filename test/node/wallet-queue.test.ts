// One wallet, many channels: its sends go one at a time. A challenge (its window runs on the chain's clock) went
// out after every send queued before it: behind a few slow cooperative closes of other channels, a stale close
// stood and Bob lost 2 TON (the many-channels audit). A challenge now goes before the waiting sends that are
// not urgent; the one in flight ends first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { TON } from '../helpers/nodes.js';
import { World } from '../adversary/world.js';

const SEND_MS = 1_500;

test("a challenge goes before the wallet's queued cooperative closes of other channels", { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    const alice = await w.node('alice', { period: 60 });
    const bob = await w.node('bob', { period: 60 });
    await w.link(alice, bob);
    const others = [];
    for (let i = 0; i < 3; i++) others.push(await w.open(alice, bob, TON('3'), TON('4')));
    const victim = await w.open(alice, bob, TON('3'), TON('4'));
    await w.pay(alice, victim.channelId, TON('2'));
    // Bob's wallet messages now take SEND_MS each to reach the chain (a slow endpoint, a busy chain).
    w.slowWallet(bob, () => new Promise((r) => setTimeout(r, SEND_MS)));
    const done: string[] = [];
    const closes = others.map((c) => bob.node.withdraw({ channel: c.channelId, mode: 'cooperative' }).then(() => void done.push(c.channelId)));
    // Bob's three cooperative closes are agreed and wait for his wallet; Alice closes the victim with step 0.
    await new Promise((r) => setTimeout(r, 700));
    const challenged = waitForEvent(bob.node, 'challenged', (e) => e.channel.channelId === victim.channelId && e.byMe, 90_000);
    await alice.node.withdraw({ channel: victim.channelId, step: 0n, mode: 'unilateral', confirmStale: true });
    await challenged;
    const before = done.length;
    await Promise.all(closes);
    // the close in flight when the stale one showed may end first; the other two wait for the challenge
    assert.ok(before <= 1, `${before} cooperative closes went out before the challenge`);
  } finally {
    await w.close();
  }
});
