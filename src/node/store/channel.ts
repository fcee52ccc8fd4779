// One channel's storage: its record (record.json) and its journal (journal.bin, see codec.ts).
// In memory: the head (latest committed state, staged state) and the journal's intact length; the offsets
// index for readStates is built on demand and dropped when unused (offsets.ts). After a failed write, the entries
// not written, held in order until writeHeld writes them.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SignedState } from '../../core/channel.js';
import { FILE_HEADER_LEN, FILE_MAGIC, MAX_WRITE, encodeEntry, frameRecord, type JournalEntry } from './codec.js';
import { StoreError, fsError } from './errors.js';
import { LEGACY_JOURNAL, LEGACY_PARAMS, migrateLegacy } from './legacy.js';
import { JournalWriter, createJournal, cutBack, cutTail, groupWrites, listFolder, openForWrite, truncateTo, upgradeFormat, writeAt } from './journalfile.js';
import { JournalIndex, evidenceOf, statesFromIndex, tailStates, withReader } from './offsets.js';
import { readRecordFile, writeRecordFile } from './record.js';
import { removeAtomicTemps } from '../../chain/fsync.js';
import { damagedLastWrite, damagedTailStart, decodeRaw, fileSource, findValidEnd, readTail, scanForward, tailCached, type RawRecord } from './scan.js';
import type { ChannelHead, ChannelStorage } from './types.js';

/**
 * A write or read after the storage closed at the node's stop. An import closes a channel's storage too: the
 * channel's controller tells that as CHANNEL_RELOADED (its storage is closed and it is no stop).
 */
function closedError(id: string): StoreError {
  return new StoreError('NODE_STOPPED', `the storage of channel ${id} is closed, as the node stopped: nothing was written; start the node again`);
}

/** A failed journal write: what was not written is held in memory (writeHeld writes it once the disk has room). */
function heldError(e: unknown, path: string): StoreError {
  const err = e instanceof StoreError ? e : fsError(e, path, true);
  return new StoreError(err.code, `${err.message}. What this channel could not write is held in memory, and none of it has left this node: the node tries again by itself, writes it once the disk takes it, then sends what waited for it`, path);
}

export const JOURNAL_FILE = 'journal.bin';
export const RECORD_FILE = 'record.json';
/** the last bytes of a journal read at once when it is opened (the last write and the head are almost always in them) */
const TAIL_CACHE = MAX_WRITE + 4096;
/** readStates of at most this many last states walks back from the end instead of using the index */
const TAIL_READ = 64n;

interface Pending {
  records: { entry: JournalEntry; bytes: Buffer }[];
  resolve: () => void;
  reject: (e: Error) => void;
}

function copySigned(s: SignedState): SignedState {
  return { state: { ...s.state }, sigA: s.sigA && Buffer.from(s.sigA), sigB: s.sigB && Buffer.from(s.sigB) };
}

export class FileChannelStorage implements ChannelStorage {
  readonly journalPath: string;
  readonly recordPath: string;
  /** fdatasyncs of the journal so far (tests and bench) */
  syncs = 0;
  private ready: Promise<void> | null = null;
  private closed = false;
  get isClosed(): boolean {
    return this.closed;
  }
  private broken: StoreError | null = null;
  get holding(): boolean {
    return this.broken !== null;
  }
  private end = 0;
  private head: ChannelHead = { latest: null, count: 0n, staged: null, repaired: null };
  private latestBytes: Buffer | null = null;
  private proj = { count: 0n, latestBytes: null as Buffer | null };
  private pending: Pending[] = [];
  /** after a failed write: its records and every later append's, in order, none on disk (writeHeld writes them) */
  private held: Pending['records'] = [];
  private rewriting: Promise<JournalEntry[]> | null = null;
  private flushing: Promise<void> | null = null;
  private readonly writer: JournalWriter;
  private recordChain: Promise<unknown> = Promise.resolve();
  private readonly offsets: JournalIndex;

