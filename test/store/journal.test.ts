// The channel storage: appends (group commit, order, validation), the head, readStates, evidence, records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataDir, StoreError, type ChannelStorage } from '../../src/node/store/index.js';
import { committed, show, signedAt, staged, tempDir } from './helpers.js';

async function reopen(path: string, dd: DataDir, id = '1'): Promise<{ dd: DataDir; ch: ChannelStorage }> {
  await dd.close();
  const next = await DataDir.open(path);
  return { dd: next, ch: await next.channel(id) };
}

test('appends survive a reopen: head, staged state, readStates, evidence', async () => {
  await using d = await tempDir();
  let dd = await DataDir.open(d.path);
  let ch = await dd.channel('1');
  assert.deepEqual(await ch.loadHead(), { latest: null, count: 0n, staged: null, repaired: null });
  await ch.append([staged(0)]);
  assert.equal((await ch.loadHead()).staged?.state.state.step, 0n);
  await ch.append(committed(0, 4));
  assert.equal((await ch.loadHead()).staged, null, 'a committed state supersedes the staged one');
  const ev = { kind: 'evidence' as const, a: signedAt(2n), b: signedAt(2n, { channel: signedAt(9n).state.channel }), note: 'two states of step 2' };
  await ch.append([ev, staged(4, false)]);
  ({ dd, ch } = await reopen(d.path, dd));
  const head = await ch.loadHead();
  assert.equal(head.count, 4n);
  assert.equal(show(head.latest), show(signedAt(3n)));
  assert.equal(show(head.staged?.state), show((staged(4) as { state: Parameters<typeof show>[0] }).state));
  assert.equal(head.staged?.mine, false);
  assert.equal(head.repaired, null);
  assert.deepEqual((await ch.readStates(0n, 4n)).map(show), [0n, 1n, 2n, 3n].map((s) => show(signedAt(s))));
  assert.deepEqual((await ch.readStates(2n, 100n)).map((s) => s.state.step), [2n, 3n]);
  assert.deepEqual(await ch.readStates(3n, 3n), []);
  assert.deepEqual(await ch.readStates(-5n, 1n).then((x) => x.map((s) => s.state.step)), [0n]);
  const evs = await ch.evidence();
  assert.equal(evs.length, 1);
  assert.equal(evs[0]!.note, 'two states of step 2');
  assert.equal(show(evs[0]!.b), show(ev.b));
  await dd.close();
});

test('appends arriving during a flush share one fdatasync and keep their order', async () => {
  await using d = await tempDir();
  const dd = await DataDir.open(d.path);
  const ch = await dd.storage('7');
  await ch.loadHead();
  const before = ch.syncs;
  await Promise.all(Array.from({ length: 50 }, (_, i) => ch.append(committed(i, i + 1))));
  assert.ok(ch.syncs - before <= 2, `50 appends took ${ch.syncs - before} fdatasyncs`);
  assert.deepEqual((await ch.readStates(0n, 50n)).map((s) => Number(s.state.step)), Array.from({ length: 50 }, (_, i) => i));
  await dd.close();
});

/** How many of this process's file descriptors point at `path` (Linux). */
async function openCount(path: string): Promise<number> {
  const { readdir, readlink } = await import('node:fs/promises');
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === path) n++;
  return n;
}

test('appends made in one turn share one fdatasync; the write handle is kept between flushes and released on close', async () => {
  await using d = await tempDir();
  const dd = await DataDir.open(d.path);
  const ch = await dd.storage('3');
  await ch.loadHead();
  const before = ch.syncs;
  // A countersignature and the proposal that came with it: two appends in one turn, one fdatasync.
  await Promise.all([ch.append(committed(0, 1)), ch.append(committed(1, 2))]);
  assert.equal(ch.syncs - before, 1);
  const path = join(d.path, 'channels', '3', 'journal.bin');
  await ch.append(committed(2, 3));
  assert.equal(await openCount(path), 1, 'kept for the next flush');
  await ch.close();
  assert.equal(await openCount(path), 0, 'released on close');
  const again = await dd.channel('3');
  assert.equal((await again.loadHead()).count, 3n);
  await dd.close();
});

test('appends are checked: committed steps follow on, the last one may repeat, staged is the next step', async () => {
  await using d = await tempDir();
  const dd = await DataDir.open(d.path);
  const ch = await dd.storage('1');
  await ch.append(committed(0, 3));
  await assert.rejects(ch.append(committed(4, 5)), RangeError, 'a gap');
  await assert.rejects(ch.append(committed(1, 2)), RangeError, 'an old step');
  const syncs = ch.syncs;
  await ch.append(committed(2, 3));
  assert.equal(ch.syncs, syncs, 'repeating the last committed state writes nothing');
  await assert.rejects(ch.append([{ kind: 'committed', state: signedAt(2n, { fake: true }) }]), RangeError, 'another state for the last step');
  await assert.rejects(ch.append([staged(5)]), RangeError);
  await assert.rejects(ch.append([{ kind: 'committed', state: signedAt(3n, { only: 'A' }) }]), RangeError, 'one signature is not committed');
  assert.equal((await ch.loadHead()).count, 3n);
  await dd.close();
});

