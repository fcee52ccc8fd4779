// An import into a folder that holds the channel already (extended, replaced) or not (new), killed with SIGKILL
// before each of its changes to the disk in turn: the folder, opened again as the node opens it, holds each
// channel whole (the old one or the imported one, never the imported record beside the old journal), no
// leftover of the import, and importing again finishes the job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join, sep } from 'node:path';
import { DataDir, StoreError } from '../../src/node/store/index.js';
import { killedAt } from './child.js';
import { committed, show, signedAt, tempDir } from './helpers.js';

type Snap = Record<string, unknown>;

async function fill(dd: DataDir, id: string, n: number, rec: unknown): Promise<void> {
  const ch = await dd.channel(id);
  await ch.writeRecord(rec);
  await ch.append(committed(0, n, true));
}

/** What the node restores of each channel: its record, its committed states (or why they cannot be read), its evidence. */
async function snapshot(dd: DataDir): Promise<Snap> {
  const out: Snap = {};
  for (const { id } of await dd.list()) {
    const ch = await dd.channel(id);
    const get = <T>(p: Promise<T>) => p.catch((e: { code?: string }) => `error ${e.code}`);
    const head = await ch.loadHead();
    out[id] = {
      rec: await get(ch.readRecord()),
      states: await get(ch.readStates(0n, head.count).then((s) => s.map(show))),
      ev: await get(ch.evidence().then((e) => e.map((x) => x.note))),
    };
  }
  return out;
}

/** A folder with channel 1 shorter than the backup's, 2 damaged in the middle, 3 missing; and the backup. */
async function prepare(root: string): Promise<{ pristine: string; backup: string }> {
  const a = await DataDir.open(join(root, 'a'));
  await fill(a, '1', 8, { v: 1, me: 'A', note: 'backup 1' });
  await fill(a, '2', 20, { v: 1, me: 'A', note: 'backup 2' });
  await (await a.channel('2')).append(committed(20, 30, true));
  await fill(a, '3', 2, { v: 1, me: 'B', note: 'backup 3' });
  const backup = join(root, 'backup.scb');
  await a.exportTo(backup);
  await a.close();
  const pristine = join(root, 'pristine');
  const b = await DataDir.open(pristine);
  await fill(b, '1', 5, { v: 1, me: 'A', note: 'local 1' });
  await (await b.channel('1')).append([{ kind: 'evidence', a: signedAt(1n), b: signedAt(1n, { fake: true }), note: 'local proof' }]);
  await fill(b, '2', 20, { v: 1, me: 'A', note: 'local 2' });
  await (await b.channel('2')).append(committed(20, 30, true)); // a later write: the damage below is not in the last one
  await b.close();
  const journal = join(pristine, 'channels', '2', 'journal.bin');
  const bytes = await readFile(journal);
  bytes[100] = bytes[100]! ^ 0xff;
  await writeFile(journal, bytes);
  return { pristine, backup };
}

/**
 * A folder `b` as a crash right after the commit of channel 1's import leaves it, with a folder where its record
 * goes (the move fails); and the imported channels as a whole import makes them.
 */
async function committedBlocked(root: string) {
  const { pristine, backup } = await prepare(root);
  const full = join(root, 'full');
  await cp(pristine, full, { recursive: true });
  const done = await DataDir.open(full);
  await done.importFrom(backup);
  const imported = await snapshot(done);
  await done.close();
  const dir = join(root, 'b');
  await cp(pristine, dir, { recursive: true });
  const commit = join(dir, 'channels', '.commit-1');
  await mkdir(commit);
  for (const f of ['journal.bin', 'record.json']) await copyFile(join(full, 'channels', '1', f), join(commit, f));
  const record = join(dir, 'channels', '1', 'record.json');
  const journalBefore = await readFile(join(dir, 'channels', '1', 'journal.bin'));
  await rm(record);
  await mkdir(join(record, 'in the way'), { recursive: true });
  return { dir, commit, record, journalBefore, imported };
}

function brief(ch: unknown): string {
  if (!ch) return 'missing';
  const c = ch as { rec: unknown; states: unknown; ev: unknown };
  return JSON.stringify({ rec: c.rec, states: Array.isArray(c.states) ? c.states.length : c.states, ev: c.ev });
}

async function leftovers(dir: string): Promise<string[]> {
  const channels = join(dir, 'channels');
  const out = (await readdir(channels)).filter((n) => n.startsWith('.'));
  for (const id of await readdir(channels)) {
    if (id.startsWith('.')) continue;
    for (const f of await readdir(join(channels, id))) if (f.endsWith('.import')) out.push(`${id}/${f}`);
  }
  return out;
}

test('an import killed at any point leaves each channel whole, the old or the imported one, and can be done again', async () => {
  await using d = await tempDir();
  const { pristine, backup } = await prepare(d.path);
  const copy = async (name: string) => {
    const to = join(d.path, name);
    await cp(pristine, to, { recursive: true });
    return to;
  };
  const oldDd = await DataDir.open(await copy('old'));
  const old = await snapshot(oldDd);
  await oldDd.close();
  const fullDd = await DataDir.open(await copy('full'));
  assert.deepEqual(await fullDd.importFrom(backup), { imported: ['1', '2', '3'], kept: [], left: [], closed: [] });
  const full = await snapshot(fullDd);
  await fullDd.close();
  assert.equal(old['3'], undefined);
  for (const id of ['1', '2', '3']) assert.notDeepEqual(full[id], old[id], `channel ${id} changes`);
  const { ops } = await killedAt(await copy('count'), backup, 0);
  assert.ok(ops && ops > 30, 'the changes of the import are counted');
  const check = async (n: number) => {
    const dir = await copy(`crash-${n}`);
    const r = await killedAt(dir, backup, n);
    assert.ok(r.done ? n > ops : r.crash === n, `the child died before change ${n}: ${JSON.stringify(r)}`);
    const where = r.done ? 'after the import' : `killed before change ${n} (${r.op})`;
    const dd = await DataDir.open(dir);
    try {
      assert.deepEqual(await leftovers(dir), [], `${where}: nothing of the import is left over`);
      const now = await snapshot(dd);
      for (const id of ['1', '2', '3']) {
        const whole = (a: unknown) => JSON.stringify(now[id]) === JSON.stringify(a);
        assert.ok(whole(old[id]) || whole(full[id]), `${where}: channel ${id} is the old or the imported one, whole: ${brief(now[id])}`);
      }
      await dd.importFrom(backup);
      assert.deepEqual(await snapshot(dd), full, `${where}: importing again finishes the job`);
    } finally {
      await dd.close();
    }
  };
  let next = 1;
  const worker = async () => {
    while (next <= ops + 1) await check(next++); // the last one is not killed
  };
  await Promise.all([worker(), worker()]);
});

