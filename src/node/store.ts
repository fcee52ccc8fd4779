// The node's durable store (DESIGN §2 "write before send"): one folder per channel under <dataDir>/channels/.
//   params.json   channel parameters and on-chain facts, replaced atomically (write-file-atomic: temp file,
//                 fsync, rename — the well-kept npm module for exactly this)
//   states.jsonl  a journal, one JSON line each, appended and fdatasync'ed: every state both signed (before success
//                 is reported), and each state in flight (`staged`: my own proposal with my signature, written
//                 BEFORE my signature leaves the process, or the partner's awaiting mine). The staged state is the
//                 last staged line after the last committed one. One append + fdatasync costs ~0.8 ms here, an
//                 atomic file replacement ~7 ms: the journal keeps the payment path fast.
// A torn last line of states.jsonl (a crash mid-append) is dropped on load; every loaded state is re-verified by
// the core when the channel is restored, so a corrupted file cannot smuggle in a state.
import { mkdir, open, readFile, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

export interface StoredSignedState {
  /** base64 BOC of the ChannelState cell: the exact bytes that were signed */
  state: string;
  sigA: string | null;
  sigB: string | null;
}

export class StoreError extends Error {
  readonly code = 'STORE';
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

function safeName(id: string): string {
  if (!/^[A-Za-z0-9_:.-]{1,128}$/.test(id)) throw new StoreError(`not a valid channel id for the store: ${id}`);
  return id.replace(/:/g, '_');
}

/** JSON with bigints as strings tagged "n:" (so they come back as bigints) and Buffers as hex tagged "x:". */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === 'bigint') return `n:${v.toString()}`;
      if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
        return `x:${Buffer.from((v as { data: number[] }).data).toString('hex')}`;
      }
      return v;
    },
    2,
  );
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_k, v) => {
    if (typeof v === 'string' && v.length > 2 && v[1] === ':') {
      if (v[0] === 'n' && /^n:-?\d+$/.test(v)) return BigInt(v.slice(2));
      if (v[0] === 'x' && /^x:[0-9a-f]*$/.test(v)) return Buffer.from(v.slice(2), 'hex');
    }
    return v;
  }) as T;
}

export class ChannelStore {
  readonly dir: string;

  private constructor(readonly root: string, readonly id: string) {
    this.dir = join(root, 'channels', safeName(id));
  }

  static async open(root: string, id: string): Promise<ChannelStore> {
    const s = new ChannelStore(root, id);
    await mkdir(s.dir, { recursive: true, mode: 0o700 });
    return s;
  }

  /** Ids of every channel stored under root. */
  static async list(root: string): Promise<string[]> {
    try {
      const names = await readdir(join(root, 'channels'));
      return names.sort();
    } catch {
      return [];
    }
  }

  async writeParams<T>(params: T): Promise<void> {
    await writeFileAtomic(join(this.dir, 'params.json'), toJson(params), { mode: 0o600, fsync: true });
  }

  async readParams<T>(): Promise<T | null> {
    try {
      return fromJson<T>(await readFile(join(this.dir, 'params.json'), 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreError(`cannot read ${join(this.dir, 'params.json')}: ${(e as Error).message}. Restore it from a backup or remove the channel folder.`);
    }
  }

  private fh: FileHandle | null = null;
  private pending: { text: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing = false;

  /**
   * Appends journal lines in call order and resolves once they are on disk. Appends that arrive while an
   * fdatasync is under way are written together and share the next one (group commit).
   */
  private append(lines: object | object[]): Promise<void> {
    const text = (Array.isArray(lines) ? lines : [lines]).map((l) => `${JSON.stringify(l)}\n`).join('');
    return new Promise((resolve, reject) => {
      this.pending.push({ text, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length) {
      const batch = this.pending.splice(0);
      try {
        this.fh ??= await open(join(this.dir, 'states.jsonl'), 'a', 0o600);
        await this.fh.write(batch.map((b) => b.text).join(''));
        await this.fh.datasync();
        for (const b of batch) b.resolve();
      } catch (e) {
        const err = new StoreError(`cannot write ${join(this.dir, 'states.jsonl')}: ${(e as Error).message}. Check the disk (space, permissions); nothing was reported as signed`);
        for (const b of batch) b.reject(err);
      }
    }
    this.flushing = false;
  }

  /** Waits for pending appends and releases the file. */
  async close(): Promise<void> {
    while (this.flushing || this.pending.length) await new Promise((r) => setTimeout(r, 1));
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }

  /** Appends a state both signed and waits for it to reach the disk. */
  async appendState(s: StoredSignedState): Promise<void> {
    await this.appendStates([s]);
  }

  /** Appends several journal lines (states both signed, and at most a last staged one) with one fdatasync. */
  async appendStates(lines: (StoredSignedState & { staged?: boolean; mine?: boolean })[]): Promise<void> {
    await this.append(lines.map((s) => (s.staged ? { staged: true, mine: !!s.mine, state: s.state, sigA: s.sigA, sigB: s.sigB } : { state: s.state, sigA: s.sigA, sigB: s.sigB })));
  }

  private async readJournal(): Promise<(StoredSignedState & { staged?: boolean; mine?: boolean })[]> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'states.jsonl'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: (StoredSignedState & { staged?: boolean; mine?: boolean })[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as StoredSignedState);
      } catch {
        // Only the last line may be torn (a crash mid-append); anything else is corruption.
        if (i >= lines.length - 2) break;
        throw new StoreError(`${join(this.dir, 'states.jsonl')} line ${i + 1} is corrupted: restore it from a backup, or resync with your partner`);
      }
    }
    return out;
  }

  /**
   * Every state both signed, oldest first, and the state in flight: the last staged line when it comes after the
   * last committed state (a committed state supersedes the staged one by itself).
   */
  async read(): Promise<{ states: StoredSignedState[]; staged: (StoredSignedState & { mine: boolean }) | null }> {
    const journal = await this.readJournal();
    const last = journal[journal.length - 1];
    return {
      states: journal.filter((l) => !l.staged),
      staged: last?.staged ? { state: last.state, sigA: last.sigA, sigB: last.sigB, mine: !!last.mine } : null,
    };
  }

  /** Persists the state in flight (appended to the journal: it supersedes any earlier staged line). */
  async writeStaged(s: StoredSignedState & { mine: boolean }): Promise<void> {
    await this.append({ staged: true, mine: s.mine, state: s.state, sigA: s.sigA, sigB: s.sigB });
  }
}
