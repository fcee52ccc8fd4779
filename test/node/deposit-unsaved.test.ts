// A partner's deposit is on chain whether or not this node can save its record then (a full disk): it was kept in
// the record in memory and never told (the save's failure ended the telling, and every later read found nothing
// new). It is told, then the failure, as a payout is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Chain, WatchOptions } from '../../src/chain/types.js';
import { join } from 'node:path';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { fsError } from '../../src/node/store/errors.js';
import { TON, closePair, connect, openPair, until } from '../helpers/nodes.js';

test("a partner's deposit is told even when the record cannot be saved then (a full disk): the failure comes after it", async () => {
  const p = await openPair();
  try {
    type Storage = { writeRecord(r: { depositB: bigint }): Promise<void> };
    const inner = p.alice.node as unknown as { ctx: { channels: Map<string, { storage: Storage | null }> } };
    const told: string[] = [];
    // the failure: an error (a watch's read) or a warning line (a hint's read)
    const failure = (e: NodeEvent) => (e.type === 'error' || e.type === 'log') && /no space left/.test(e.message);
    p.alice.on((e: NodeEvent) => void (e.type === 'depositSeen' ? told.push(`depositSeen ${e.party}`) : failure(e) && told.push('unsaved')));
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    const storage = await until('Alice stores the channel', () => [...inner.ctx.channels.values()][0]?.storage);
    const write = storage.writeRecord.bind(storage);
    let failed = false;
    // the first save that holds Bob's deposit fails
    storage.writeRecord = async (r) => {
      if (r.depositB > 0n && !failed) {
        failed = true;
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'DISK_WRITE_FAILED' });
      }
      return write(r);
    };
    const seen = waitForEvent(p.alice, 'depositSeen', (e) => e.party === 'B', 30_000);
    await p.bob.deposit();
    const e = await seen;
    assert.equal(e.amount, TON('4'));
    assert.ok(failed, 'the save failed');
    await until('the failure told', () => told.includes('unsaved'));
    assert.deepEqual(told.filter((t) => t.startsWith('depositSeen')), ['depositSeen A', 'depositSeen B']);
  } finally {
    await closePair(p);
  }
});

/** The chain, with a watch that never reports the lock: only a read (a poke) sees it. */
function lockUnwatched(real: Chain): Chain {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'watchChannel') {
        return (channel: Parameters<Chain['watchChannel']>[0], o: WatchOptions) => target.watchChannel(channel, { ...o, onEvent: (e) => (e.type === 'locked' ? undefined : o.onEvent(e)) });
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
}

test("a lock read by a poke (after B's own deposit) whose record cannot be saved (a full disk) is told as the store's error, with its code", async () => {
  const p = await openPair();
  try {
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, chain: lockUnwatched(p.chain), dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await connect(p.alice, p.bob);
    type Storage = { writeRecord(r: { life: string }): Promise<void> };
    const data = (p.bob.node as unknown as { ctx: { data: { channel(id: string): Promise<Storage> } } }).ctx.data;
    const events: NodeEvent[] = [];
    p.bob.on((e: NodeEvent) => void events.push(e));
    let failed = false;
    // Bob's channel storage (opened when he accepts): its first save of the lock fails as a full disk does
    const open = data.channel.bind(data);
    data.channel = async (id) => {
      const storage = await open(id);
      const write = storage.writeRecord.bind(storage);
      storage.writeRecord = async (r) => {
        if (r.life === 'locked' && !failed) {
          failed = true;
          throw fsError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 'record.json', true);
        }
        return write(r);
      };
      return storage;
    };
    // Alice's initial state waits for Bob's read of the lock: signed by both first, it would open his channel
    // straight away (no lock to save), as it can on a loaded machine
    const locked = waitForEvent(p.bob, 'channelLocked', undefined, 30_000);
    const aliceData = (p.alice.node as unknown as { ctx: { data: { channel(id: string): Promise<{ append(e: unknown[]): Promise<void> }> } } }).ctx.data;
    const openAlice = aliceData.channel.bind(aliceData);
    aliceData.channel = async (id) => {
      const storage = await openAlice(id);
      const append = storage.append.bind(storage);
      storage.append = async (entries) => {
        await locked.catch(() => undefined);
        return append(entries);
      };
      return storage;
    };
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    await p.bob.deposit(); // both deposits in: the node reads the contract before it answers
    await locked;
    assert.ok(failed, 'the save failed');
    const told = events.find((e) => e.type === 'error' && e.code === 'DISK_WRITE_FAILED');
    assert.ok(told?.type === 'error' && /the disk is full while writing record\.json: free some space/.test(told.message), 'the failure is told as an error, with what to do');
    assert.ok(!events.some((e) => e.type === 'log' && /^reading .*disk is full/.test(e.message)), 'not as a warning line');
  } finally {
    await closePair(p);
  }
});