  constructor(
    readonly id: string,
    readonly dir: string,
    private readonly onClose: () => void = () => undefined,
    /** told after a failed write: the channel holds entries in memory (writeHeld) */
    private readonly onHeld: () => void = () => undefined,
  ) {
    this.journalPath = join(dir, JOURNAL_FILE);
    this.recordPath = join(dir, RECORD_FILE);
    this.writer = new JournalWriter(this.journalPath);
    this.offsets = new JournalIndex(this.journalPath, () => this.end);
  }

  private async ensureReady(): Promise<void> {
    if (this.closed) throw closedError(this.id);
    this.ready ??= this.load();
    await this.ready;
  }

  /** Creates or migrates the journal, cuts a torn tail, reads the head from the tail. */
  private async load(): Promise<void> {
    let repaired: ChannelHead['repaired'] = null;
    let fh = await openForWrite(this.journalPath, true);
    if (!fh) {
      const names = await listFolder(this.dir);
      if (names.includes(LEGACY_PARAMS) || names.includes(LEGACY_JOURNAL)) {
        const { bytesDropped } = await migrateLegacy(this.dir, this.journalPath, this.recordPath);
        if (bytesDropped) repaired = { bytesDropped, damaged: false };
      } else {
        await createJournal(this.dir, this.journalPath);
      }
      fh = (await openForWrite(this.journalPath, false))!;
    }
    await removeAtomicTemps(this.recordPath);
    try {
      const size = (await fh.stat()).size;
      const src = tailCached(fileSource(fh, size, this.journalPath), TAIL_CACHE);
      const ve = await findValidEnd(src, this.journalPath);
      if (ve.needsHeader || ve.dropped) {
        if (!ve.needsHeader) await cutTail(fh, this.journalPath, ve.end, size);
        else await truncateTo(fh, this.journalPath, 0);
        if (ve.needsHeader) await writeAt(fh, FILE_MAGIC, 0).then(() => fh.datasync()).catch((e: unknown) => {
          throw fsError(e, this.journalPath, true);
        });
        repaired = { bytesDropped: (repaired?.bytesDropped ?? 0) + ve.dropped, damaged: !!ve.damaged };
      }
      this.end = ve.needsHeader ? FILE_HEADER_LEN : ve.end;
      await upgradeFormat(fh, this.journalPath, ve.format);
      // A hole in the last write behind intact records of it (a power loss keeps any of its sectors): cut there.
      const hole = await damagedLastWrite(src, this.end, this.end - MAX_WRITE);
      if (hole) {
        await cutTail(fh, this.journalPath, hole.cut, this.end);
        repaired = { bytesDropped: (repaired?.bytesDropped ?? 0) + this.end - hole.cut, damaged: hole.damaged || !!repaired?.damaged };
        this.end = hole.cut;
      }
      let tail: Awaited<ReturnType<typeof readTail>>;
      try {
        tail = await readTail(this.end === size ? src : fileSource(fh, this.end, this.journalPath), this.end, this.journalPath);
      } catch (e) {
        // Damage in the last committed record behind staged ones (a proposal of ours after it): cut from it, as a
        // damaged last record is; the partner gives the state back (resync). Anything else stays an error.
        const at = e instanceof StoreError && e.code === 'JOURNAL_CORRUPT' ? await damagedTailStart(fileSource(fh, this.end, this.journalPath), this.end, this.journalPath) : null;
        if (at === null) throw e;
        await cutTail(fh, this.journalPath, at, this.end);
        repaired = { bytesDropped: (repaired?.bytesDropped ?? 0) + this.end - at, damaged: true };
        this.end = at;
        tail = await readTail(fileSource(fh, at, this.journalPath), at, this.journalPath);
      }
      this.setHead(tail.committed, tail.staged, repaired);
    } finally {
      await fh.close();
    }
  }

  private setHead(committed: RawRecord | null, staged: RawRecord | null, repaired: ChannelHead['repaired']): void {
    const latest = committed ? decodeRaw(committed, this.journalPath) : null;
    const s = staged ? decodeRaw(staged, this.journalPath) : null;
    const count = latest?.kind === 'committed' ? latest.state.state.step + 1n : 0n;
    this.head = {
      latest: latest?.kind === 'committed' ? latest.state : null,
      count,
      staged: s?.kind === 'staged' && s.state.state.step === count ? { state: s.state, mine: s.mine } : null,
      repaired,
    };
    this.latestBytes = committed ? frameRecord(committed.kind, committed.payload) : null;
    this.proj = { count, latestBytes: this.latestBytes };
  }

