// Torn writes: a crash can leave any prefix of the last write (maybe followed by zeros). Whatever was durable
// before it survives, the tail is cut before the next append, and that append is readable after a reopen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataDir, type StoreError } from '../../src/node/store/index.js';
import { committed, show, signedAt, staged, tempDir } from './helpers.js';

const JOURNAL = ['channels', '1', 'journal.bin'];

/** Writes `batches` of entries to a fresh data folder; returns the journal's length after each record. */
async function build(path: string, batches: ReturnType<typeof committed>[]): Promise<number[]> {
  const dd = await DataDir.open(path);
  const ch = await dd.channel('1');
  const ends: number[] = [];
  for (const b of batches) {
    for (const e of b) {
      await ch.append([e]);
      ends.push((await readFile(join(path, ...JOURNAL))).length);
    }
  }
  await dd.close();
  return ends;
}

/** Cuts the journal of a copy of `src` at `cut` (then pads with `zeros`), reopens, appends the next state, reopens. */
async function cutAppendReopen(src: string, work: string, cut: number, zeros: number, durable: number): Promise<void> {
  await rm(work, { recursive: true, force: true });
  await cp(src, work, { recursive: true });
  const file = join(work, ...JOURNAL);
  await truncate(file, cut);
  if (zeros) await writeFile(file, Buffer.alloc(zeros), { flag: 'a' });
  let dd = await DataDir.open(work);
  let ch = await dd.channel('1');
  const head = await ch.loadHead();
  assert.equal(head.count, BigInt(durable), `cut at ${cut}: the durable states are there`);
  await ch.append(committed(durable, durable + 1));
  await dd.close();
  dd = await DataDir.open(work);
  ch = await dd.channel('1');
  assert.equal((await ch.loadHead()).repaired, null, `cut at ${cut}: nothing left to repair`);
  const states = await ch.readStates(0n, 1000n);
  assert.deepEqual(states.map(show), Array.from({ length: durable + 1 }, (_, i) => show(signedAt(BigInt(i)))), `cut at ${cut}`);
  await dd.close();
}

test('a cut at every byte of the last record: reopen, append, reopen keeps every durable state and the new one', async () => {
  await using d = await tempDir();
  const src = join(d.path, 'src');
  const ends = await build(src, [committed(0, 3)]);
  const lastStart = ends[1]!;
  const size = ends[2]!;
  for (let cut = lastStart; cut < size; cut++) await cutAppendReopen(src, join(d.path, 'w'), cut, 0, 2);
  // the same with the file's size extended by zeros (a crash after the size, before the data reached the disk)
  for (let cut = lastStart; cut < size; cut += 17) await cutAppendReopen(src, join(d.path, 'w'), cut, size - cut + 4096, 2);
});

test('cuts across a multi-record file written in one batch lose only the records not wholly written', async () => {
  await using d = await tempDir();
  const src = join(d.path, 'src');
  const dd = await DataDir.open(src);
  await (await dd.channel('1')).append(committed(0, 40));
  await dd.close();
  const ends = await build(join(d.path, 'probe'), [committed(0, 40)]);
  const size = ends[ends.length - 1]!;
  for (let i = 0; i < 40; i++) {
    const cut = 8 + Math.floor(((size - 8) * (i * 7919 % 40)) / 40) + (i % 5);
    const durable = ends.filter((e) => e <= cut).length;
    await cutAppendReopen(src, join(d.path, 'w'), cut, 0, durable);
  }
});

test('the attack on the old store: kill, cut the tail, restart, pay, restart: the channel is listed, nothing glued', async () => {
  await using d = await tempDir();
  let dd = await DataDir.open(d.path);
  let ch = await dd.channel('1');
  await ch.append(committed(0, 3));
  await ch.append([staged(3)]);
  await dd.close(); // the node is killed
  const file = join(d.path, ...JOURNAL);
  const size = (await readFile(file)).length;
  await truncate(file, size - 5);
  dd = await DataDir.open(d.path); // restart: the torn staged record is cut (and reported)
  ch = await dd.channel('1');
  const head = await ch.loadHead();
  assert.equal(head.count, 3n);
  assert.equal(head.staged, null);
  assert.ok(head.repaired && head.repaired.bytesDropped > 0);
  await ch.append([staged(3), ...committed(3, 4)]); // pay
  await dd.close();
  dd = await DataDir.open(d.path); // restart again
  const list = await dd.list();
  assert.deepEqual(list.map((l) => [l.id, (l.error as StoreError | null)?.code ?? null]), [['1', null]]);
  ch = await dd.channel('1');
  assert.equal((await ch.loadHead()).count, 4n);
  assert.equal((await ch.readStates(0n, 4n)).length, 4);
  await dd.close();
});

