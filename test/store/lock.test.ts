// The data-folder lock, with real processes: a live holder refuses others at once and is named; a holder
// killed with SIGKILL (or otherwise gone) is taken over; of several processes racing, exactly one wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { open, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DataDir, StoreError, lockHeld } from '../../src/node/store/index.js';
import { refreshLocks } from '../../src/node/store/lock.js';
import { canUnshare, firstLine, runChild, startChild } from './child.js';
import { tempDir } from './helpers.js';

const LOCK = 'synchannel.lock';
const locked = (e: unknown) => e instanceof StoreError && e.code === 'DATA_DIR_LOCKED';

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

async function writeLock(dir: string, holder: Record<string, unknown>): Promise<void> {
  await writeFile(join(dir, LOCK), `${JSON.stringify({ host: hostname(), boot: null, start: null, since: '2020-01-01T00:00:00.000Z', ...holder })}\n`);
}

test('a second process is refused at once and told who holds the folder; after kill -9 the lock is taken over', async () => {
  await using d = await tempDir();
  const holder = startChild('hold', d.path);
  try {
    const first = await firstLine(holder);
    assert.equal(first.held, holder.proc.pid);
    await assert.rejects(DataDir.open(d.path), (e: StoreError) => locked(e) && e.message.includes(`process ${holder.proc.pid}`) && /stop that node|another data folder/.test(e.message));
    const other = await runChild('open', d.path);
    assert.equal(other.code, 'DATA_DIR_LOCKED');
    assert.match(String(other.message), new RegExp(`process ${holder.proc.pid}`));
  } finally {
    holder.proc.kill('SIGKILL');
    await holder.exited;
  }
  const dd = await DataDir.open(d.path);
  assert.equal(JSON.parse(await readFile(join(d.path, LOCK), 'utf8')).pid, process.pid);
  await dd.close();
  await assert.rejects(readFile(join(d.path, LOCK)), { code: 'ENOENT' }, 'close releases the lock');
});

