// Small node-level files in the (locked) data folder: replaced atomically (write-file-atomic: temp file, fsync,
// rename — the well-kept module for exactly this), 0600.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { NodeMeta } from './persistence.js';
import { removeAtomicTemps } from '../chain/fsync.js';

/** JSON where bigints survive as "n:<digits>". */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `n:${v.toString()}` : v), 2);
}

function fromJson<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' && /^n:-?\d+$/.test(v) ? BigInt(v.slice(2)) : v)) as T;
}

export class FileMeta implements NodeMeta {
  /** the files this object wrote: a temp file beside one may be a write of it under way */
  private readonly written = new Set<string>();

  constructor(private readonly dir: string) {}

  async readMeta<T>(name: string): Promise<T | null> {
    // the temp files of writes killed before their rename (the folder is locked: only this process writes it)
    if (!this.written.has(name)) await removeAtomicTemps(join(this.dir, `${name}.json`));
    try {
      return fromJson<T>(await readFile(join(this.dir, `${name}.json`), 'utf8'));
    } catch {
      return null; // missing or unreadable: the node starts without it (it only speeds up reconnecting)
    }
  }

  async writeMeta<T>(name: string, value: T): Promise<void> {
    this.written.add(name);
    await writeFileAtomic(join(this.dir, `${name}.json`), toJson(value), { mode: 0o600 });
  }
}
