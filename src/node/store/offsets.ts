// The offsets index of one channel's journal: where each committed state and each evidence record starts, built
// by one forward scan that checks every record and the step order, extended over what was appended since, and
// dropped after INDEX_IDLE_MS without use. readStates beyond the last few states, evidence() and verify() use it.
import { open, type FileHandle } from 'node:fs/promises';
import { FILE_HEADER_LEN, KIND, stepOf } from './codec.js';
import { fsError, journalCorrupt } from './errors.js';
import { fileSource, scanForward, type RawRecord } from './scan.js';

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
