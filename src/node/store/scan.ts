// Reading a journal: find where its intact records end (from the tail, cutting a torn last write), walk
// back from there to the head, or scan forward over every record (the index, exports, the fuzz entry).
import type { FileHandle } from 'node:fs/promises';
import {
  CONTINUES,
  DecodeError,
  FILE_HEADER_LEN,
  FILE_MAGIC,
  FORMAT_AT,
  JOURNAL_FORMAT,
  KIND,
  OLDEST_FORMAT,
  MAX_RECORD,
  RECORD_MAGIC,
  RECORD_OVERHEAD,
  decodeEntry,
  headerLength,
  kindOf,
  recordValid,
  type JournalEntry,
} from './codec.js';
import { StoreError, fsError, journalCorrupt, journalNewer } from './errors.js';

/** Random-access bytes: a file (or a slice of one) or a buffer. */
export interface Source {
  readonly size: number;
  read(pos: number, len: number): Promise<Buffer>;
}

export function bufferSource(buf: Buffer): Source {
  return { size: buf.length, read: async (pos, len) => buf.subarray(pos, Math.min(buf.length, pos + len)) };
}

/** `size` bytes of an open file starting at `base`. */
export function fileSource(fh: FileHandle, size: number, path: string, base = 0): Source {
  return {
    size,
    async read(pos, len) {
      const n = Math.max(0, Math.min(len, size - pos));
      const buf = Buffer.allocUnsafe(n);
      let got = 0;
      try {
        while (got < n) {
          const { bytesRead } = await fh.read(buf, got, n - got, base + pos + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
      } catch (e) {
        throw fsError(e, path, false);
      }
      return buf.subarray(0, got);
    },
  };
}

/** A source whose last `n` bytes are read once, on the first read that falls in them. */
export function tailCached(src: Source, n: number): Source {
  const start = Math.max(0, src.size - n);
  let tail: Promise<Buffer> | null = null;
  return {
    size: src.size,
    async read(pos, len) {
      if (pos < start) return src.read(pos, len);
      tail ??= src.read(start, src.size - start);
      const t = await tail;
      return t.subarray(pos - start, Math.min(t.length, pos - start + len));
    },
  };
}

/** One cached window of a source, read backwards in chunks (the tail walk reads few, small records). */
class Window {
  private start = 0;
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly src: Source, private readonly chunk: number) {}
  async get(from: number, to: number): Promise<Buffer> {
    if (from < this.start || to > this.start + this.buf.length) {
      const begin = Math.max(0, Math.min(from, to - this.chunk));
      this.buf = await this.src.read(begin, to - begin);
      this.start = begin;
      if (this.buf.length < to - begin) return this.buf.subarray(from - begin);
    }
    return this.buf.subarray(from - this.start, to - this.start);
  }
}

export interface ValidEnd {
  /** where the intact records end: the next append goes here */
  end: number;
  /** bytes after `end` (a torn last write) to cut */
  dropped: number;
  /** the file is shorter than its header (a torn creation): rewrite the header */
  needsHeader: boolean;
  /** the bytes cut start with a whole record (its length at both ends) whose checksum fails: damage, not a torn write */
  damaged?: boolean;
  /** the format the header names (null: no whole header) */
  format: number | null;
}

/** The offset where the last intact record ends; throws JOURNAL_CORRUPT when the tail is not a torn write. */
export async function findValidEnd(src: Source, path: string): Promise<ValidEnd> {
  const head = await src.read(0, Math.min(src.size, FILE_HEADER_LEN));
  const format = head.length === FILE_HEADER_LEN && head.subarray(0, FORMAT_AT).equals(FILE_MAGIC.subarray(0, FORMAT_AT)) ? head[FORMAT_AT]! : null;
  if (format !== null && format > JOURNAL_FORMAT) throw journalNewer(path, format, JOURNAL_FORMAT);
  const known = format !== null ? format >= OLDEST_FORMAT : FILE_MAGIC.subarray(0, head.length).equals(head);
  if (!known) throw journalCorrupt(path, 0, 'not a SynChannel journal: wrong file header');
  return { ...(await endAfterHeader(src, path)), format };
}

/** findValidEnd past a header it checked. */
async function endAfterHeader(src: Source, path: string): Promise<Omit<ValidEnd, 'format'>> {
  const size = src.size;
  if (size < FILE_HEADER_LEN) return { end: 0, dropped: size, needsHeader: true };
  if (size === FILE_HEADER_LEN) return { end: size, dropped: 0, needsHeader: false };
  // Fast path: the last record is intact.
  const tail = await src.read(Math.max(FILE_HEADER_LEN, size - 4096), Math.min(4096, size - FILE_HEADER_LEN));
  if (endsWithRecord(tail, tail.length)) return { end: size, dropped: 0, needsHeader: false };
  // A torn write leaves a prefix of one record, maybe followed by zeros (a size extended before its data).
  const z = await zeroRunStart(src, FILE_HEADER_LEN);
  const hi = Math.min(size, z + 6);
  const lo = Math.max(FILE_HEADER_LEN, z - MAX_RECORD);
  const winStart = Math.max(FILE_HEADER_LEN, lo - MAX_RECORD);
  const win = await src.read(winStart, hi - winStart);
  for (let p = hi; p > lo; p--) {
    if (endsWithRecord(win, p - winStart)) return { end: p, dropped: size - p, needsHeader: false, damaged: await wholeRecordAt(src, p) };
  }
  if (lo === FILE_HEADER_LEN) return { end: lo, dropped: size - lo, needsHeader: false, damaged: await wholeRecordAt(src, lo) };
  throw journalCorrupt(path, lo, `no intact record in the last ${size - lo} bytes`);
}

/**
 * True when a whole record starts at `at` (written in full, so not torn): its header's length ends it at the file's
 * end or at a back-link that agrees, or the file ends with a back-link leading to `at`.
 */
async function wholeRecordAt(src: Source, at: number): Promise<boolean> {
  const L = headerLength(await src.read(at, 4), 0);
  if (L !== null && at + L + RECORD_OVERHEAD <= src.size) {
    // Its end reached the disk: a back-link that agrees, or (when it fills the file exactly) a trailer that is not
    // zeros (a file extended before its data reached the disk reads as zeros there).
    const tail = await src.read(at + L + RECORD_OVERHEAD - 6, 6);
    if (tail.length === 6 && tail.readUInt16LE(0) === L) return true;
    if (at + L + RECORD_OVERHEAD === src.size && tail.some((b) => b !== 0)) return true;
  }
  const rest = src.size - at - RECORD_OVERHEAD;
  if (rest < 1) return false;
  const last = await src.read(src.size - 6, 2);
  return last.length === 2 && last.readUInt16LE(0) === rest;
}

export interface DamagedWrite {
  /** where the intact records before the damage end: the journal is cut here */
  cut: number;
  /** the first record cut is whole (its length at both ends) but fails its checksum: maybe damage on disk */
  damaged: boolean;
}

/**
 * Checks the records of the last write, walking back from `end` (not below `floor`) to the first one, which is
 * the one without CONTINUES. Damage that only CONTINUES records follow is in that write: a power loss kept some of
 * its sectors, not all. Returns where the intact records before the damage end; null when there is no such damage
 * (damage behind a record that starts a write is in an earlier, completed write: left to the reads that meet it).
 */
export async function damagedLastWrite(src: Source, end: number, floor: number): Promise<DamagedWrite | null> {
  const lo = Math.max(floor, FILE_HEADER_LEN);
  const win = new Window(src, 16384);
  let p = end;
  let cut: number | null = null;
  while (p > lo) {
    const L = p - FILE_HEADER_LEN > RECORD_OVERHEAD ? (await win.get(p - 6, p)).readUInt16LE(0) : 0;
    const start = p - L - RECORD_OVERHEAD;
    const rec = L >= 1 && start >= FILE_HEADER_LEN ? await win.get(start, p) : null;
    if (rec && recordValid(rec, 0, L)) {
      if (!(rec[1]! & CONTINUES)) break;
      p = start;
      continue;
    }
    if (p === end) return null;
    const q = await lastRecordEnd(src, lo, p);
    if (q === null) return null;
    cut = p = q;
  }
  if (cut === null) return null;
  const L = headerLength(await src.read(cut, 4), 0);
  const whole = L !== null && cut + L + RECORD_OVERHEAD <= end && (await src.read(cut + L + 4, 2)).readUInt16LE(0) === L;
  return { cut, damaged: whole };
}

/** The largest offset in [lo, p) where an intact record (or the file header) ends, or null. */
async function lastRecordEnd(src: Source, lo: number, p: number): Promise<number | null> {
  const from = Math.max(FILE_HEADER_LEN, lo - MAX_RECORD);
  const buf = await src.read(from, p - from);
  for (let q = p - 1; q >= lo; q--) if (q === FILE_HEADER_LEN || endsWithRecord(buf, q - from)) return q;
  return null;
}

/** True when an intact record ends exactly at buf[rel]. */
function endsWithRecord(buf: Buffer, rel: number): boolean {
  if (rel < RECORD_OVERHEAD + 1) return false;
  const L = buf.readUInt16LE(rel - 6);
  const start = rel - L - RECORD_OVERHEAD;
  return L >= 1 && start >= 0 && recordValid(buf, start, L);
}

async function zeroRunStart(src: Source, floor: number): Promise<number> {
  let pos = src.size;
  while (pos > floor) {
    const n = Math.min(65536, pos - floor);
    const buf = await src.read(pos - n, n);
    for (let i = buf.length - 1; i >= 0; i--) if (buf[i] !== 0) return pos - n + i + 1;
    pos -= n;
  }
  return floor;
}

export interface RawRecord {
  offset: number;
  kind: number;
  payload: Buffer;
}

/**
 * Walks back from `end` over intact records until `stop` says so (or the file header is reached).
 * Every record read is checked; a broken one is JOURNAL_CORRUPT.
 */
export async function walkBack(src: Source, end: number, path: string, stop: (r: RawRecord) => boolean): Promise<void> {
  const win = new Window(src, 16384);
  let p = end;
  while (p > FILE_HEADER_LEN) {
    if (p - FILE_HEADER_LEN < RECORD_OVERHEAD + 1) throw journalCorrupt(path, FILE_HEADER_LEN, 'a record is cut short');
    const L = (await win.get(p - 6, p)).readUInt16LE(0);
    const start = p - L - RECORD_OVERHEAD;
    if (L < 1 || start < FILE_HEADER_LEN) throw journalCorrupt(path, p - 6, 'a record\'s back-link points outside the journal');
    const rec = await win.get(start, p);
    if (!recordValid(rec, 0, L)) throw journalCorrupt(path, start, 'checksum mismatch');
    if (stop({ offset: start, kind: kindOf(rec[1]!), payload: Buffer.from(rec.subarray(4, 4 + L)) })) return;
    p = start;
  }
}

/**
 * Visits every record in [from, to) in order; the records must tile the range exactly. Reads in chunks of
 * `chunk` bytes, so memory stays bounded whatever the journal's size.
 */
export async function scanForward(src: Source, from: number, to: number, path: string, visit: (r: RawRecord) => void, chunk = 1 << 20): Promise<void> {
  let pos = from;
  let bufStart = from;
  let buf: Buffer = Buffer.alloc(0);
  const load = async () => {
    bufStart = pos;
    buf = await src.read(pos, Math.min(Math.max(chunk, MAX_RECORD), to - pos));
  };
  while (pos < to) {
    if (pos + 4 > bufStart + buf.length) await load();
    let rel = pos - bufStart;
    if (rel + 4 > buf.length) throw journalCorrupt(path, pos, 'a record is cut short');
    if (buf[rel] !== RECORD_MAGIC) throw journalCorrupt(path, pos, 'no record starts here');
    const L = headerLength(buf, rel);
    if (L === null) throw journalCorrupt(path, pos, 'a record of length 0');
    const end = pos + L + RECORD_OVERHEAD;
    if (end > to) throw journalCorrupt(path, pos, 'a record runs past the end of the intact journal');
    if (end > bufStart + buf.length) {
      await load();
      rel = 0;
      if (end > bufStart + buf.length) throw journalCorrupt(path, pos, 'the file is shorter than its records');
    }
    if (!recordValid(buf, rel, L)) throw journalCorrupt(path, pos, 'checksum mismatch');
    visit({ offset: pos, kind: kindOf(buf[rel + 1]!), payload: buf.subarray(rel + 4, rel + 4 + L) });
    pos = end;
  }
}

/** Decodes one checked record, naming the file and offset if it does not decode. */
export function decodeRaw(r: RawRecord, path: string): JournalEntry {
  try {
    return decodeEntry(r.kind, r.payload);
  } catch (e) {
    if (e instanceof DecodeError) throw journalCorrupt(path, r.offset, e.message);
    throw e;
  }
}

export interface TailHead {
  committed: RawRecord | null;
  /** the last staged record after the last committed one */
  staged: RawRecord | null;
}

/** The last committed record and the staged record after it, read from the tail. */
export async function readTail(src: Source, end: number, path: string): Promise<TailHead> {
  const out: TailHead = { committed: null, staged: null };
  await walkBack(src, end, path, (r) => {
    if (r.kind === KIND.committed) {
      out.committed = r;
      return true;
    }
    if (r.kind === KIND.staged && !out.staged) out.staged = r;
    return false;
  });
  return out;
}

/**
 * Where the damage that stops readTail starts when it is the one record before the intact ones at the end (the
 * latest committed record, behind staged ones): that record's offset, found by a forward scan. Null when the
 * damage lies further back (not a tail to cut) or cannot be placed.
 */
export async function damagedTailStart(src: Source, end: number, path: string): Promise<number | null> {
  let intact = end;
  await walkBack(src, end, path, (r) => ((intact = r.offset), false)).catch(() => undefined);
  let bad: number | null = null;
  await scanForward(src, FILE_HEADER_LEN, intact, path, () => undefined).catch((e: unknown) => {
    bad = e instanceof StoreError ? e.offset : null;
  });
  if (bad === null || bad >= intact) return null;
  // Exactly the record before the intact ones: its header's length, or its back-link, says it ends there.
  const L = headerLength(await src.read(bad, 4), 0);
  const back = intact - bad >= RECORD_OVERHEAD + 1 ? (await src.read(intact - 6, 2)).readUInt16LE(0) : -1;
  return (L !== null && bad + L + RECORD_OVERHEAD === intact) || intact - back - RECORD_OVERHEAD === bad ? bad : null;
}

export interface DecodedJournal {
  entries: { offset: number; entry: JournalEntry }[];
  validEnd: number;
  bytesDropped: number;
}

/**
 * The whole reader on bytes in memory (the fuzz entry): the tail check, the head walk and a forward scan.
 * Throws only StoreError; returns only entries whose records passed their checksum.
 */
export async function decodeJournal(bytes: Buffer, path = '<journal>'): Promise<DecodedJournal & { head: TailHead }> {
  const src = bufferSource(bytes);
  const { end, dropped } = await findValidEnd(src, path);
  if (end === 0) return { entries: [], validEnd: 0, bytesDropped: dropped, head: { committed: null, staged: null } };
  const head = await readTail(src, end, path);
  const entries: DecodedJournal['entries'] = [];
  await scanForward(src, FILE_HEADER_LEN, end, path, (r) => entries.push({ offset: r.offset, entry: decodeRaw(r, path) }));
  return { entries, validEnd: end, bytesDropped: dropped, head };
}

export { StoreError };
