// A record write killed with SIGKILL before each of its changes to the disk in turn (write-file-atomic: a temp file,
// written, synced, renamed; then the folder synced): the channel opens with the old record or the new one, whole,
// and the temp file a killed write left beside it is removed when the channel is opened. So for the node's own
// files (meta.ts): removed when the node reads the file at its start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir } from 'node:fs/promises';
import { FileMeta } from '../../src/node/meta.js';
import { join } from 'node:path';
import { DataDir } from '../../src/node/store/index.js';
import { killedAt } from './child.js';
import { committed, tempDir } from './helpers.js';

async function copyOf(root: string, pristine: string, name: string): Promise<string> {
  const to = join(root, name);
  await cp(pristine, to, { recursive: true });
  return to;
}

test('a record write killed at any point leaves the old record or the new one, and no temp file once the channel is opened', async () => {
  await using d = await tempDir();
  const pristine = join(d.path, 'pristine');
  const dd = await DataDir.open(pristine);
  const ch = await dd.channel('1');
  await ch.writeRecord({ v: 1, note: 'the old record' });
  await ch.append(committed(0, 3, true));
  await dd.close();
  const copy = (name: string) => copyOf(d.path, pristine, name);
  const { ops } = await killedAt(await copy('count'), '1', 0, 'record');
  assert.ok(ops && ops >= 3, `the changes of a record write are counted: ${ops}`);
  for (let n = 1; n <= ops + 1; n++) {
    const dir = await copy(`crash-${n}`);
    const r = await killedAt(dir, '1', n, 'record');
    assert.ok(r.done ? n > ops : r.crash === n, `the child died before change ${n}: ${JSON.stringify(r)}`);
    const where = r.done ? 'after the write' : `killed before change ${n} (${r.op})`;
    const again = await DataDir.open(dir);
    try {
      const one = await again.channel('1');
      const rec = await one.readRecord<{ v: number; note: string }>();
      assert.ok(rec?.v === 1 || rec?.v === 2, `${where}: the old record or the new one: ${JSON.stringify(rec)}`);
      if (r.done) assert.equal(rec?.v, 2);
      assert.equal((await one.loadHead()).count, 3n, `${where}: the journal is as it was`);
      assert.deepEqual((await readdir(join(dir, 'channels', '1'))).sort(), ['journal.bin', 'record.json'], `${where}: nothing else is left in the channel's folder`);
    } finally {
      await again.close();
    }
  }
});

test("a write of a node's file (the partners' addresses) killed at any point leaves the old file or the new one, and no temp file once it is read", async () => {
  await using d = await tempDir();
  const pristine = join(d.path, 'pristine');
  await (await DataDir.open(pristine)).close();
  await new FileMeta(pristine).writeMeta('partners', { v: 1 });
  const { ops } = await killedAt(await copyOf(d.path, pristine, 'count'), 'partners', 0, 'meta');
  assert.ok(ops && ops >= 3, `the changes of the write are counted: ${ops}`);
  for (let n = 1; n <= ops + 1; n++) {
    const dir = await copyOf(d.path, pristine, `crash-${n}`);
    const r = await killedAt(dir, 'partners', n, 'meta');
    assert.ok(r.done ? n > ops : r.crash === n, `the child died before change ${n}: ${JSON.stringify(r)}`);
    const where = r.done ? 'after the write' : `killed before change ${n} (${r.op})`;
    const read = await new FileMeta(dir).readMeta<{ v: number }>('partners');
    assert.ok(read?.v === 1 || read?.v === 2, `${where}: the old file or the new one: ${JSON.stringify(read)}`);
    assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('partners.json')), ['partners.json'], `${where}: no temp file is left`);
  }
});
