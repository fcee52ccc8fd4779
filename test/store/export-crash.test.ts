// An export over an older backup, killed with SIGKILL before each of its changes to the disk in turn: the backup
// file is the old one or the new one, whole (never a part of the new one), it imports, and the data folder is as
// it was; the next export removes what the killed one left beside the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DataDir } from '../../src/node/store/index.js';
import { killedAt } from './child.js';
import { committed, tempDir } from './helpers.js';

/** A folder whose channel 1 gained states since `old`, its backup; the backup it makes now is `fresh`. */
async function prepare(root: string): Promise<{ pristine: string; old: Buffer; fresh: Buffer }> {
  const pristine = join(root, 'pristine');
  const dd = await DataDir.open(pristine);
  for (const [id, n] of [['1', 8], ['2', 4]] as const) {
    const ch = await dd.channel(id);
    await ch.writeRecord({ v: 1, me: 'A', note: `channel ${id}` });
    await ch.append(committed(0, n, true));
  }
  await dd.exportTo(join(root, 'old.scb'));
  await (await dd.channel('1')).append(committed(8, 12, true));
  await dd.exportTo(join(root, 'fresh.scb'));
  await dd.close();
  return { pristine, old: await readFile(join(root, 'old.scb')), fresh: await readFile(join(root, 'fresh.scb')) };
}

test('an export killed at any point leaves the backup file old or new, whole, and the data folder as it was', async () => {
  await using d = await tempDir();
  const { pristine, old, fresh } = await prepare(d.path);
  assert.ok(!old.equals(fresh));
  const journal = await readFile(join(pristine, 'channels', '1', 'journal.bin'));
  const run = async (name: string, n: number) => {
    const dir = join(d.path, `${name}-dir`);
    await cp(pristine, dir, { recursive: true });
    const file = join(d.path, `${name}.scb`);
    await copyFile(join(d.path, 'old.scb'), file);
    return { dir, file, r: await killedAt(dir, file, n, 'export') };
  };
  const { r: counted } = await run('count', 0);
  const ops = counted.ops ?? 0;
  assert.ok(ops >= 4, `the changes of the export are counted: ${ops}`);
  for (let n = 1; n <= ops + 1; n++) {
    const { dir, file, r } = await run(`crash-${n}`, n);
    assert.ok(r.done ? n > ops : r.crash === n, `the child died before change ${n}: ${JSON.stringify(r)}`);
    const where = r.done ? 'after the export' : `killed before change ${n} (${r.op})`;
    const now = await readFile(file);
    assert.ok(now.equals(old) || now.equals(fresh), `${where}: the backup is the old or the new one (${now.length} bytes)`);
    if (r.done) assert.ok(now.equals(fresh), 'a whole export writes the new one');
    assert.ok((await readFile(join(dir, 'channels', '1', 'journal.bin'))).equals(journal), `${where}: the journal is as it was`);
    // the next export removes what a killed one left beside the file (a partial copy of every channel's states)
    assert.ok((await killedAt(dir, file, 0, 'export')).done);
    const left = (await readdir(d.path)).filter((f) => f.startsWith(`crash-${n}.scb.`));
    assert.deepEqual(left, [], `${where}: nothing is left beside the backup after the next export`);
    const into = await DataDir.open(join(d.path, `import-${n}`));
    try {
      const kept = join(d.path, `kept-${n}.scb`);
      await writeFile(kept, now);
      assert.deepEqual((await into.importFrom(kept)).imported, ['1', '2'], `${where}: the backup imports`);
      assert.equal((await (await into.channel('1')).loadHead()).count, now.equals(fresh) ? 12n : 8n);
    } finally {
      await into.close();
    }
  }
});

test("an export removes the temp files of exports killed before their rename, not a running process's", async () => {
  await using d = await tempDir();
  const dd = await DataDir.open(join(d.path, 'a'));
  await (await dd.channel('1')).writeRecord({ id: '1' });
  const file = join(d.path, 'backup.scb');
  // a pid that runs (the test runner's parent) and one that no longer runs (a child that has exited)
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const names = { dead: `backup.scb.tmp-${dead}-0a1b2c3d`, live: `backup.scb.tmp-${process.ppid}-0a1b2c3d`, other: 'backup.scb.tmp-notes', atomic: 'backup.scb.123' };
  for (const n of Object.values(names)) await writeFile(join(d.path, n), 'x');
  await dd.exportTo(file);
  const left = await readdir(d.path);
  assert.ok(!left.includes(names.dead), "a dead export's temp is removed");
  for (const n of [names.live, names.other, names.atomic]) assert.ok(left.includes(n), `${n} is kept`);
});
