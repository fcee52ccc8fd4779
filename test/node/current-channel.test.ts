// The channel commands act on by default. After a restart the channels load in the order of their random ids, so
// among closed channels the default was any of them, not the one just paid out (CLI field test: balanceChan and
// showLast showed an older channel). Plain data: a Queries over stand-in controllers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Queries } from '../../src/node/queries.js';
import type { NodeContext } from '../../src/node/context.js';

type Stand = { id: string; life: string; rec: { payout: { lt: bigint } | null; lockedAt: number | null } };

function current(list: Stand[]): string | undefined {
  const ctx = { channels: new Map(list.map((c) => [c.id, c])), view: (c: Stand) => c } as unknown as NodeContext;
  class Q extends Queries {}
  return (new Q(ctx).currentChannel() as unknown as Stand | null)?.id;
}

test('among closed channels the default is the one paid out last; among open ones the one locked last', () => {
  const closed = (id: string, lt: bigint): Stand => ({ id, life: 'closed', rec: { payout: { lt }, lockedAt: 1 } });
  // loaded in id order: the latest payout first, then older ones
  assert.equal(current([closed('9', 300n), closed('12', 100n), closed('5', 200n)]), '9');
  const open = (id: string, lockedAt: number): Stand => ({ id, life: 'open', rec: { payout: null, lockedAt } });
  assert.equal(current([open('1', 3000), open('2', 1000)]), '1');
  // a more relevant phase wins whatever its age; among proposals the first is kept
  assert.equal(current([open('1', 1000), closed('2', 900n)]), '1');
  const proposal = (id: string): Stand => ({ id, life: 'proposed', rec: { payout: null, lockedAt: null } });
  assert.equal(current([proposal('a'), proposal('b')]), 'a');
  // a payout not read yet ranks below one read, whatever the order they load in
  const unread: Stand = { id: 'u', life: 'closed', rec: { payout: null, lockedAt: 9000 } };
  assert.equal(current([closed('r', 100n), unread]), 'r');
  assert.equal(current([unread, closed('r', 100n)]), 'r');
  // unknown times: the one loaded later (a channel made while the node runs)
  assert.equal(current([{ id: 'x', life: 'funding', rec: { payout: null, lockedAt: null } }, { id: 'y', life: 'funding', rec: { payout: null, lockedAt: null } }]), 'y');
});