test('locks of gone owners are taken over: a dead pid, a reused pid, an old unreadable lock; another host is refused', async () => {
  await using d = await tempDir();
  const open = async () => (await DataDir.open(d.path)).close();
  await writeLock(d.path, { pid: deadPid() });
  await open();
  await writeLock(d.path, { pid: process.pid, start: 'not-our-start-time' }); // our pid, another process's start
  await open();
  await writeFile(join(d.path, LOCK), '{"pid":');
  await utimes(join(d.path, LOCK), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  await open();
  await writeLock(d.path, { pid: 1, host: 'elsewhere.example' });
  await assert.rejects(open(), (e: StoreError) => locked(e) && e.message.includes('host elsewhere.example') && e.message.includes(`delete ${join(d.path, LOCK)}`));
});

test('one process holds a folder once: a second open in the same process is refused until the first is closed', async () => {
  await using d = await tempDir();
  const dd = await DataDir.open(d.path);
  await assert.rejects(DataDir.open(d.path), (e: StoreError) => locked(e) && /this process/.test(e.message));
  await dd.close();
  await (await DataDir.open(d.path)).close();
});

test('three processes race for a folder with a stale lock: exactly one gets it', async () => {
  await using d = await tempDir();
  await writeLock(d.path, { pid: deadPid() });
  const kids = [0, 1, 2].map(() => startChild('hold', d.path));
  try {
    const firsts = await Promise.all(kids.map((k) => firstLine(k)));
    assert.equal(firsts.filter((f) => f.held).length, 1, JSON.stringify(firsts));
    assert.equal(firsts.filter((f) => f.code === 'DATA_DIR_LOCKED').length, 2, JSON.stringify(firsts));
  } finally {
    for (const k of kids) k.proc.kill('SIGKILL');
    await Promise.all(kids.map((k) => k.exited));
  }
});

test('a look at the lock (lockHeld) tells a live holder from none or a gone one, and never takes the lock', async () => {
  await using d = await tempDir();
  assert.equal(await lockHeld(d.path), false, 'no lock file');
  const holder = startChild('hold', d.path);
  try {
    await firstLine(holder);
    assert.equal(await lockHeld(d.path), true, 'a live process holds it');
  } finally {
    holder.proc.kill('SIGKILL');
    await holder.exited;
  }
  assert.equal(await lockHeld(d.path), false, 'its holder was killed');
  await writeLock(d.path, { pid: deadPid() });
  assert.equal(await lockHeld(d.path), false, 'a dead pid');
  assert.equal(JSON.parse(await readFile(join(d.path, LOCK), 'utf8')).pid === process.pid, false, 'the look took nothing');
  const dd = await DataDir.open(d.path);
  assert.equal(await lockHeld(d.path), true, 'this process holds it');
  await dd.close();
  assert.equal(await lockHeld(d.path), false);
});

test('an unreadable lock file its writer left (a minute old) is free to a look as to an open; one being written is held', async () => {
  await using d = await tempDir();
  const path = join(d.path, LOCK);
  await writeFile(path, '');
  assert.equal(await lockHeld(d.path), true, 'being written');
  const old = new Date(Date.now() - 60_000);
  await utimes(path, old, old);
  assert.equal(await lockHeld(d.path), false, 'left unreadable');
  const dd = await DataDir.open(d.path); // an open takes it over too
  await dd.close();
});

test('a lock whose write or sync fails (a full disk) is removed, and the error says so; the next open takes the folder at once', async () => {
  await using d = await tempDir();
  // The failure is injected into node's FileHandle for one call: a full disk cannot be made here without root.
  const probe = await open(join(d.path, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as Record<'writeFile' | 'datasync', (...a: unknown[]) => Promise<void>>;
  await probe.close();
  for (const method of ['writeFile', 'datasync'] as const) {
    const real = proto[method];
    proto[method] = function () {
      proto[method] = real;
      return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    };
    try {
      await assert.rejects(DataDir.open(d.path), (e: StoreError) => {
        assert.equal(e.code, 'DISK_WRITE_FAILED');
        assert.match(e.message, /^the data folder .* was not opened: its lock could not be written \(the disk is full while writing .*synchannel\.lock: free some space.*\); open it again once that is fixed$/);
        return true;
      }, method);
    } finally {
      proto[method] = real;
    }
    await assert.rejects(readFile(join(d.path, LOCK)), { code: 'ENOENT' }, `no lock file is left (${method} failed)`);
    assert.equal(await lockHeld(d.path), false);
    const t0 = Date.now();
    await (await DataDir.open(d.path)).close();
    assert.ok(Date.now() - t0 < 1000, 'taken at once');
  }
});

// Two containers sharing a hostname, a kernel (one boot id) and the data folder: a pid of the other's pid namespace
// cannot be looked up here, and was taken for dead, so a second node took a held folder. Such a holder keeps its
// lock file fresh; it is held while fresh, taken over once stale (its holder crashed).
test('a lock of a process in another pid namespace is held while fresh, taken over once stale; a held lock is kept fresh', async () => {
  await using d = await tempDir();
  const path = join(d.path, LOCK);
  await writeLock(d.path, { pid: deadPid(), pidns: 'pid:[1]' });
  await assert.rejects(DataDir.open(d.path), (e: StoreError) => locked(e) && /another pid namespace \(another container\)/.test(e.message) && e.message.includes(`delete ${path}`));
  assert.equal(await lockHeld(d.path), true, 'a look agrees');
  const old = new Date(Date.now() - 10 * 60_000);
  await utimes(path, old, old);
  assert.equal(await lockHeld(d.path), false, 'its holder stopped keeping it fresh');
  const dd = await DataDir.open(d.path);
  try {
    const mine = JSON.parse(await readFile(path, 'utf8')) as { pidns?: string };
    assert.equal(typeof mine.pidns, 'string', 'the lock names our pid namespace');
    await utimes(path, old, old);
    await refreshLocks();
    assert.ok((await stat(path)).mtimeMs > old.getTime(), 'a held lock is kept fresh');
  } finally {
    await dd.close();
  }
});

test('a node in its own pid namespace holds the folder against this one, also once killed, until its lock is stale', { skip: !canUnshare && 'needs unshare(1) as root' }, async () => {
  await using d = await tempDir();
  const path = join(d.path, LOCK);
  const holder = startChild('hold', d.path, { ownPidNamespace: true });
  try {
    assert.ok((await firstLine(holder)).held, 'the child holds the folder');
    await assert.rejects(DataDir.open(d.path), (e: StoreError) => locked(e) && /another pid namespace/.test(e.message));
  } finally {
    holder.proc.kill('SIGKILL');
    await holder.exited;
  }
  // killed: its lock stays; from here it is judged by its age alone
  await assert.rejects(DataDir.open(d.path), (e: StoreError) => locked(e));
  const old = new Date(Date.now() - 10 * 60_000);
  await utimes(path, old, old);
  await (await DataDir.open(d.path)).close();
});
