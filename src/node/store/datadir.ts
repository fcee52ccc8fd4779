// A data folder: its lock, and one folder per channel under channels/.
//   <data>/synchannel.lock            the lock (lock.ts)
//   <data>/channels/<id>/journal.bin  the journal (codec.ts)
//   <data>/channels/<id>/record.json  the node's record (record.ts)
//   <data>/channels/<id>/legacy/      the old params.json + states.jsonl, once migrated
//   <data>/channels/<id>/torn-*.bin   bytes of a torn write cut from the journal, kept for a post-mortem
import { access, constants, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FileChannelStorage } from './channel.js';
import type { ChannelStorage } from './types.js';
import { StoreError, fsError, isErrno } from './errors.js';
import { DataDirLock } from './lock.js';
import { fsyncDir } from '../../chain/fsync.js';
import { exportDataDir, importDataDir, type ImportResult, type ImportRules } from './backup.js';
import { COMMIT_PREFIX, IMPORT_PREFIX, amendWaitingRecord, moveCommitted } from './commit.js';

export const CHANNELS = 'channels';
/** the new journal of an import by an earlier version, before it was renamed into place */
const OLD_IMPORT = 'journal.bin.import';
const ID = /^[A-Za-z0-9_-]{1,128}$/;

export function checkChannelId(id: string): void {
  if (!ID.test(id)) throw new RangeError(`not a valid channel id for the store: ${JSON.stringify(id)} (letters, digits, _ and -, at most 128)`);
}

export function isChannelId(id: string): boolean {
  return ID.test(id);
}

/** Decimal ids in numeric order, others after them by length then name. */
export function byId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Creates a folder and its missing parents a level at a time: Node's recursive mkdir never returns for a path
 * under /proc.
 */
export async function makeFolders(path: string): Promise<void> {
  const missing: string[] = [];
  for (let d = path; dirname(d) !== d; d = dirname(d)) {
    const found = await stat(d).then(
      () => true,
      (e: unknown) => !isErrno(e, 'ENOENT'),
    );
    if (found) break;
    missing.unshift(d);
  }
  for (const d of missing) {
    try {
      await mkdir(d, { mode: 0o700 });
    } catch (e) {
      if (isErrno(e, 'EEXIST')) continue;
      if (isErrno(e, 'ENOENT')) {
        throw new StoreError('DATA_DIR_NOT_WRITABLE', `the folder ${path} cannot be created (${d}: this file system takes no new folders): choose another folder`, path);
      }
      throw fsError(e, path, true);
    }
  }
}

async function prepareFolder(path: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw fsError(e, path, false);
    await makeFolders(path);
    return;
  }
  if (!isDir) throw new StoreError('DATA_DIR_NOT_A_FOLDER', `${path} is a file, not a folder: give the path of a folder for the data (it is created if missing)`, path);
  try {
    await readdir(path);
  } catch (e) {
    throw fsError(e, path, false);
  }
  try {
    await access(path, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw fsError(e, path, true);
  }
}

export class DataDir {
  readonly channelsPath: string;
  private readonly storages = new Map<string, FileChannelStorage>();
  private closed = false;
  /** an import under way: channel() waits for it */
  private gate: Promise<unknown> | null = null;
  /** channels whose committed import is not moved in yet (the move under way, or null) */
  private readonly unfinished = new Map<string, Promise<void> | null>();
  private heldListener: (id: string) => void = () => undefined;

  private constructor(
    readonly path: string,
    private readonly lock: DataDirLock,
  ) {
    this.channelsPath = join(path, CHANNELS);
  }

  /** Opens (creating if missing) and locks a data folder; typed errors for a file, an unreadable folder, a lock. */
  static async open(path: string): Promise<DataDir> {
    const abs = resolve(path);
    await prepareFolder(abs);
    const lock = await DataDirLock.acquire(abs);
    try {
      const dd = new DataDir(abs, lock);
      await prepareFolder(dd.channelsPath);
      await dd.finishImports();
      return dd;
    } catch (e) {
      await lock.release();
      throw fsError(e, join(abs, CHANNELS), true);
    }
  }

  /**
   * What a crash left of imports: an import not committed is dropped (the channel stays as it was), a committed
   * one is moved in. `journal.bin.import` is what an import of an earlier version left: dropped too.
   */
  private async finishImports(): Promise<void> {
    const names = await readdir(this.channelsPath);
    for (const name of names) {
      if (name.startsWith(IMPORT_PREFIX)) await rm(join(this.channelsPath, name), { recursive: true, force: true });
      else if (name.startsWith(COMMIT_PREFIX)) await this.finishImport(name.slice(COMMIT_PREFIX.length)).catch(() => undefined); // its channel says why
    }
    const ids = names.filter(isChannelId);
    for (let i = 0; i < ids.length; i += 16) {
      await Promise.all(ids.slice(i, i + 16).map((id) => rm(join(this.channelsPath, id, OLD_IMPORT), { force: true }).catch(() => undefined)));
    }
  }

