// A partner's deposit is on chain whether or not this node can save its record then (a full disk): it was kept in
// the record in memory and never told (the save's failure ended the telling, and every later read found nothing
// new). It is told, then the failure, as a payout is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { TON, closePair, openPair, until } from '../helpers/nodes.js';

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
