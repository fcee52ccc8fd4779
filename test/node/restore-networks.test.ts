// A data folder holds channels of every network it was run on (the CLI's default folder is the same whatever
// --chain). Its backup could not be imported anywhere: each node refused the whole file for the other network's
// channel (BACKUP_NOT_YOURS), though both are the same key's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode, type NodeEvent } from '../../src/node/index.js';
import { closePair, connect, fund, openPair, type Pair } from '../helpers/nodes.js';
import { importSummary } from '../../src/node/uiRules.js';

/** Bob's folder with a sandbox channel and a devnet channel, exported; the nodes run on devnet. */
async function twoNetworkBackup(p: Pair): Promise<{ file: string; devnet: Pair['common'] }> {
  await fund(p); // a sandbox channel
  await p.alice.stop();
  await p.bob.stop();
  // the same folders and keys on devnet (the same chain object: only the network differs)
  const devnet = { ...p.common, network: 'devnet' as const };
  p.alice = await createNode({ ...devnet, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  p.bob = await createNode({ ...devnet, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await connect(p.alice, p.bob);
  await fund(p); // a devnet channel
  const file = join(p.dir, 'bob.backup');
  assert.equal((await p.bob.exportBackup(file)).channels, 2);
  return { file, devnet };
}

test('a backup of a folder with a sandbox and a devnet channel restores both: the devnet node runs its own and names the other', async () => {
  const p = await openPair();
  try {
    const { file, devnet } = await twoNetworkBackup(p);
    // Bob moves: the same key, a fresh folder, devnet.
    const moved = await createNode({ ...devnet, dataDir: join(p.dir, 'bob-moved'), key: { keyPair: p.keys.bob } });
    const told: NodeEvent[] = [];
    moved.on((e) => told.push(e));
    try {
      const got = await moved.importBackup(file);
      assert.equal(got.imported.length, 2, 'both channels are restored');
      assert.deepEqual(got.left, []);
      assert.equal(moved.channels().length, 1, 'the devnet channel runs here');
      assert.equal(moved.channels()[0]!.restored, true);
      assert.deepEqual(moved.otherNetworks().map((o) => [o.network, o.channels]), [['sandbox', 1]]);
      assert.ok(told.some((e) => e.type === 'error' && e.code === 'OTHER_NETWORK' && /--chain sandbox/.test(e.message)), 'the sandbox channel is named with how to run it');
    } finally {
      await moved.stop();
    }
    // A sandbox node on the moved folder runs the other one, restored.
    const onSandbox = await createNode({ ...p.common, dataDir: join(p.dir, 'bob-moved'), key: { keyPair: p.keys.bob } });
    try {
      assert.equal(onSandbox.channels().length, 1);
      assert.equal(onSandbox.channels()[0]!.restored, true);
    } finally {
      await onSandbox.stop();
    }
  } finally {
    await closePair(p);
  }
});

test("a folder of one network (the extension's) leaves the other network's channels out and names them", async () => {
  const p = await openPair();
  try {
    const { file, devnet } = await twoNetworkBackup(p);
    const moved = await createNode({ ...devnet, dataDir: join(p.dir, 'bob-devnet'), key: { keyPair: p.keys.bob } });
    try {
      const got = await moved.importBackup(file, { otherNetworks: 'leave' });
      assert.equal(got.imported.length, 1);
      assert.deepEqual(got.left.map((x) => x.network), ['sandbox']);
      assert.match(got.left[0]!.channel, /^kQ|^EQ|^0Q/);
      assert.deepEqual(moved.otherNetworks(), [], 'nothing of another network in this folder');
      assert.match(importSummary(got), /left out \S+, a sandbox channel: import this file again on sandbox/);
    } finally {
      await moved.stop();
    }
  } finally {
    await closePair(p);
  }
});
