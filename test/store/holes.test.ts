// A power loss during one write may keep any subset of its sectors, not only a prefix: the last record of a batch
// can be on disk while an earlier one has a hole. Such a write never completed: it is cut from the record before the
// hole when the journal opens. Damage in an earlier, completed write is never cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataDir, type JournalEntry, type StoreError } from '../../src/node/store/index.js';
import { FILE_MAGIC, FORMAT_AT, MAX_WRITE, encodeEntry } from '../../src/node/store/codec.js';
import { committed, show, signedAt, staged, tempDir } from './helpers.js';

const JOURNAL = ['channels', '1', 'journal.bin'];

/** Appends each batch in one call; returns the journal's length before and after each. */
async function write(path: string, batches: JournalEntry[][]): Promise<number[]> {
  const dd = await DataDir.open(path);
  const ch = await dd.channel('1');
  const ends = [(await stat(join(path, ...JOURNAL)).catch(() => ({ size: 0 }))).size];
  for (const b of batches) {
    await ch.append(b);
    ends.push((await stat(join(path, ...JOURNAL))).size);
  }
  await dd.close();
  return ends;
}

async function damage(path: string, fn: (b: Buffer) => Buffer | void): Promise<void> {
  const file = join(path, ...JOURNAL);
  const bytes = await readFile(file);
  await writeFile(file, fn(bytes) ?? bytes);
}

/** Opens the folder: the head, and every state read back (the channel stays usable: append, reopen). */
async function reopen(path: string) {
  const dd = await DataDir.open(path);
  try {
    const list = await dd.list({ deep: true });
    const ch = await dd.channel('1');
    const head = await ch.loadHead();
    const read = await ch.readStates(0n, head.count);
    // every state 0..count-1 read back as written (a short form, for short assertion messages)
    const states = read.every((s, i) => show(s) === show(signedAt(BigInt(i)))) ? `0..${read.length - 1}` : 'differ';
    return { count: Number(head.count), repaired: head.repaired, listed: list.map((l) => [l.id, l.error?.code ?? null]), states };
  } finally {
    await dd.close();
  }
}

const upTo = (n: number) => `0..${n - 1}`;
/** The header of format 1: journals before CONTINUES, and those the first builds with it wrote. */
const FORMAT_1 = Buffer.from([...FILE_MAGIC.subarray(0, FORMAT_AT), 1]);

/** The offset of each record of a journal (all committed: step i at index i), and its end. */
function offsets(bytes: Buffer): number[] {
  const at: number[] = [];
  for (let p = FILE_MAGIC.length; p < bytes.length; p += bytes.readUInt16LE(p + 2) + 10) at.push(p);
  return [...at, bytes.length];
}

test('a hole in a batch whose last record reached the disk: the write is cut from the record before the hole, earlier writes kept', async () => {
  // Two committed states in one write, 40 bytes zeroed inside the first (its header and back-link intact).
  await using d = await tempDir();
  const [, start, end] = await write(d.path, [committed(0, 6), committed(6, 8)]);
  await damage(d.path, (b) => void b.fill(0, start! + 20, start! + 60));
  const r = await reopen(d.path);
  assert.deepEqual(r, { count: 6, repaired: { bytesDropped: end! - start!, damaged: true }, listed: [['1', null]], states: upTo(6) });
  assert.ok((await readdir(join(d.path, 'channels', '1'))).some((n) => n.startsWith('torn-')), 'the cut bytes are kept');
  // The journal takes the lost steps again, and nothing is left to repair.
  await write(d.path, [committed(6, 9)]);
  assert.deepEqual(await reopen(d.path), { count: 9, repaired: null, listed: [['1', null]], states: upTo(9) });
});

test('a resync batch (30 states, one write) with a lost sector in the middle, or several: cut before the first hole', async () => {
  await using d = await tempDir();
  const src = join(d.path, 'src');
  const [, start, end] = await write(src, [committed(0, 6), committed(6, 36)]);
  const at = offsets(await readFile(join(src, ...JOURNAL)));
  const sector = (step: number) => Math.floor(at[step]! / 512) * 512 + 512; // a sector that starts in this step's record
  const cases: { holes: number[]; tail?: number }[] = [
    { holes: [sector(20)] },
    { holes: [sector(10), sector(30)] },
    { holes: [sector(6) - 512] }, // the batch's first sector (which also holds the end of step 5: left as it was)
    { holes: [sector(20)], tail: 100 }, // and the end of the batch torn off
  ];
  for (const c of cases) {
    const work = join(d.path, 'w');
    await rm(work, { recursive: true, force: true });
    await cp(src, work, { recursive: true });
    await damage(work, (b) => {
      for (const h of c.holes) b.fill(0, Math.max(h, start!), h + 512);
      return c.tail ? b.subarray(0, b.length - c.tail) : b;
    });
    const durable = at.filter((e) => e <= Math.max(c.holes[0]!, start!)).length - 1; // records that end before the first hole
    const r = await reopen(work);
    const what = JSON.stringify(c);
    assert.deepEqual([r.count, r.listed, r.states], [durable, [['1', null]], upTo(durable)], what);
    assert.equal(r.repaired?.bytesDropped, end! - (c.tail ?? 0) - at[durable]!, what);
  }
});