  // ------------------------------------------------------------------------------------------ record

  async readRecord<T>(): Promise<T | null> {
    await this.ensureReady();
    await this.recordChain;
    return readRecordFile<T>(this.recordPath);
  }

  /** Replaces the record atomically (write-file-atomic + folder fsync); calls are applied in order. */
  async writeRecord<T>(rec: T): Promise<void> {
    await this.ensureReady();
    if (this.closed) throw closedError(this.id);
    const p = this.recordChain.then(() => writeRecordFile(this.recordPath, rec));
    this.recordChain = p.catch(() => undefined);
    await p;
  }

  // ------------------------------------------------------------------------------------------ journal

  /**
   * Appends entries in order; resolves once they are on disk (one fdatasync per batch; appends arriving during
   * a flush share the next one). Committed states must follow on from the last one (step = count); re-appending
   * the last committed state is a no-op. A staged state must be the next step.
   */
  async append(entries: JournalEntry[]): Promise<void> {
    await this.ensureReady();
    if (this.closed) throw closedError(this.id);
    const records: Pending['records'] = [];
    let { count, latestBytes } = this.proj;
    for (const entry of entries) {
      const bytes = encodeEntry(entry);
      if (entry.kind === 'committed') {
        const step = entry.state.state.step;
        if (step === count - 1n && latestBytes?.equals(bytes)) continue;
        if (step !== count) throw new RangeError(`channel ${this.id}: committed step ${step} does not follow the last committed step ${count - 1n}`);
        count += 1n;
        latestBytes = bytes;
      } else if (entry.kind === 'staged' && entry.state.state.step !== count) {
        throw new RangeError(`channel ${this.id}: staged step ${entry.state.state.step} is not the next step ${count}`);
      }
      records.push({ entry, bytes });
    }
    // After a failed write: held in memory after the ones that failed, in order, for writeHeld (not saved yet).
    if (this.broken) {
      this.held.push(...records);
      this.proj = { count, latestBytes };
      throw this.broken;
    }
    if (records.length === 0) return;
    this.proj = { count, latestBytes };
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ records, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    // The batch is taken after this turn of the event loop: appends made while handling the same input (a
    // countersignature and the proposal that came with it) share one fdatasync.
    this.flushing ??= new Promise<void>((r) => setImmediate(r))
      .then(() => this.flush())
      .finally(() => {
        this.flushing = null;
        if (this.pending.length) this.kick();
        else this.writer.idle(this.closed);
      });
  }

