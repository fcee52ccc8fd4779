// Closes whose windows end together (the many-channels audit): the closer's finishes wait their turn for its
// wallet while the partner, after its grace, finishes the ones still open; the closer's queued finishes then
// went out anyway and bounced off paid-out contracts, a wallet fee and a contract fee each. A finish now looks at
// the contract once its wallet is free, just before its message leaves: one already paid out is not sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TON } from '../helpers/nodes.js';
import { World, until } from '../adversary/world.js';

const PERIOD = 60;
const SEND_MS = 3_000;

test("a finish queued behind the closer's other finishes is not sent once the partner finished that close", { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    const alice = await w.node('alice', { period: PERIOD });
    const bob = await w.node('bob', { period: PERIOD });
    await w.link(alice, bob);
    const channels = [];
    for (let i = 0; i < 4; i++) channels.push(await w.open(alice, bob, TON('3'), TON('4')));
    for (const c of channels) await alice.node.withdraw({ channel: c.channelId, mode: 'unilateral' });
    // Alice's wallet messages now take SEND_MS each to reach the chain
    let fromAlice = 0;
    w.slowWallet(alice, async () => {
      fromAlice++;
      await new Promise((r) => setTimeout(r, SEND_MS));
    });
    w.chain.advanceTime(PERIOD + 2);
    for (const c of channels) await until(() => alice.node.channel(c.channelId)?.phase === 'closed' && bob.node.channel(c.channelId)?.phase === 'closed', 'both see the payout', 120_000);
    await new Promise((r) => setTimeout(r, 2 * SEND_MS));
    // Alice's first finish, and the one on its way when Bob's landed, at most: not one per channel
    assert.ok(fromAlice <= 2, `${fromAlice} finishes left Alice's wallet for 4 closes that Bob finished after the first`);
  } finally {
    await w.close();
  }
});
