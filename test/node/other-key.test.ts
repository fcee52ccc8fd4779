// A data folder opened with another key than its channels' (a mnemonic typed wrong, another key folder): the node
// cannot load them. It says which wallet's key they were opened with and which this node runs, that nothing watches
// them meanwhile, and what to do; their files stay as they were.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { newKeyPair } from '../../src/core/signer.js';
import { createNode, type NodeEvent } from '../../src/node/index.js';
import { withPair } from '../helpers/reads.js';
import { fund } from '../helpers/nodes.js';

async function filesOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of await readdir(dir)) for (const f of await readdir(join(dir, id))) out[`${id}/${f}`] = (await readFile(join(dir, id, f))).toString('base64');
  return out;
}

withPair("a data folder opened with another key: its channels' wallet and this node's are named, unwatched said, files kept", async (p) => {
  await fund(p);
  const opened = p.alice.getAccount();
  await p.alice.stop();
  const channels = join(p.dir, 'alice', 'channels');
  const before = await filesOf(channels);
  const events: NodeEvent[] = [];
  const other = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: newKeyPair() } });
  try {
    other.on((e) => events.push(e));
    const errors = events.filter((e) => e.type === 'error' && e.code === 'WRONG_KEY').map((e) => (e.type === 'error' ? e.message : ''));
    assert.equal(errors.length, 1, JSON.stringify(events));
    const text = errors[0]!;
    assert.ok(text.includes(opened), `names the wallet the channel was opened with: ${text}`);
    assert.ok(text.includes(other.getAccount()), `names the wallet this node runs: ${text}`);
    assert.match(text, /not watched|nothing watches/);
    assert.match(text, /mnemonic|key folder/);
    assert.equal(text.match(/use the key/g)?.length ?? 0, 0, `one hint, in words a person knows: ${text}`);
    assert.deepEqual(await filesOf(channels), before, 'the files are left as they were');
  } finally {
    await other.stop();
  }
});
