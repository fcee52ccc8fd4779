// One channel's storage: its record (record.json) and its journal (journal.bin, see codec.ts).
// In memory: the head (latest committed state, staged state) and the journal's intact length; the offsets
// index for readStates is built on demand and dropped when unused (offsets.ts).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SignedState } from '../../core/channel.js';
import { FILE_HEADER_LEN, FILE_MAGIC, KIND, MAX_WRITE, encodeEntry, frameRecord, type JournalEntry } from './codec.js';
import { StoreError, fsError, journalCorrupt } from './errors.js';
import { LEGACY_JOURNAL, LEGACY_PARAMS, migrateLegacy } from './legacy.js';
import { JournalWriter, createJournal, cutTail, groupWrites, listFolder, openForWrite, truncateTo, upgradeFormat, writeAt } from './journalfile.js';
import { JournalIndex, withReader } from './offsets.js';
import { readRecordFile, writeRecordFile } from './record.js';
import { removeAtomicTemps } from '../../chain/fsync.js';
import { damagedLastWrite, damagedTailStart, decodeRaw, fileSource, findValidEnd, readTail, scanForward, tailCached, walkBack, type RawRecord } from './scan.js';
import type { ChannelHead, ChannelStorage } from './types.js';

/**
 * A write or read after the storage closed at the node's stop. An import closes a channel's storage too: the
 * channel's controller tells that as CHANNEL_RELOADED (its storage is closed and it is no stop).
 */
function closedError(id: string): StoreError {
  return new StoreError('NODE_STOPPED', `the storage of channel ${id} is closed, as the node stopped: nothing was written; start the node again`);
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
  private end = 0;
  private head: ChannelHead = { latest: null, count: 0n, staged: null, repaired: null };
  private latestBytes: Buffer | null = null;
  private proj = { count: 0n, latestBytes: null as Buffer | null };
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private readonly writer: JournalWriter;
  private recordChain: Promise<unknown> = Promise.resolve();
  private readonly offsets: JournalIndex;

  constructor(
    readonly id: string,
    readonly dir: string,
    private readonly onClose: () => void = () => undefined,
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
    if (this.broken) throw this.broken;
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
      let at = this.end;
      try {
        // In writes of at most MAX_WRITE bytes: a power loss tears only the last, and open checks only that much.
        for (const bytes of groupWrites(batch.flatMap((b) => b.records.map((r) => r.bytes)))) {
          await this.writer.writeDurable(bytes, at);
          this.syncs++;
          at += bytes.length;
        }
      } catch (e) {
        this.fail(e, [...batch, ...this.pending.splice(0)]);
        await this.writer.truncateAndClose(this.end);
        return;
      }
      this.end = at;
      for (const b of batch) for (const r of b.records) this.applyDurable(r.entry, r.bytes);
      for (const b of batch) b.resolve();
    }
  }

  private fail(e: unknown, waiting: Pending[]): void {
    const err = fsError(e, this.journalPath, true);
    this.broken = new StoreError(err.code, `${err.message}. This channel's journal takes no more states until it is opened again: start the node again once the disk has room`, this.journalPath);
    for (const b of waiting) b.reject(this.broken);
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
    const idx = await this.offsets.get();
    const from = idx.committed[Number(lo)]!;
    const to = hi < BigInt(idx.committed.length) ? idx.committed[Number(hi)]! : idx.end;
    const out: SignedState[] = [];
    await withReader(this.journalPath, idx.end, (src) =>
      scanForward(src, from, to, this.journalPath, (r) => {
        if (r.kind !== KIND.committed) return;
        const e = decodeRaw(r, this.journalPath);
        if (e.kind !== 'committed' || e.state.state.step !== lo + BigInt(out.length)) throw journalCorrupt(this.journalPath, r.offset, 'the state is not the step its index says');
        out.push(e.state);
      }),
    );
    return out;
  }

  /** The last few committed states, walking back from the end (no index needed). */
  private async readTailStates(lo: bigint, hi: bigint): Promise<SignedState[]> {
    const out: SignedState[] = [];
    const { end } = this;
    const last = this.head.count - 1n;
    await withReader(this.journalPath, end, (src) =>
      walkBack(src, end, this.journalPath, (r) => {
        if (r.kind !== KIND.committed) return false;
        const e = decodeRaw(r, this.journalPath);
        const step = e.kind === 'committed' ? e.state.state.step : -1n;
        if (e.kind !== 'committed' || step !== last - BigInt(out.length)) throw journalCorrupt(this.journalPath, r.offset, 'the states are out of order');
        out.push(e.state);
        return step <= lo;
      }),
    );
    return out.filter((s) => s.state.step >= lo && s.state.step < hi).reverse();
  }

  async evidence(): Promise<Extract<JournalEntry, { kind: 'evidence' }>[]> {
    await this.ensureReady();
    const idx = await this.offsets.get();
    const out: Extract<JournalEntry, { kind: 'evidence' }>[] = [];
    if (idx.evidence.length === 0) return out;
    await withReader(this.journalPath, idx.end, (src) =>
      scanForward(src, idx.evidence[0]!, idx.end, this.journalPath, (r) => {
        if (r.kind !== KIND.evidence) return;
        const e = decodeRaw(r, this.journalPath);
        if (e.kind === 'evidence') out.push(e);
      }),
    );
    return out;
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
