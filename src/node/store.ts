// The node's durable store (DESIGN §2 "write before send"): one folder per channel under <dataDir>/channels/.
//   params.json   channel parameters and on-chain facts, replaced atomically (write-file-atomic: temp file,
//                 fsync, rename — the well-kept npm module for exactly this)
//   states.jsonl  every state both signed, one JSON line each, appended and fdatasync'ed before success is reported
//   staged.json   the one state in flight (my own proposal with my signature, or the partner's awaiting mine),
//                 written atomically BEFORE my signature leaves the process
// A torn last line of states.jsonl (a crash mid-append) is dropped on load; every loaded state is re-verified by
// the core when the channel is restored, so a corrupted file cannot smuggle in a state.
import { mkdir, open, readFile, readdir, rm } from 'node:fs/promises';
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

  /** Appends a state both signed and waits for it to reach the disk. */
  async appendState(s: StoredSignedState): Promise<void> {
    const fh = await open(join(this.dir, 'states.jsonl'), 'a', 0o600);
    try {
      await fh.write(`${JSON.stringify(s)}\n`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  async readStates(): Promise<StoredSignedState[]> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'states.jsonl'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: StoredSignedState[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as StoredSignedState);
      } catch {
        // Only the last line may be torn (a crash mid-append); anything else is corruption.
        if (i >= lines.length - 2) break;
        throw new StoreError(`${join(this.dir, 'states.jsonl')} line ${i + 1} is corrupted`);
      }
    }
    return out;
  }

  async writeStaged(s: StoredSignedState & { mine: boolean }): Promise<void> {
    await writeFileAtomic(join(this.dir, 'staged.json'), JSON.stringify(s), { mode: 0o600, fsync: true });
  }

  async readStaged(): Promise<(StoredSignedState & { mine: boolean }) | null> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'staged.json'), 'utf8')) as StoredSignedState & { mine: boolean };
    } catch {
      return null;
    }
  }

  async clearStaged(): Promise<void> {
    await rm(join(this.dir, 'staged.json'), { force: true });
  }
}
