// A genuine proposer's guest session behind the same address as a flood (a NAT, or 127.0.0.1 here): guests are capped
// per host too, and a flood of fresh wallets from that host would push out the proposer's session with its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PROPOSALS_HELD } from '../../src/node/incoming.js';
import { P2P_DEFAULTS } from '../../src/p2p/index.js';
import { rawProposals } from './proposers.js';
import type { RawPeer } from './raw.js';
import { TON } from './scene.js';
import { World, until } from './world.js';

test("a flood of fresh wallets from a proposer's own host does not drop its guest session while its proposal is held", async () => {
  const world = await World.create();
  const peers: RawPeer[] = [];
  try {
    const vic = await world.node('vic');
    const sam = await world.node('sam');
    const addr = await world.link(vic, sam); // Sam dials from 127.0.0.1, the flood's host: a guest of Vic's
    const sams = await sam.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: vic.node.getAccount() });
    await until(() => vic.node.channel(sams.channelId) !== null, "Sam's proposal held");
    const from = sam.events.length;
    // more fresh wallets than guests are allowed besides those whose proposals are held, each proposing once, all
    // staying connected
    const flood = P2P_DEFAULTS.maxGuestSessions + MAX_PROPOSALS_HELD + 8;
    for (let i = 0; i < flood; i++) await rawProposals(vic, addr, '127.0.0.1', 1, peers);
    const dropped = sam.events.slice(from).filter((e) => e.type === 'partnerDisconnected');
    assert.equal(dropped.length, 0, "Sam's session was dropped for the flood from its own host");
    // the flood itself is still bounded: its guests beyond the cap were dropped, each told so
    const told = peers.filter((p) => p.received.some((m) => m.type === 'error' && m.code === 'SESSION_DROPPED'));
    assert.ok(told.length > 0, 'no flooding guest was dropped');
    assert.equal(vic.node.channel(sams.channelId)?.phase, 'proposed');
  } finally {
    for (const p of peers) await p.stop();
    await world.close();
  }
});