  private async flush(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0);
      let at: number;
      try {
        at = await this.writeRecords(batch.flatMap((b) => b.records.map((r) => r.bytes)));
      } catch (e) {
        return this.fail(e, [...batch, ...this.pending.splice(0)]);
      }
      this.end = at;
      for (const b of batch) for (const r of b.records) this.applyDurable(r.entry, r.bytes);
      for (const b of batch) b.resolve();
    }
  }

  private fail(e: unknown, waiting: Pending[]): void {
    this.broken = heldError(e, this.journalPath);
    for (const b of waiting) this.held.push(...b.records);
    for (const b of waiting) b.reject(this.broken);
    this.onHeld();
  }

  /**
   * After a failed write: cuts what it left past the last good record, then writes what was held since (the failed
   * entries and every append after them) in order, durable, and takes appends again. Resolves with the entries
   * written ([]: none held); rejects, holding them still, when the disk refuses again. A crash meanwhile leaves a
   * torn tail that opening cuts: the journal then ends at its last good record or at a whole held one.
   */
  writeHeld(): Promise<JournalEntry[]> {
    this.rewriting ??= this.rewrite().finally(() => (this.rewriting = null));
    return this.rewriting;
  }

  private async rewrite(): Promise<JournalEntry[]> {
    await this.ensureReady();
    if (this.closed) throw closedError(this.id);
    if (!this.broken) return [];
    await cutBack(this.journalPath, this.end);
    const done: JournalEntry[] = [];
    while (this.held.length) {
      const records = this.held.slice(); // appends made meanwhile join the next round
      const at = await this.writeRecords(records.map((r) => r.bytes)).catch((e: unknown) => {
        throw (this.broken = heldError(e, this.journalPath));
      });
      this.end = at;
      this.held.splice(0, records.length);
      for (const r of records) this.applyDurable(r.entry, r.bytes);
      done.push(...records.map((r) => r.entry));
    }
    this.broken = null;
    this.writer.idle(this.closed);
    return done;
  }

  /** Writes `records` at the end, in writes of at most MAX_WRITE bytes; the new end once all are durable. */
  private async writeRecords(records: Buffer[]): Promise<number> {
    let at = this.end;
    try {
      // In writes of at most MAX_WRITE bytes: a power loss tears only the last, and open checks only that much.
      for (const bytes of groupWrites(records)) {
        await this.writer.writeDurable(bytes, at);
        this.syncs++;
        at += bytes.length;
      }
    } catch (e) {
      await this.writer.truncateAndClose(this.end);
      throw e;
    }
    return at;
  }

  private applyDurable(entry: JournalEntry, bytes: Buffer): void {
    if (entry.kind === 'committed') {
      this.head.latest = entry.state;
      this.head.count = entry.state.state.step + 1n;
      this.latestBytes = bytes;
      if (this.head.staged && this.head.staged.state.state.step < this.head.count) this.head.staged = null;
    } else if (entry.kind === 'staged') {
      this.head.staged = { state: entry.state, mine: entry.mine };
    }
  }

  async loadHead(): Promise<ChannelHead> {
    await this.ensureReady();
    const h = this.head;
    return {
      latest: h.latest && copySigned(h.latest),
      count: h.count,
      staged: h.staged && { state: copySigned(h.staged.state), mine: h.staged.mine },
      repaired: h.repaired && { ...h.repaired },
    };
  }

  /** Committed states with fromStep <= step < toStep (clamped to what is durable), oldest first. */
  async readStates(fromStep: bigint, toStep: bigint): Promise<SignedState[]> {
    await this.ensureReady();
    const count = this.head.count;
    const lo = fromStep < 0n ? 0n : fromStep;
    const hi = toStep > count ? count : toStep;
    if (lo >= hi) return [];
    if (count - lo <= TAIL_READ) return this.readTailStates(lo, hi);
    return statesFromIndex(await this.offsets.get(), this.journalPath, lo, hi);
  }

  /** The last few committed states, walking back from the end (no index needed). */
  private readTailStates(lo: bigint, hi: bigint): Promise<SignedState[]> {
    return tailStates(this.journalPath, this.end, this.head.count - 1n, lo, hi);
  }

  async evidence(): Promise<Extract<JournalEntry, { kind: 'evidence' }>[]> {
    await this.ensureReady();
    return evidenceOf(await this.offsets.get(), this.journalPath);
  }

  /** Reads and checks every record (checksums, step order, decoding): the deep check behind exports. */
  async verify(): Promise<{ states: bigint; journalBytes: number }> {
    await this.ensureReady();
    const end = this.end;
    await withReader(this.journalPath, end, (src) => scanForward(src, FILE_HEADER_LEN, end, this.journalPath, (r) => void decodeRaw(r, this.journalPath)));
    const idx = await this.offsets.get();
    return { states: BigInt(idx.committed.length), journalBytes: idx.end };
  }

  async bytesOnDisk(): Promise<number> {
    await this.ensureReady();
    let n = 0;
    for (const p of [this.journalPath, this.recordPath]) n += await stat(p).then((s) => s.size, () => 0);
    return n;
  }

  /** Waits for pending appends, then releases the channel (a new DataDir.channel() call reopens it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.writer.close();
    await this.recordChain;
    this.offsets.drop();
    this.onClose();
  }

  /** Durable length, once pending appends are written (for exports). */
  async settledEnd(): Promise<number> {
    await this.ensureReady();
    while (this.flushing) await this.flushing;
    if (this.broken) throw this.broken;
    return this.end;
  }
}