test('a journal torn while it was created (shorter than its header) gets its header back', async () => {
  await using d = await tempDir();
  for (const cut of [0, 3, 7]) {
    const dir = join(d.path, String(cut));
    await build(dir, [committed(0, 1)]);
    await truncate(join(dir, ...JOURNAL), cut);
    const dd = await DataDir.open(dir);
    const ch = await dd.channel('1');
    assert.equal((await ch.loadHead()).count, 0n);
    await ch.append(committed(0, 2));
    await dd.close();
    const again = await DataDir.open(dir);
    assert.equal((await (await again.channel('1')).readStates(0n, 9n)).length, 2);
    await again.close();
  }
});

test('a whole last record with a flipped bit is damage, not a torn write: cut, kept, and said to be damaged', async () => {
  await using d = await tempDir();
  const ends = await build(d.path, [committed(0, 3)]);
  const file = join(d.path, ...JOURNAL);
  const bytes = await readFile(file);
  for (const at of [ends[1]!, ends[1]! + 2, ends[1]! + 5, ends[2]! - 20, ends[2]! - 6, ends[2]! - 1]) {
    const bad = Buffer.from(bytes);
    bad[at]! ^= 0x10;
    await writeFile(file, bad);
    const dd = await DataDir.open(d.path);
    const head = await (await dd.channel('1')).loadHead();
    assert.equal(head.count, 2n, `flip at ${at}`);
    assert.deepEqual(head.repaired, { bytesDropped: ends[2]! - ends[1]!, damaged: true }, `flip at ${at}`);
    await dd.close();
  }
  // a torn write (a prefix of the record) is not damage
  await writeFile(file, bytes.subarray(0, ends[2]! - 3));
  const dd = await DataDir.open(d.path);
  assert.deepEqual((await (await dd.channel('1')).loadHead()).repaired, { bytesDropped: ends[2]! - 3 - ends[1]!, damaged: false });
  await dd.close();
});

test('a torn append whose size reached its full length but whose bytes did not (zeros) is a torn write, not damage', async () => {
  await using d = await tempDir();
  const ends = await build(d.path, [committed(0, 3)]);
  const file = join(d.path, ...JOURNAL);
  const bytes = await readFile(file);
  for (const keep of [4, 20, 100, ends[2]! - ends[1]! - 10]) {
    const torn = Buffer.from(bytes);
    torn.fill(0, ends[1]! + keep, ends[2]!); // only the first `keep` bytes of the last record reached the disk
    await writeFile(file, torn);
    const dd = await DataDir.open(d.path);
    const head = await (await dd.channel('1')).loadHead();
    assert.deepEqual([head.count, head.repaired?.damaged], [2n, false], `keep ${keep}`);
    await dd.close();
  }
});

test('a flipped bit in the only record of a journal is damage too', async () => {
  await using d = await tempDir();
  await build(d.path, [committed(0, 1)]);
  const file = join(d.path, ...JOURNAL);
  const bytes = await readFile(file);
  bytes[bytes.length - 20]! ^= 0x10;
  await writeFile(file, bytes);
  const dd = await DataDir.open(d.path);
  const head = await (await dd.channel('1')).loadHead();
  assert.deepEqual([head.count, head.repaired?.damaged], [0n, true]);
  await dd.close();
});

test('a flipped bit in the latest committed record behind a staged one is damage too: both cut, kept beside, said', async () => {
  await using d = await tempDir();
  const ends = await build(d.path, [[...committed(0, 3), staged(3)]]);
  const file = join(d.path, ...JOURNAL);
  const bytes = await readFile(file);
  // In the record of step 2 (the last committed; a staged step 3 after it): its payload, its back-link, its header.
  for (const at of [ends[2]! - 20, ends[2]! - 6, ends[1]! + 2]) {
    const bad = Buffer.from(bytes);
    bad[at]! ^= 0x10;
    await writeFile(file, bad);
    const dd = await DataDir.open(d.path);
    const head = await (await dd.channel('1')).loadHead();
    assert.deepEqual([head.count, head.staged, head.repaired], [2n, null, { bytesDropped: ends[3]! - ends[1]!, damaged: true }], `flip at ${at}`);
    assert.ok((await readdir(join(d.path, 'channels', '1'))).some((n) => n.startsWith('torn-')), 'the cut bytes are kept');
    // The journal takes the next step again, and reads back whole.
    const ch = await dd.channel('1');
    await ch.append(committed(2, 3));
    assert.equal((await ch.readStates(0n, 9n)).length, 3);
    await dd.close();
  }
  // Damage further back as well: nothing is cut (the states between would be lost), the channel stays unreadable.
  const bad = Buffer.from(bytes);
  bad[ends[0]! - 20]! ^= 0x10;
  bad[ends[2]! - 20]! ^= 0x10;
  await writeFile(file, bad);
  const dd = await DataDir.open(d.path);
  await assert.rejects((await dd.channel('1')).loadHead(), (e: StoreError) => e.code === 'JOURNAL_CORRUPT');
  assert.equal((await readFile(file)).length, bad.length);
  await dd.close();
});
