// Who is a partner is asked once per new session, and per live session each time a guest comes (src/p2p/guests.ts):
// the node's channels keep an index by partner in step with every set and delete, so the answer reads only that
// wallet's own channels. Plain data: stand-in controllers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelWithContract, holdsProposalFrom } from '../../src/node/channelmap.js';
import { ChannelMap, channelsWith, hasStoredChannelWith, unstoredOf, type ChannelController } from '../../src/node/controller.js';

const [me, ann, bob] = ['0:' + 'a'.repeat(64), '0:' + 'b'.repeat(64), '0:' + 'c'.repeat(64)];
let reads = 0;
/** A stand-in whose `storage` counts the reads of it (one per channel a check looks at). */
function stand(id: string, partner: string, o: { stored?: boolean; ended?: boolean; me?: 'A' | 'B' } = {}): ChannelController {
  const side = o.me ?? 'A';
  const rec = { me: side, addressA: side === 'A' ? me : partner, addressB: side === 'A' ? partner : me };
  return { id, rec, ended: o.ended ?? false, get storage() { reads++; return o.stored === false ? null : {}; } } as unknown as ChannelController;
}

test('the index by partner follows set, replace, delete and clear', () => {
  const m = new ChannelMap();
  m.set('1', stand('1', ann)).set('2', stand('2', ann, { me: 'B' })).set('3', stand('3', bob, { stored: false }));
  assert.ok(hasStoredChannelWith(m, ann, true));
  assert.ok(!hasStoredChannelWith(m, bob, false), 'a proposal held in memory makes no partner');
  m.set('3', stand('3', bob)); // the proposal accepted: a stored controller under the same id
  assert.ok(hasStoredChannelWith(m, bob, true));
  m.set('3', stand('3', ann)); // a controller replaced by one of another partner (never by the node; the index follows it)
  assert.ok(!hasStoredChannelWith(m, bob, false));
  m.delete('1');
  m.set('2', stand('2', ann, { ended: true }));
  assert.ok(hasStoredChannelWith(m, ann, false));
  m.delete('3');
  assert.ok(!hasStoredChannelWith(m, ann, true), 'only an ended channel is left with Ann');
  assert.equal([...m.of(ann)].length, 1);
  m.clear();
  assert.deepEqual([...m.of(ann)], []);
  assert.ok(!hasStoredChannelWith(m, ann, false));
});

test("a check reads only the asking wallet's channels, however many others there are", () => {
  const m = new ChannelMap();
  for (let i = 0; i < 1000; i++) m.set(String(i), stand(String(i), `0:${i.toString(16).padStart(64, '0')}`));
  m.set('ann', stand('ann', ann));
  reads = 0;
  assert.ok(hasStoredChannelWith(m, ann, true));
  assert.ok(!hasStoredChannelWith(m, bob, true));
  assert.equal(reads, 1, `${reads} channels read for two checks`);
  // a session's connect and disconnect walk that partner's channels the same way (sync.ts, attach.ts)
  assert.deepEqual(channelsWith(m, ann).map((c) => c.id), ['ann']);
  assert.deepEqual(channelsWith(new Map(m), ann).map((c) => c.id), ['ann'], 'a plain map is walked');
});

test('proposals kept in memory are listed apart, oldest first; one accepted (its storage given in place) or dropped leaves the list', () => {
  const m = new ChannelMap();
  m.set('s1', stand('s1', ann));
  m.set('p1', stand('p1', bob, { stored: false, me: 'B' }));
  const p2 = { id: 'p2', rec: { me: 'B', addressA: ann, addressB: me }, ended: false, storage: null } as unknown as ChannelController;
  m.set('p2', p2);
  m.set('p3', stand('p3', bob, { stored: false, me: 'B' }));
  assert.deepEqual(unstoredOf(m).map((c) => c.id), ['p1', 'p2', 'p3']);
  (p2 as { storage: unknown }).storage = {}; // accepted: negotiation.ts gives it its storage in place
  m.delete('p1'); // dropped
  assert.deepEqual(unstoredOf(m).map((c) => c.id), ['p3']);
  assert.deepEqual(unstoredOf(new Map(m)).map((c) => c.id), ['p3'], 'a plain map is walked');
});

test("a channel is found by its contract address without a walk of the others; the index follows set, replace, delete and clear", () => {
  let looked = 0;
  /** A stand-in whose record's contract counts the reads of it. */
  const withContract = (id: string, contract: string): ChannelController => {
    const rec = { me: 'A', addressA: me, addressB: ann, get contract() { looked++; return contract; } };
    return { id, rec, storage: {} } as unknown as ChannelController;
  };
  const contract = (i: number) => `0:${'e'.repeat(60)}${i.toString(16).padStart(4, '0')}`;
  const m = new ChannelMap();
  for (let i = 0; i < 1000; i++) m.set(String(i), withContract(String(i), contract(i)));
  looked = 0;
  assert.equal(channelWithContract(m, contract(500))?.id, '500');
  assert.equal(channelWithContract(m, '0:' + '1'.repeat(64)), undefined);
  assert.ok(looked <= 1, `${looked} channels' contracts read for two lookups`);
  assert.equal(channelWithContract(new Map(m), contract(7))?.id, '7', 'a plain map is walked');
  m.set('500', withContract('500', contract(500))); // a controller loaded again under the same id
  assert.equal(channelWithContract(m, contract(500)), m.get('500'));
  m.delete('500');
  assert.equal(channelWithContract(m, contract(500)), undefined);
  m.clear();
  assert.equal(channelWithContract(m, contract(7)), undefined);
});

test('proposals held in memory, not withdrawn, are told apart (a guest session kept under a flood: src/p2p/guests.ts)', () => {
  const m = new ChannelMap();
  const held = (id: string, partner: string, life: string, stored = false) =>
    ({ id, rec: { me: 'B', addressA: partner, addressB: me, contract: id }, life, storage: stored ? {} : null }) as unknown as ChannelController;
  m.set('1', held('1', ann, 'proposed'));
  m.set('2', held('2', bob, 'rejected'));
  m.set('3', held('3', bob, 'proposed', true));
  assert.ok(holdsProposalFrom(m, ann));
  assert.ok(!holdsProposalFrom(m, bob), 'a withdrawn proposal, or an accepted one, keeps no guest');
});
