// An import into a running node at a channel whose contract is closing, or closes meanwhile: a stale close is
// challenged also while the channel cannot be loaded again, and what the dropped controller still reads is not told
// as something to run again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { until } from '../adversary/world.js';
import { inner, withChannels } from '../helpers/running-import.js';

test('a read of the chain on the controller an import dropped is not told as "run it again" (the channel loaded again reads its own)', () =>
  withChannels(1, {}, async ({ vic, hal, chs: [ch], backup }) => {
    const { ctx, poke } = inner(vic);
    const old = ctx.channels.get(ch!)!;
    await rm(join(vic.dataDir, 'channels', ch!, 'record.json')); // the backup restores it: loaded again
    await vic.node.importBackup(backup);
    assert.notEqual(ctx.channels.get(ch!), old, 'loaded again');
    await hal.node.withdraw({ channel: ch!, step: 0n, mode: 'unilateral', confirmStale: true });
    await until(() => ctx.channels.get(ch!)?.life === 'closing', 'the reloaded channel to read the close', 30_000);
    const from = vic.events.length;
    await poke(old); // as the old defense's own poke after its challenge does
    const said = vic.events.slice(from).filter((e) => e.type === 'log' && /run it again/.test(e.message));
    assert.deepEqual(said, [], 'nothing to run again is said of the dropped controller');
  }));