test('records: atomic, checksummed, bigint and Buffer survive; files 0600 and folders 0700', async () => {
  await using d = await tempDir();
  const dd = await DataDir.open(join(d.path, 'new', 'data'));
  const ch = await dd.channel('12345678901234567890');
  assert.equal(await ch.readRecord(), null);
  const rec = { id: 12345678901234567890n, key: Buffer.alloc(32, 7), $odd: { $n: 'not a bigint' }, list: [1, 'x', null], nested: { big: -1n } };
  await ch.writeRecord(rec);
  await Promise.all([ch.writeRecord({ n: 1 }), ch.writeRecord({ n: 2 })]);
  assert.deepEqual(await ch.readRecord(), { n: 2 });
  await ch.writeRecord(rec);
  assert.deepEqual(await ch.readRecord(), rec);
  await ch.append(committed(0, 1));
  const dir = join(d.path, 'new', 'data', 'channels', '12345678901234567890');
  for (const f of ['record.json', 'journal.bin']) assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600, f);
  for (const f of [join(d.path, 'new', 'data'), join(d.path, 'new', 'data', 'channels'), dir]) assert.equal((await stat(f)).mode & 0o777, 0o700, f);
  // one flipped byte in the record
  const bytes = await readFile(join(dir, 'record.json'));
  bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x01;
  await writeFile(join(dir, 'record.json'), bytes);
  await assert.rejects(ch.readRecord(), (e: StoreError) => e.code === 'RECORD_CORRUPT' && e.message.includes('record.json') && /checksum mismatch/.test(e.message));
  await assert.rejects(ch.writeRecord({ when: new Date() }), TypeError);
  await dd.close();
});

test('10,000 states: the head comes from the tail, readStates from the index; corruption in the middle is not skipped', async () => {
  await using d = await tempDir();
  let dd = await DataDir.open(d.path);
  let ch = await dd.channel('1');
  for (let i = 0; i < 10_000; i += 1000) await ch.append(committed(i, i + 1000, true));
  ({ dd, ch } = await reopen(d.path, dd));
  assert.equal((await ch.loadHead()).count, 10_000n);
  assert.deepEqual((await ch.readStates(9_998n, 20_000n)).map((s) => s.state.step), [9_998n, 9_999n]);
  const all = await ch.readStates(0n, 10_000n);
  assert.equal(all.length, 10_000);
  assert.ok(all.every((s, i) => s.state.step === BigInt(i)));
  // flip one byte in the middle: the head is still read (tail only), a read over that part is JOURNAL_CORRUPT
  await dd.close();
  const path = join(d.path, 'channels', '1', 'journal.bin');
  const fh = await open(path, 'r+');
  const mid = Math.floor((await fh.stat()).size / 2);
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, mid);
  b[0] = b[0]! ^ 0x40;
  await fh.write(b, 0, 1, mid);
  await fh.close();
  dd = await DataDir.open(d.path);
  ch = await dd.channel('1');
  assert.equal((await ch.loadHead()).count, 10_000n);
  assert.deepEqual((await ch.readStates(9_990n, 10_000n)).length, 10);
  assert.deepEqual((await dd.list()).map((l) => l.error), [null], 'the quick list reads the tail only');
  assert.deepEqual((await dd.list({ deep: true })).map((l) => l.error?.code), ['JOURNAL_CORRUPT'], 'the deep list reads everything');
  await assert.rejects(ch.readStates(0n, 10_000n), (e: StoreError) => {
    assert.equal(e.code, 'JOURNAL_CORRUPT');
    assert.equal(e.path, path);
    assert.ok(e.offset !== null && Math.abs(e.offset - mid) < 300, `offset ${e.offset} near ${mid}`);
    assert.match(e.message, /journal\.bin is corrupted at byte \d+ \(checksum mismatch\)$/);
    return true;
  });
  await dd.close();
});

test('a failed write is DISK_WRITE_FAILED, and the channel takes no more appends until it writes what it held or is reopened', async () => {
  await using d = await tempDir();
  const dd = await DataDir.open(d.path);
  const first = await dd.channel('1');
  await first.append(committed(0, 2));
  // Reopened, so that no write handle of the old file is kept: the next write opens what is at the path now.
  await first.close();
  const ch = await dd.channel('1');
  assert.equal((await ch.loadHead()).count, 2n);
  const path = join(d.path, 'channels', '1', 'journal.bin');
  const saved = await readFile(path);
  await rm(path);
  await symlink('/dev/full', path); // every write: ENOSPC
  await assert.rejects(ch.append(committed(2, 3)), (e: StoreError) => e.code === 'DISK_WRITE_FAILED' && /disk is full/.test(e.message));
  await assert.rejects(ch.append(committed(2, 3)), (e: StoreError) => e.code === 'DISK_WRITE_FAILED');
  assert.equal((await ch.loadHead()).count, 2n, 'nothing unwritten is reported');
  await rm(path);
  await writeFile(path, saved, { mode: 0o600 });
  await ch.close();
  const again = await dd.channel('1');
  await again.append(committed(2, 3));
  assert.equal((await again.loadHead()).count, 3n);
  await dd.close();
});