test('a countersignature and our proposal in one write, the first sector lost: cut back to the step before', async () => {
  await using d = await tempDir();
  const [, start] = await write(d.path, [committed(0, 6), [...committed(6, 7), staged(7)]]);
  await damage(d.path, (b) => void b.fill(0, start!, Math.floor(start! / 512) * 512 + 512));
  const r = await reopen(d.path);
  assert.deepEqual([r.count, r.listed, r.states, r.repaired?.damaged], [6, [['1', null]], upTo(6), false]);
});

test('damage in a write that a later one followed is never cut: the journal is kept, its reads say JOURNAL_CORRUPT', async () => {
  await using d = await tempDir();
  const ends = await write(d.path, [committed(0, 20), committed(20, 30)]);
  for (const at of [ends[0]! + 100, ends[1]! - 20]) {
    const before = await readFile(join(d.path, ...JOURNAL));
    await damage(d.path, (b) => void (b[at]! ^= 0x10));
    await assert.rejects(reopen(d.path), (e: StoreError) => e.code === 'JOURNAL_CORRUPT', `flip at ${at}`);
    const dd = await DataDir.open(d.path);
    const head = await (await dd.channel('1')).loadHead();
    assert.deepEqual([head.count, head.repaired], [30n, null], `flip at ${at}`);
    await dd.close();
    assert.equal((await readFile(join(d.path, ...JOURNAL))).length, before.length, 'nothing cut');
    await writeFile(join(d.path, ...JOURNAL), before);
  }
});

test('a batch longer than MAX_WRITE goes in several writes; a hole in the last one cuts only that one back to the hole', async () => {
  await using d = await tempDir();
  const dd = await DataDir.open(d.path);
  const ch = await dd.storage('1');
  await ch.append(committed(0, 1));
  const syncs = ch.syncs;
  await ch.append(committed(1, 121)); // 120 states of about 214 bytes: two writes
  assert.equal(ch.syncs - syncs, 2);
  await dd.close();
  const bytes = await readFile(join(d.path, ...JOURNAL));
  const at = offsets(bytes);
  assert.ok(at[80]! - at[1]! > MAX_WRITE, 'step 80 is in the second write');
  await damage(d.path, (b) => void b.fill(0, at[80]!, at[80]! + 10)); // the header of step 80
  const r = await reopen(d.path);
  assert.deepEqual([r.count, r.states, r.repaired], [80, upTo(80), { bytesDropped: bytes.length - at[80]!, damaged: false }]);
});

test('a journal written before CONTINUES (a batch in one write, no marks) opens as it did: intact, or a hole left to the reads', async () => {
  await using d = await tempDir();
  await write(d.path, [committed(0, 1)]);
  const old = Buffer.concat([FORMAT_1, ...committed(0, 12).map(encodeEntry)]);
  await damage(d.path, () => old);
  assert.deepEqual(await reopen(d.path), { count: 12, repaired: null, listed: [['1', null]], states: upTo(12) });
  await damage(d.path, (b) => void b.fill(0, 8 + 3 * 215 + 20, 8 + 3 * 215 + 60));
  await assert.rejects(reopen(d.path), (e: StoreError) => e.code === 'JOURNAL_CORRUPT');
  assert.equal((await readFile(join(d.path, ...JOURNAL))).length, old.length, 'nothing cut');
});

test('a format 1 journal (CONTINUES marks in it or not) opens, and is format 2 before anything more is written to it', async () => {
  await using d = await tempDir();
  await write(d.path, [committed(0, 1)]);
  await write(d.path, [committed(1, 40)]);
  const marked = await readFile(join(d.path, ...JOURNAL));
  assert.ok(marked.subarray(FILE_MAGIC.length).some((b, i, a) => i > 0 && a[i - 1] === 0xc5 && (b & 0x80) !== 0), 'a batch of 40 has CONTINUES marks');
  // The same journal as a build that wrote CONTINUES into format 1 left it.
  await damage(d.path, (b) => void b.set(FORMAT_1, 0));
  const dd = await DataDir.open(d.path);
  try {
    const head = await (await dd.channel('1')).loadHead();
    assert.equal(head.count, 40n);
    // A build that reads only format 1 compares the whole header: it refuses this journal instead of skipping the marked records.
    const header = (await readFile(join(d.path, ...JOURNAL))).subarray(0, FILE_MAGIC.length);
    assert.deepEqual([...header], [...FILE_MAGIC], 'the header names format 2 once the journal is open for writing');
    assert.notDeepEqual([...header], [...FORMAT_1]);
  } finally {
    await dd.close();
  }
  assert.deepEqual(await reopen(d.path), { count: 40, repaired: null, listed: [['1', null]], states: upTo(40) });
});