test('a committed import that cannot be moved in keeps its channel shut, says what to do, and is moved in once it can', async () => {
  await using d = await tempDir();
  const { dir, record, journalBefore, imported } = await committedBlocked(d.path);
  const dd = await DataDir.open(dir);
  try {
    const one = (await dd.list()).find((c) => c.id === '1');
    assert.equal(one?.error?.code, 'DISK_WRITE_FAILED');
    assert.match(one.error.message, /^the import of channel 1 is saved in .*\.commit-1 but could not be moved into .*: fix that, then open the data folder again \(it finishes the import\); do not delete/);
    await assert.rejects(dd.channel('1'), (e: unknown) => e instanceof StoreError && /import of channel 1 is saved/.test(e.message), 'the channel is not opened');
    assert.ok((await readFile(join(dir, 'channels', '1', 'journal.bin'))).equals(journalBefore), 'its old journal is as it was');
    assert.ok((await dd.list()).find((c) => c.id === '2')?.error === null, 'the other channels open');
    await rm(record, { recursive: true });
    const now = await snapshot(dd);
    assert.deepEqual(now['1'], imported['1'], 'once the move can be done, the next open of the channel does it');
    assert.deepEqual(await leftovers(dir), []);
  } finally {
    await dd.close();
  }
});

test("the journal.bin.import an earlier version's import left is removed at open, the channel is as it was, and importing again finishes", async () => {
  await using d = await tempDir();
  const { pristine, backup } = await prepare(d.path);
  const dir = join(d.path, 'b');
  await cp(pristine, dir, { recursive: true });
  const before = await DataDir.open(dir);
  const old = await snapshot(before);
  await before.close();
  const left = join(dir, 'channels', '1', 'journal.bin.import');
  await writeFile(left, (await readFile(join(dir, 'channels', '1', 'journal.bin'))).subarray(0, 50)); // cut short by a crash
  const dd = await DataDir.open(dir);
  try {
    assert.deepEqual(await leftovers(dir), []);
    assert.deepEqual(await snapshot(dd), old);
    assert.deepEqual((await dd.importFrom(backup)).imported, ['1', '2', '3']);
    assert.equal((await (await dd.channel('1')).loadHead()).count, 8n);
  } finally {
    await dd.close();
  }
});

test('an import that fails before its commit (a full disk) leaves no staging folder behind, and can be done again', async () => {
  await using d = await tempDir();
  const { pristine, backup } = await prepare(d.path);
  const dir = join(d.path, 'b');
  await cp(pristine, dir, { recursive: true });
  const dd = await DataDir.open(dir);
  const before = await snapshot(dd);
  // The sync of every staged file fails, as on a full disk (injected: a full disk cannot be made here without root).
  const fsp = createRequire(import.meta.url)('fs/promises') as { open: (...a: unknown[]) => Promise<{ datasync(): Promise<void> }> };
  const realOpen = fsp.open;
  fsp.open = async (...a: unknown[]) => {
    const fh = await realOpen(...a);
    if (String(a[0]).includes(`${sep}.import-`)) fh.datasync = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, fdatasync'), { code: 'ENOSPC' }));
    return fh;
  };
  syncBuiltinESMExports();
  try {
    for (let i = 0; i < 3; i++) await assert.rejects(dd.importFrom(backup), { code: 'DISK_WRITE_FAILED' });
  } finally {
    fsp.open = realOpen;
    syncBuiltinESMExports();
  }
  try {
    assert.deepEqual(await leftovers(dir), [], 'the staged copies are removed at once (each would hold a whole journal until the folder is opened again)');
    assert.deepEqual(await snapshot(dd), before, 'every channel is as it was');
    assert.deepEqual((await dd.importFrom(backup)).imported, ['1', '2', '3']);
  } finally {
    await dd.close();
  }
});

test('a committed import whose folder is gone (moved in by a try that then failed) counts as moved in', async () => {
  await using d = await tempDir();
  // A commit whose move fails at open (a folder where the record goes)...
  const { dir, commit, record, imported } = await committedBlocked(d.path);
  const dd = await DataDir.open(dir);
  try {
    assert.equal((await dd.list()).find((c) => c.id === '1')?.error?.code, 'DISK_WRITE_FAILED');
    // ...then everything in place and the commit folder removed, as a later try does before its last sync fails
    await rm(record, { recursive: true });
    for (const f of ['journal.bin', 'record.json']) await copyFile(join(commit, f), join(dir, 'channels', '1', f));
    await rm(commit, { recursive: true });
    const now = await snapshot(dd);
    assert.deepEqual(now['1'], imported['1'], 'the channel opens: its import is in place');
  } finally {
    await dd.close();
  }
});
