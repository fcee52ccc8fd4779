// Which stranger's proposal goes when the proposals held are full (src/node/evict.ts): plain data, stand-in controllers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChannelController } from '../../src/node/controller.js';
import { evictee, PROPOSAL_KEPT_MS } from '../../src/node/evict.js';

type Stand = ChannelController & { at: number };
let next = 0;
/** A proposal from `wallet` on `host`, come at `at` (ms). */
function held(host: string, wallet: string, at: number, ended = false): Stand {
  return { id: String(next++), proposedFrom: host, ended, at, rec: { addressA: wallet } } as unknown as Stand;
}
const since = (c: ChannelController) => (c as Stand).at;
const drop = (pool: Stand[], host: string, wallet: string, now: number) => evictee(pool, { host, wallet, now }, since);

test("a flood of fresh wallets from a proposer's own host keeps out neither its proposal held before, nor, past its time, a newer one", () => {
  const sam = held('nat', 'sam', 0);
  const flood = Array.from({ length: 7 }, (_, i) => held('nat', `f${i}`, 1 + i));
  // within the time: the newcomer from that host is refused, told how long until the host's oldest yields
  assert.deepEqual(drop([sam, ...flood], 'nat', 'f9', 60_000), { waitMs: PROPOSAL_KEPT_MS - 60_000, ownHost: true });
  // past it: the oldest goes (Sam's proposal was kept its time; a flood before Sam's keeps it out no longer)
  assert.equal(drop([sam, ...flood], 'nat', 'f9', PROPOSAL_KEPT_MS), sam);
  // another host's newcomer: the flooding host's newest goes while its oldest is kept
  assert.equal(drop([sam, ...flood], 'far', 'tom', 60_000), flood.at(-1));
});

test('a withdrawn proposal goes first; then the host holding the most (the newcomer\'s on a tie), there the wallet holding the most', () => {
  const a = held('h1', 'w1', 0);
  const b = held('h1', 'w2', 1);
  const c = held('h2', 'w3', 2);
  const gone = held('h2', 'w4', 3, true);
  assert.equal(drop([a, b, c, gone], 'h3', 'w5', 0), gone);
  const twice = held('h1', 'w2', 4);
  assert.equal(drop([a, b, c, twice], 'h3', 'w5', 0), b, "w2's oldest: it holds two");
  // h1 holds the most, each of its wallets one, its oldest within its time: its newest goes
  assert.equal(drop([a, b, c], 'h3', 'w6', 0), b);
  // a tie (h1 two, h2 one and the newcomer): the newcomer's own host, where the newcomer is the newest
  assert.deepEqual(drop([a, b, c], 'h2', 'w6', 0), { waitMs: PROPOSAL_KEPT_MS + 2, ownHost: true }, 'refused until c, come at 2, was kept its time');
});

test('when every host holds one, a newcomer from a host holding none takes the place of the oldest once it was kept its time, and is told how long until then', () => {
  // 32 hosts (32 IPv4 addresses, or 32 IPv6 /64s of one /48) hold one each, come a minute apart
  const full = Array.from({ length: 32 }, (_, i) => held(`h${i}`, `w${i}`, i * 60_000));
  assert.deepEqual(drop(full, 'new', 'sam', 60_000), { waitMs: PROPOSAL_KEPT_MS - 60_000, ownHost: false }, 'refused until the oldest was kept its time');
  assert.equal(drop(full, 'new', 'sam', PROPOSAL_KEPT_MS), full[0], 'the oldest, kept its time, goes');
  // then the next oldest, a minute later: each place turns over once its holder was kept its time, not before
  assert.deepEqual(drop([...full.slice(1), held('new', 'sam', PROPOSAL_KEPT_MS)], 'other', 'tom', PROPOSAL_KEPT_MS), { waitMs: 60_000, ownHost: false });
  // a host holding one competes with itself first, even when another host's is older and was kept its time
  assert.deepEqual(drop(full, 'h5', 'eve', PROPOSAL_KEPT_MS), { waitMs: 5 * 60_000, ownHost: true });
  // a withdrawn proposal still goes first, whatever its age
  const withdrawn = [...full.slice(0, 31), held('h31', 'w31', 31 * 60_000, true)];
  assert.equal(drop(withdrawn, 'new', 'sam', 0), withdrawn[31]);
});
