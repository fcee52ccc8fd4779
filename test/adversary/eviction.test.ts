// Held proposals are bounded (MAX_PROPOSALS_HELD): when full, the proposal dropped is a stranger's from the host
// that holds the most, not the oldest. Wallets cost nothing, hosts do: one machine with many wallets cannot push out
// another machine's proposal. On Linux every 127/8 address reaches loopback, so two source addresses are two hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PROPOSALS_HELD, MAX_PROPOSALS_PER_PARTNER } from '../../src/node/incoming.js';
import { rawProposals as propose } from './proposers.js';
import type { RawPeer } from './raw.js';
import { World, until } from './world.js';

/**
 * Vic serving, and Sam's one proposal held (the oldest, from a host of its own, 127.0.0.3); then `flood` proposes from
 * new wallets on another host (127.0.0.2, `count` proposals a wallet). Once the held proposals are full, Sam's is kept.
 */
async function samKeptThrough(flood: (fromOtherHost: (count: number) => Promise<string[]>) => Promise<void>): Promise<void> {
  const world = await World.create();
  const peers: RawPeer[] = [];
  try {
    const vic = await world.node('vic');
    const addr = (await vic.node.serve(0, '127.0.0.1')).lan[0]!;
    const held = () => vic.node.channels().filter((c) => c.phase === 'proposed').map((c) => c.channelId);
    const [sams] = await propose(vic, addr, '127.0.0.3', 1, peers);
    await until(() => held().includes(sams!), "Sam's proposal");
    await flood((count) => propose(vic, addr, '127.0.0.2', count, peers));
    await until(() => held().length === MAX_PROPOSALS_HELD, `${MAX_PROPOSALS_HELD} proposals held`);
    assert.ok(held().includes(sams!), "Sam's proposal, the oldest, is kept: the flooding host's went first");
  } finally {
    for (const p of peers) await p.stop();
    await world.close();
  }
}

test('when held proposals are full, the host holding the most loses one: a flood of wallets from one machine does not push out another machine\'s proposal', async () => {
  // twice as many as are held, from many wallets on one other host
  await samKeptThrough(async (fromOtherHost) => {
    const per = MAX_PROPOSALS_PER_PARTNER - 1;
    for (let flood = 0; flood < 2 * MAX_PROPOSALS_HELD; flood += per) await fromOtherHost(per);
  });
});

test("a flood of new wallets from one machine, each proposing once, does not push out another machine's first proposal", async () => {
  // every flooding wallet holds as many proposals as Sam's: only the host tells them apart
  await samKeptThrough(async (fromOtherHost) => {
    for (let i = 0; i < MAX_PROPOSALS_HELD + 8; i++) await fromOtherHost(1);
  });
});
