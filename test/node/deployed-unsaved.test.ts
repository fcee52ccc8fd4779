// A's deployment is on chain whether or not A's node can save its record then (a full disk, for a moment): the
// phase moved to funding in memory and the contract was watched, but the partner was never told it is deployed
// (channel.deployed, an effect of the same transition): B's deposit waited for it and gave up, and every later read
// found A's channel funding already. The partner is told, then the failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { TON, closePair, openPair } from '../helpers/nodes.js';

test("A's deployment seen while A's record cannot be saved (a full disk) is told to the partner: B's deposit goes in", async () => {
  const p = await openPair({ bob: { deployWaitMs: 20_000 } });
  try {
    type Storage = { writeRecord(r: { life: string }): Promise<void> };
    const inner = p.alice.node as unknown as { ctx: { channels: Map<string, { storage: Storage | null }> } };
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    const storage = [...inner.ctx.channels.values()][0]!.storage!;
    const write = storage.writeRecord.bind(storage);
    let failed = false;
    storage.writeRecord = async (r) => {
      if (r.life === 'funding' && !failed) {
        failed = true;
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'DISK_WRITE_FAILED' });
      }
      return write(r);
    };
    const locked = waitForEvent(p.bob, 'channelLocked', () => true, 60_000);
    await p.bob.deposit();
    await locked;
    assert.ok(failed, 'the save failed');
  } finally {
    await closePair(p);
  }
});
