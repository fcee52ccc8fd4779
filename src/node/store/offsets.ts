// The offsets index of one channel's journal: where each committed state and each evidence record starts, built
// by one forward scan that checks every record and the step order, extended over what was appended since, and
// dropped after INDEX_IDLE_MS without use. readStates beyond the last few states, evidence() and verify() use it;
// the reads of states and evidence, through it or walking back from the end.
import { open, type FileHandle } from 'node:fs/promises';
import type { SignedState } from '../../core/channel.js';
import { FILE_HEADER_LEN, KIND, stepOf, type JournalEntry } from './codec.js';
import { fsError, journalCorrupt } from './errors.js';
import { decodeRaw, fileSource, scanForward, walkBack, type RawRecord } from './scan.js';

const INDEX_IDLE_MS = 10_000;

export interface Offsets {
  /** offset of committed step i */
  committed: number[];
  evidence: number[];
  /** the journal length the index covers */
  end: number;
}

/** Runs `fn` over the journal's first `size` bytes, opened for reading, and closes it after. */
export async function withReader<T>(path: string, size: number, fn: (src: ReturnType<typeof fileSource>) => Promise<T>): Promise<T> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fsError(e, path, false);
  }
  try {
    return await fn(fileSource(fh, size, path));
  } finally {
    await fh.close();
  }
}

export class JournalIndex {
  private index: Offsets | null = null;
  private indexing: Promise<Offsets> | null = null;
  private timer: NodeJS.Timeout | null = null;

  /** `durableEnd`: the journal's intact length now (read once earlier indexing has finished). */
  constructor(
    private readonly path: string,
    private readonly durableEnd: () => number,
  ) {}

  /** The offsets of committed and evidence records, extended over what was appended since it was built. */
  async get(): Promise<Offsets> {
    while (this.indexing) await this.indexing;
    const idx = this.index ?? { committed: [], evidence: [], end: FILE_HEADER_LEN };
    if (idx.end < this.durableEnd()) {
      const end = this.durableEnd();
      this.indexing = withReader(this.path, end, async (src) => {
        await scanForward(src, idx.end, end, this.path, (r) => this.add(idx, r));
        idx.end = end;
        this.index = idx;
        return idx;
      }).finally(() => (this.indexing = null));
      await this.indexing;
    }
    this.index = idx;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.index = null), INDEX_IDLE_MS).unref();
    return idx;
  }

  /** Forgets the index (the storage closes). */
  drop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.index = null;
  }

  private add(idx: Offsets, r: RawRecord): void {
    if (r.kind === KIND.committed) {
      let step: bigint | null;
      try {
        step = stepOf(r.kind, r.payload);
      } catch (e) {
        throw journalCorrupt(this.path, r.offset, (e as Error).message);
      }
      if (step !== BigInt(idx.committed.length)) throw journalCorrupt(this.path, r.offset, `step ${step} where step ${idx.committed.length} was expected`);
      idx.committed.push(r.offset);
    } else if (r.kind === KIND.evidence) {
      idx.evidence.push(r.offset);
    } else if (r.kind !== KIND.staged) {
      throw journalCorrupt(this.path, r.offset, `unknown record kind ${r.kind} (written by a newer version?)`);
    }
  }
}

/** Committed states lo <= step < hi, through the index. */
export async function statesFromIndex(idx: Offsets, path: string, lo: bigint, hi: bigint): Promise<SignedState[]> {
  const from = idx.committed[Number(lo)]!;
  const to = hi < BigInt(idx.committed.length) ? idx.committed[Number(hi)]! : idx.end;
  const out: SignedState[] = [];
  await withReader(path, idx.end, (src) =>
    scanForward(src, from, to, path, (r) => {
      if (r.kind !== KIND.committed) return;
      const e = decodeRaw(r, path);
      if (e.kind !== 'committed' || e.state.state.step !== lo + BigInt(out.length)) throw journalCorrupt(path, r.offset, 'the state is not the step its index says');
      out.push(e.state);
    }),
  );
  return out;
}

/** Committed states lo <= step < hi among the last few, walking back from `end` (`last`: the latest step). */
export async function tailStates(path: string, end: number, last: bigint, lo: bigint, hi: bigint): Promise<SignedState[]> {
  const out: SignedState[] = [];
  await withReader(path, end, (src) =>
    walkBack(src, end, path, (r) => {
      if (r.kind !== KIND.committed) return false;
      const e = decodeRaw(r, path);
      const step = e.kind === 'committed' ? e.state.state.step : -1n;
      if (e.kind !== 'committed' || step !== last - BigInt(out.length)) throw journalCorrupt(path, r.offset, 'the states are out of order');
      out.push(e.state);
      return step <= lo;
    }),
  );
  return out.filter((s) => s.state.step >= lo && s.state.step < hi).reverse();
}

/** Every equivocation proof, oldest first, through the index. */
export async function evidenceOf(idx: Offsets, path: string): Promise<Extract<JournalEntry, { kind: 'evidence' }>[]> {
  const out: Extract<JournalEntry, { kind: 'evidence' }>[] = [];
  if (idx.evidence.length === 0) return out;
  await withReader(path, idx.end, (src) =>
    scanForward(src, idx.evidence[0]!, idx.end, path, (r) => {
      if (r.kind !== KIND.evidence) return;
      const e = decodeRaw(r, path);
      if (e.kind === 'evidence') out.push(e);
    }),
  );
  return out;
}
