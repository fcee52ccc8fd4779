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

test('when as many hosts as proposals are held hold one each, a proposal from another host is told to wait until the oldest was kept its time', async () => {
  const world = await World.create();
  const peers: RawPeer[] = [];
  try {
    const vic = await world.node('vic');
    const addr = (await vic.node.serve(0, '127.0.0.1')).lan[0]!;
    const held: string[] = [];
    for (let i = 0; i < MAX_PROPOSALS_HELD; i++) held.push(...(await propose(vic, addr, `127.0.0.${10 + i}`, 1, peers)));
    const told = (p: RawPeer) => p.dataIn().find((m) => m.type === 'channel.reject')?.reason ?? '';
    // a new host: refused until the oldest held was kept 10 minutes (on the code before, refused for as long as they wait)
    const [late] = await propose(vic, addr, '127.0.0.60', 1, peers);
    assert.match(told(peers.at(-1)!), /from other network addresses are waiting there: this one was not kept; propose again in 10 min/);
    assert.equal(vic.node.channel(late!), null);
    // a host holding one: its own is kept its time
    await propose(vic, addr, '127.0.0.10', 1, peers);
    assert.match(told(peers.at(-1)!), /from your network address are waiting there: .*propose again in \d+ min/);
    const now = vic.node.channels().map((c) => c.channelId);
    assert.ok(held.every((id) => now.includes(id)), 'a proposal held before was dropped');
  } finally {
    for (const p of peers) await p.stop();
    await world.close();
  }
});