  /**
   * Moves a committed import into its channel folder. Until that succeeds the channel is not opened (each open
   * tries again): its old journal must take no state that the imported one, moved in later, would drop.
   */
  async finishImport(id: string): Promise<void> {
    const running = this.unfinished.get(id);
    if (running) return running;
    const p = moveCommitted(this.channelsPath, id).then(() => void this.unfinished.delete(id));
    this.unfinished.set(id, p);
    try {
      await p;
    } finally {
      if (this.unfinished.get(id) === p) this.unfinished.set(id, null); // failed: the next open of it tries again
    }
  }

  /**
   * Adds `fields` to the record of a channel not open here (its import not moved in, or it failed to load), which
   * it loads later; after a move of its import under way. False: it is open, or has no record to add them to.
   */
  async amendWaitingRecord(id: string, fields: Record<string, unknown>): Promise<boolean> {
    this.check();
    checkChannelId(id);
    await this.unfinished.get(id)?.catch(() => undefined);
    if (this.storages.has(id)) return false; // loaded: its controller writes its record
    return amendWaitingRecord(this.channelsPath, id, fields);
  }

  private check(): void {
    if (this.closed) throw new Error(`the data folder ${this.path} is closed`);
  }

  /** Ids of every channel folder, in order. */
  async ids(): Promise<string[]> {
    this.check();
    try {
      const entries = await readdir(this.channelsPath, { withFileTypes: true });
      return entries.filter((d) => d.isDirectory() && isChannelId(d.name)).map((d) => d.name).sort(byId);
    } catch (e) {
      throw fsError(e, this.channelsPath, false);
    }
  }

  /** Whether the folder of channel `id` holds anything (a channel this node did not load: another network's, or broken). */
  async used(id: string): Promise<boolean> {
    this.check();
    checkChannelId(id);
    try {
      return (await readdir(join(this.channelsPath, id))).length > 0;
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return false;
      throw fsError(e, join(this.channelsPath, id), false);
    }
  }

  /**
   * Every channel folder, readable or not: a channel whose record or journal cannot be read carries its error.
   * By default each journal's head is read from its tail (fast); `deep` reads and checks every record too. Each
   * item carries the record it read (the node starts from it instead of reading the file again).
   */
  async list(opts: { deep?: boolean } = {}): Promise<{ id: string; error: StoreError | null; record?: unknown }[]> {
    const ids = await this.ids();
    const out: { id: string; error: StoreError | null; record?: unknown }[] = ids.map((id) => ({ id, error: null }));
    let next = 0;
    const worker = async () => {
      while (next < out.length) {
        const item = out[next++]!;
        try {
          const s = await this.storage(item.id, true);
          item.record = await s.readRecord();
          await s.loadHead();
          if (opts.deep) await s.verify();
        } catch (e) {
          item.error = e instanceof StoreError ? e : new StoreError('DATA_DIR_UNREADABLE', `cannot read channel ${item.id}: ${(e as Error).message}`, join(this.channelsPath, item.id));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, out.length) }, worker));
    return out;
  }

  /** Opens (creating its folder if missing) one channel's storage; the same object until it is closed. */
  async channel(id: string): Promise<ChannelStorage> {
    while (this.gate) await this.gate.catch(() => undefined);
    return this.storage(id);
  }

  /** The storage object itself (with its extra methods: verify, settledEnd), even during an import. */
  async storage(id: string, exists = false): Promise<FileChannelStorage> {
    this.check();
    checkChannelId(id);
    if (this.unfinished.has(id)) await this.finishImport(id);
    const open = this.storages.get(id);
    if (open) return open;
    const dir = join(this.channelsPath, id);
    try {
      if (!exists) {
        await mkdir(dir, { mode: 0o700 });
        await fsyncDir(this.channelsPath);
      }
    } catch (e) {
      if (!isErrno(e, 'EEXIST')) throw fsError(e, dir, true);
    }
    const again = this.storages.get(id);
    if (again) return again;
    const s = new FileChannelStorage(
      id,
      dir,
      () => {
        if (this.storages.get(id) === s) this.storages.delete(id);
      },
      () => this.heldListener(id),
    );
    this.storages.set(id, s);
    return s;
  }

  /** `listener` hears the id of each channel whose journal write fails: it holds entries until writeHeld. */
  onHeld(listener: (id: string) => void): void {
    this.heldListener = listener;
  }

  /** The storage of `id` if it is open now. */
  opened(id: string): FileChannelStorage | null {
    return this.storages.get(id) ?? null;
  }

  /** Writes one backup file of every channel (checksummed); channels that fail their check are skipped. */
  async exportTo(file: string): Promise<{ channels: number; skipped: { id: string; error: StoreError }[] }> {
    this.check();
    return exportDataDir(this, file);
  }

  /**
   * Restores channels from a backup; never replaces a channel whose local journal has as many states or more.
   * A restored channel's open storage is closed (open it again); channel() calls wait for the import.
   */
  async importFrom(file: string, rules: ImportRules = {}): Promise<ImportResult> {
    this.check();
    while (this.gate) await this.gate.catch(() => undefined);
    const p = importDataDir(this, file, rules);
    this.gate = p;
    try {
      return await p;
    } finally {
      this.gate = null;
    }
  }

  /** Closes every channel (waiting for pending appends) and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.storages.values()].map((s) => s.close()));
    await this.lock.release();
  }
}
