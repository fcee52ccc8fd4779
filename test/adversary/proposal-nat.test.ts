// A genuine proposer behind the same address as a flood (a NAT, or 127.0.0.1 here): the held proposals count per
// host, and a flood of fresh wallets, each proposing once, ties with the genuine proposer on every count but age.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PROPOSALS_HELD } from '../../src/node/incoming.js';
import { rawProposals } from './proposers.js';
import type { RawPeer } from './raw.js';
import { TON } from './scene.js';
import { World, until } from './world.js';

test("a flood of fresh wallets from the genuine proposer's own host, each proposing once, does not drop its proposal", async () => {
  const world = await World.create();
  const peers: RawPeer[] = [];
  try {
    const vic = await world.node('vic');
    const sam = await world.node('sam');
    const addr = await world.link(vic, sam); // Sam dials from 127.0.0.1, the flood's host
    const from = vic.events.length;
    const sams = await sam.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: vic.node.getAccount() });
    await until(() => vic.node.channel(sams.channelId) !== null, "Sam's proposal held");
    for (let i = 0; i < MAX_PROPOSALS_HELD + 8; i++) await rawProposals(vic, addr, '127.0.0.1', 1, peers);
    const held = vic.node.channels().filter((c) => c.phase === 'proposed');
    assert.ok(held.length <= MAX_PROPOSALS_HELD, `${held.length} proposals held`);
    assert.ok(held.some((c) => c.channelId === sams.channelId), "Sam's proposal was dropped for the flood from its own host");
    assert.equal(sam.node.channel(sams.channelId)?.phase, 'proposed', "Sam's node was told its proposal was dropped");
    assert.ok(vic.events.slice(from).some((e) => e.type === 'channelProposed' && e.channel.channelId === sams.channelId), "Sam's proposal announced");
    // the flood's newest are the ones refused, each told so (its proposer waits for no answer that never comes)
    const refused = peers.filter((p) => p.dataIn().some((m) => m.type === 'channel.reject' && /propose again/.test(m.reason)));
    assert.ok(refused.length >= 8, `${refused.length} flood proposals answered`);
  } finally {
    for (const p of peers) await p.stop();
    await world.close();
  }
});

test("after a flood from its own host filled the proposals held, a genuine proposer is told to propose again later; another host's proposal is still held", async () => {
  const world = await World.create();
  const peers: RawPeer[] = [];
  try {
    const vic = await world.node('vic');
    const sam = await world.node('sam');
    const addr = (await vic.node.serve(0, '127.0.0.1')).lan[0]!;
    const flood: string[] = [];
    for (let i = 0; i < MAX_PROPOSALS_HELD; i++) flood.push(...(await rawProposals(vic, addr, '127.0.0.1', 1, peers)));
    // the flood's connections spent this host's rate for a moment: a person tries again
    for (let i = 0; ; i++) {
      const ok = await sam.node.connect(addr).then(() => true, (e: { code?: string }) => (e.code === 'DIAL_FAILED' && i < 4 ? false : Promise.reject(e as Error)));
      if (ok) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const sams = await sam.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: vic.node.getAccount() });
    const declined = () => sam.events.find((e) => e.type === 'proposalDeclined' && e.channel.channelId === sams.channelId);
    await until(() => !!declined(), "Sam's node told", 10_000);
    assert.match((declined() as { reason: string | null }).reason ?? '', /too many channel proposals from your network address are waiting there: .*propose again/);
    assert.equal(vic.node.channel(sams.channelId), null);
    const held = () => vic.node.channels().map((c) => c.channelId);
    assert.ok(flood.every((id) => held().includes(id)), 'a proposal held before was dropped');
    const [other] = await rawProposals(vic, addr, '127.0.0.2', 1, peers);
    await until(() => held().includes(other!), "the other host's proposal held");
    assert.equal(held().length, MAX_PROPOSALS_HELD);
  } finally {
    for (const p of peers) await p.stop();
    await world.close();
  }
});

test('proposals their proposers withdrew go first when the proposals held are full: a flood that withdraws its own keeps no one of its host out', async () => {
  const world = await World.create();
  const peers: RawPeer[] = [];
  try {
    const vic = await world.node('vic');
    const addr = (await vic.node.serve(0, '127.0.0.1')).lan[0]!;
    const phase = (id: string) => vic.node.channel(id)?.phase;
    for (let i = 0; i < MAX_PROPOSALS_HELD; i++) {
      const [id] = await rawProposals(vic, addr, '127.0.0.1', 1, peers);
      peers.at(-1)!.data({ type: 'channel.reject', channelId: BigInt(id!), reason: 'withdrawn' }, 2);
      await until(() => phase(id!) === 'rejected', 'the withdrawal');
    }
    // a live proposal from the same host is held, and so is the next one: each pushes out a withdrawn one
    const [first] = await rawProposals(vic, addr, '127.0.0.1', 1, peers);
    const [second] = await rawProposals(vic, addr, '127.0.0.1', 1, peers);
    assert.equal(phase(first!), 'proposed', 'a live proposal was refused for withdrawn ones');
    assert.equal(phase(second!), 'proposed');
    assert.equal(vic.node.channels().length, MAX_PROPOSALS_HELD);
  } finally {
    for (const p of peers) await p.stop();
    await world.close();
  }
});
