// A journal write that fails (a full disk) leaves the entries in memory: the failed ones and every append after
// them, in order, none reported as saved. Once the disk has room, writeHeld cuts what the failed write left past the
// last good record, writes them durably, and the journal takes appends again. A crash during that write leaves a
// journal that opens at its last good record or with the first of them, whole and in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataDir, StoreError, type FileChannelStorage, type JournalEntry } from '../../src/node/store/index.js';
import { encodeEntry } from '../../src/node/store/codec.js';
import { LOCK_FILE } from '../../src/node/store/lock.js';
import { committed, show, signedAt, staged, tempDir } from './helpers.js';

const JOURNAL = ['channels', '1', 'journal.bin'];
type Writer = { writeDurable(bytes: Buffer, at: number): Promise<void>; truncateAndClose(end: number): Promise<void>; close(): Promise<void> };

/** the zeros past a failed write's bytes: more than the entries written again cover */
const TORN_ZEROS = 4096;
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

/** Writes the first `n` bytes of `bytes` at `at` in `file` (what a write cut short leaves), then `zeros` more. */
async function writePart(file: string, bytes: Buffer, at: number, n: number, zeros = 0): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.write(bytes, 0, n, at);
    if (zeros) await fh.truncate(at + bytes.length + zeros); // the size grew before the data came (reads as zeros)
  } finally {
    await fh.close();
  }
}

/**
 * The disk of `ch` fills: each write leaves its first `part` bytes and a size grown past them, and fails; the cut
 * after it fails too (the torn bytes stay). `during(bytes, at)`: what a write does instead once full is off.
 */
function fill(ch: FileChannelStorage, file: string, part = 10) {
  const writer = (ch as unknown as { writer: Writer }).writer;
  const write = writer.writeDurable.bind(writer);
  const state = { full: true, during: null as ((bytes: Buffer, at: number) => Promise<void>) | null };
  writer.writeDurable = async (bytes, at) => {
    if (!state.full) return state.during ? state.during(bytes, at) : write(bytes, at);
    await writePart(file, bytes, at, Math.min(part, bytes.length), TORN_ZEROS);
    throw enospc();
  };
  writer.truncateAndClose = () => writer.close(); // the cut fails as well
  return state;
}

/** Steps 0 and 1 on disk; then a full disk: step 2, then steps 3 and the staged 4, are held. */
async function heldAfterFullDisk(path: string): Promise<{ dd: DataDir; ch: FileChannelStorage; file: string; disk: ReturnType<typeof fill>; end: number }> {
  const dd = await DataDir.open(path);
  const ch = await dd.storage('1');
  await ch.append(committed(0, 2, true));
  const file = join(path, ...JOURNAL);
  const end = (await stat(file)).size;
  const disk = fill(ch, file);
  await assert.rejects(ch.append(committed(2, 3, true)), (e: StoreError) => e.code === 'DISK_WRITE_FAILED' && /disk is full/.test(e.message));
  assert.ok((await stat(file)).size > end + TORN_ZEROS, 'the failed write left torn bytes');
  await assert.rejects(ch.append([...committed(3, 4, true), staged(4)]), (e: StoreError) => e.code === 'DISK_WRITE_FAILED', 'held too, not written');
  return { dd, ch, file, disk, end };
}

const steps = (es: JournalEntry[]) => es.map((e) => (e.kind === 'evidence' ? 'evidence' : `${e.kind}:${e.state.state.step}`));

test('a failed write holds its entries and every later append; once the disk has room writeHeld cuts the torn bytes, writes them in order, and appends go on', async () => {
  await using d = await tempDir();
  const first = await heldAfterFullDisk(d.path);
  const { disk, file, end } = first;
  let { dd, ch } = first;
  await assert.rejects(ch.append(committed(3, 4, true)), (e: StoreError) => e.code === 'DISK_WRITE_FAILED', 'a repeat of a held state is not saved either');
  await assert.rejects(ch.append(committed(5, 6, true)), RangeError, 'held appends are checked as any');
  assert.equal((await ch.loadHead()).count, 2n, 'nothing unwritten is reported');
  await assert.rejects(ch.writeHeld(), (e: StoreError) => e.code === 'DISK_WRITE_FAILED', 'still full: nothing written');
  assert.equal((await ch.loadHead()).count, 2n);

  disk.full = false;
  const written = await ch.writeHeld();
  assert.deepEqual(steps(written), ['committed:2', 'committed:3', 'staged:4']);
  const head = await ch.loadHead();
  assert.deepEqual([head.count, head.staged?.state.state.step], [4n, 4n]);
  assert.deepEqual((await ch.readStates(0n, 10n)).map(show), [0n, 1n, 2n, 3n].map((s) => show(signedAt(s, { fake: true }))));
  assert.deepEqual(steps(await ch.writeHeld()), [], 'nothing more held');
  await ch.append(committed(4, 5, true));
  const bytes = await readFile(file);
  const records = [...committed(2, 4, true), staged(4), ...committed(4, 5, true)].map(encodeEntry);
  assert.equal(bytes.length, end + records.reduce((n, r) => n + r.length, 0), 'no torn byte between the records');

  await dd.close();
  dd = await DataDir.open(d.path);
  ch = await dd.storage('1');
  const again = await ch.loadHead();
  assert.deepEqual([again.count, again.repaired], [5n, null], 'reopened: every state, nothing to repair');
  assert.deepEqual((await ch.readStates(0n, 10n)).map(show), [0n, 1n, 2n, 3n, 4n].map((s) => show(signedAt(s, { fake: true }))));
  await dd.close();
});

test('a crash while writeHeld writes leaves a journal that opens at its last good record or with the first held entries, whole and in order', async () => {
  await using d = await tempDir();
  const lens = [...committed(2, 4, true), staged(4)].map((e) => encodeEntry(e).length);
  const total = lens.reduce((n, l) => n + l, 0);
  for (const cut of [1, lens[0]! - 1, lens[0]!, lens[0]! + 5, lens[0]! + lens[1]!, total - 1]) {
    const path = join(d.path, `run-${cut}`);
    const crash = join(d.path, `crash-${cut}`);
    const { dd, ch, disk, file } = await heldAfterFullDisk(path);
    disk.full = false;
    disk.during = async (bytes, at) => {
      await writePart(file, bytes, at, cut); // the process dies here: the disk as it is now is what a restart sees
      await cp(path, crash, { recursive: true });
      await rm(join(crash, LOCK_FILE), { force: true });
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    };
    await assert.rejects(ch.writeHeld(), (e: StoreError) => e instanceof StoreError);
    await dd.close();
    const after = await DataDir.open(crash);
    try {
      const head = await (await after.channel('1')).loadHead();
      const whole = cut >= lens[0]! + lens[1]! ? 4n : cut >= lens[0]! ? 3n : 2n;
      assert.equal(head.count, whole, `cut at ${cut}: the whole records are kept, the torn one cut`);
      assert.equal(head.staged, null, `cut at ${cut}: the staged state was not whole`);
      const boundary = cut === lens[0] || cut === lens[0]! + lens[1]!;
      if (boundary) assert.equal(head.repaired, null, `cut at ${cut}: whole records, nothing to repair`);
      else assert.ok(head.repaired && !head.repaired.damaged, `cut at ${cut}: a torn write, cut and said`);
      const states = await (await after.channel('1')).readStates(0n, 10n);
      assert.deepEqual(states.map(show), Array.from({ length: Number(whole) }, (_, i) => show(signedAt(BigInt(i), { fake: true }))), `cut at ${cut}: in order`);
    } finally {
      await after.close();
    }
  }
});
