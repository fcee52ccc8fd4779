// Opening a data folder an operator got wrong: a file, an unreadable or unwritable folder, an unreadable
// journal. Each gives a typed error naming the path and what to do, never a raw EEXIST/EACCES. Permissions are
// tested in a child process running as nobody when we are root (root ignores them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataDir, StoreError } from '../../src/node/store/index.js';
import { NOBODY, firstLine, isRoot, runChild, startChild } from './child.js';
import { committed, tempDir } from './helpers.js';

/** Takes `path` away from the child's user (see giveTree): 'none' or read-only. */
async function restrict(path: string, access: 'none' | 'read', isDir: boolean): Promise<void> {
  if (isRoot) {
    await chown(path, 0, 0);
    await chmod(path, access === 'none' ? 0o700 : isDir ? 0o755 : 0o644);
  } else {
    await chmod(path, access === 'none' ? 0 : isDir ? 0o555 : 0o444);
  }
}

/** Gives a tree to the child's user (nobody when we are root). */
async function giveTree(path: string): Promise<void> {
  if (isRoot) await chownTree(path, NOBODY);
}

async function chownTree(path: string, uid: number): Promise<void> {
  await chown(path, uid, uid);
  for (const e of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) await chownTree(join(path, e.name), uid);
    else await chown(join(path, e.name), uid, uid);
  }
}

test('--data naming a file, or a path under a file: DATA_DIR_NOT_A_FOLDER', async () => {
  await using d = await tempDir();
  const file = join(d.path, 'wallet.pk');
  await writeFile(file, 'x');
  for (const p of [file, join(file, 'data')]) {
    await assert.rejects(DataDir.open(p), (e: StoreError) => {
      assert.equal(e.code, 'DATA_DIR_NOT_A_FOLDER');
      assert.match(e.message, /is a file, not a folder/);
      assert.doesNotMatch(e.message, /EEXIST|ENOTDIR/);
      return true;
    });
  }
});

test('an unreadable data folder is DATA_DIR_UNREADABLE, a read-only one DATA_DIR_NOT_WRITABLE', async () => {
  await using d = await tempDir();
  await chmod(d.path, 0o755);
  const none = join(d.path, 'none');
  const ro = join(d.path, 'ro');
  await mkdir(none);
  await mkdir(ro);
  await giveTree(d.path);
  await restrict(none, 'none', true);
  await restrict(ro, 'read', true);
  const a = await runChild('open', none, { asNobody: true });
  assert.equal(a.code, 'DATA_DIR_UNREADABLE', JSON.stringify(a));
  assert.match(String(a.message), /no permission to read .*none: run as the user who owns it/);
  const b = await runChild('open', ro, { asNobody: true });
  assert.equal(b.code, 'DATA_DIR_NOT_WRITABLE', JSON.stringify(b));
  assert.match(String(b.message), /no permission to write .*ro/);
  const c = await runChild('open', join(none, 'sub'), { asNobody: true });
  assert.ok(c.code === 'DATA_DIR_UNREADABLE' || c.code === 'DATA_DIR_NOT_WRITABLE', JSON.stringify(c));
});

test('an unreadable or corrupted channel is listed with its error, beside the readable ones', async () => {
  await using d = await tempDir();
  await chmod(d.path, 0o755);
  const data = join(d.path, 'data');
  const dd = await DataDir.open(data);
  for (const id of ['1', '2', '3', '4']) await (await dd.channel(id)).append(committed(0, 3, true));
  await (await dd.channel('3')).writeRecord({ ok: true });
  await dd.close();
  await giveTree(d.path);
  await restrict(join(data, 'channels', '2', 'journal.bin'), 'none', false);
  await writeFile(join(data, 'channels', '3', 'record.json'), 'SCREC1 00000000 2\n{}');
  await writeFile(join(data, 'channels', '4', 'journal.bin'), 'not a journal at all');
  const out = (await runChild('list', data, { asNobody: true })).list as { id: string; code: string | null; message: string | null }[];
  assert.deepEqual(out.map((l) => [l.id, l.code]), [['1', null], ['2', 'DATA_DIR_UNREADABLE'], ['3', 'RECORD_CORRUPT'], ['4', 'JOURNAL_CORRUPT']]);
  assert.match(out[1]!.message!, /channels\/2\/journal\.bin/);
  assert.match(out[3]!.message!, /channels\/4\/journal\.bin is corrupted at byte 0 \(not a SynChannel journal/);
});

test('channel ids are checked; a channel folder appears in the list once created', async () => {
  await using d = await tempDir();
  const dd = await DataDir.open(d.path);
  for (const bad of ['', '..', 'a/b', 'x'.repeat(129), '1:2']) await assert.rejects(dd.channel(bad), RangeError);
  await dd.channel('10');
  await dd.channel('9');
  assert.deepEqual((await dd.list()).map((l) => l.id), ['9', '10']);
  await dd.close();
});

test('a data folder that cannot be created is DATA_DIR_NOT_WRITABLE, also where recursive mkdir never returns (/proc)', async () => {
  // In a child: Node's recursive mkdir spins forever on a path under /proc, which would hang this process.
  const c = startChild('open', '/proc/synchannel-nope/data');
  try {
    const first = await firstLine(c, 20_000);
    assert.equal(first.code, 'DATA_DIR_NOT_WRITABLE', JSON.stringify(first));
    assert.match(String(first.message), /cannot be created/);
  } finally {
    c.proc.kill('SIGKILL');
  }
});
