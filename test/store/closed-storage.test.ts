// Ctrl+C while a channel's initial state was being signed printed "error [INTERNAL]: the storage of channel
// 11376690752622824662 is closed: open it again with DataDir.channel()": a write that came after the node closed its
// storage at the stop, told as a bug in words for a programmer. It is the node's stop, and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataDir } from '../../src/node/store/index.js';
import { committed, tempDir } from './helpers.js';

test('a write or read after the storage closed is NODE_STOPPED: nothing was written, start the node again', async () => {
  await using d = await tempDir();
  const dd = await DataDir.open(d.path);
  try {
    const ch = await dd.channel('7');
    await ch.append(committed(0, 3, true));
    await ch.close();
    const stopped = (e: { code?: string; message: string }) => {
      assert.equal(e.code, 'NODE_STOPPED', e.message);
      assert.doesNotMatch(e.message, /DataDir/);
      assert.match(e.message, /the node stopped: nothing was written; start the node again$/);
      return true;
    };
    await assert.rejects(ch.writeRecord({ life: 'open' }), stopped);
    await assert.rejects(ch.append(committed(1, 3, true)), stopped);
    await assert.rejects(ch.readRecord(), (e: { code?: string }) => e.code === 'NODE_STOPPED');
  } finally {
    await dd.close();
  }
});
