// A channel whose record cannot be read may hold money, and a node rebuilds that record from the contract its
// journal names (rebuild.ts) and watches it: the extension's start-up (hasLiveChannels, startsNode) left it out,
// so the window did not start the node and nobody challenged a stale close. A folder with nothing a node rebuilds
// from (no record, no state) starts nothing, and still counts as not closed for the key guard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { DataDir } from '../../src/node/store/index.js';
import { channelKeys, createNode, hasLiveChannels } from '../../src/node/index.js';
import { ended } from '../../src/node/uiRules.js';
import { closePair, fund, openPair, until } from '../helpers/nodes.js';

test('an open channel whose record is corrupt starts the node with the window: the node rebuilds it and watches it', async () => {
  const p = await openPair();
  try {
    await fund(p);
    await p.bob.stop();
    const dir = join(p.dir, 'bob');
    const [id] = await readdir(join(dir, 'channels'));
    await writeFile(join(dir, 'channels', id!, 'record.json'), '{ torn');
    assert.equal(await hasLiveChannels(dir), true);
    // what the start is for: the node rebuilds the record from the contract and watches the channel
    p.bob = await createNode({ ...p.common, dataDir: dir, key: { keyPair: p.keys.bob } });
    await until('Bob rebuilt the channel', () => p.bob.currentChannel()?.phase === 'open');
  } finally {
    await closePair(p);
  }
});

test('a channel folder with neither a record nor a state starts no node, and counts as not closed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-empty-'));
  try {
    const data = await DataDir.open(dir);
    await data.channel('7'); // a crash before the channel's first write
    await data.close();
    assert.equal(await hasLiveChannels(dir), false);
    const keys = (await channelKeys(dir))!;
    assert.equal(keys.length, 1);
    assert.equal(ended(keys[0]!.phase), false, keys[0]!.phase);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
