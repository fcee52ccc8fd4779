// File operations of a channel's journal, each turning a raw error into a StoreError that names the file.
import { constants as fsConstants, readFileSync } from 'node:fs';
import { mkdir, open, readdir, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FILE_MAGIC, FORMAT_AT, JOURNAL_FORMAT, MAX_WRITE, markContinues } from './codec.js';
import { StoreError, fsError, isErrno, journalCorrupt } from './errors.js';
import { fileSource, findValidEnd } from './scan.js';
import { fsyncDir } from '../../chain/fsync.js';

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return false;
    throw fsError(e, path, false);
  }
}

/** The names in a folder ([] when it does not exist). */
export async function listFolder(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return [];
    throw fsError(e, dir, false);
  }
}

/** The journal opened for reading and writing; null when it does not exist and `missingOk`. */
export async function openForWrite(path: string, missingOk: boolean): Promise<FileHandle | null> {
  try {
    return await open(path, 'r+');
  } catch (e) {
    if (missingOk && isErrno(e, 'ENOENT')) return null;
    // Readable but not writable is NOT_WRITABLE; not even readable is UNREADABLE.
    const readable = isErrno(e, 'EACCES', 'EPERM', 'EROFS') && (await open(path, 'r').then((f) => f.close().then(() => true), () => false));
    throw fsError(e, path, readable);
  }
}

/** A new journal (just its header), durable with its folder entry. */
export async function createJournal(dir: string, path: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const fh = await open(path, 'wx', 0o600);
    try {
      await fh.writeFile(FILE_MAGIC);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await fsyncDir(dir);
  } catch (e) {
    if (!isErrno(e, 'EEXIST')) throw fsError(e, path, true);
  }
}

/**
 * Makes a format 1 journal format 2 before this build writes to it: its writes mark records CONTINUES, which a
 * build that reads only format 1 skips (it then showed an older state and wrote one twice); such a build refuses
 * format 2. `format`: what the intact header names (findValidEnd).
 */
export async function upgradeFormat(fh: FileHandle, path: string, format: number | null): Promise<void> {
  if (format === null || format >= JOURNAL_FORMAT) return;
  try {
    await writeAt(fh, Buffer.from([JOURNAL_FORMAT]), FORMAT_AT);
    await fh.datasync();
  } catch (e) {
    throw fsError(e, path, true);
  }
}

/** at most this many bytes of a torn tail are kept beside the journal */
const KEEP_TORN_MAX = 1 << 20;

/** Cuts the journal at `at`, first keeping the bytes [at, end) beside it in torn-<at>-<ms>.bin (for a post-mortem). */
export async function cutTail(fh: FileHandle, path: string, at: number, end: number): Promise<void> {
  const bytes = await fileSource(fh, end, path).read(at, Math.min(end - at, KEEP_TORN_MAX));
  const kept = join(dirname(path), `torn-${at}-${Date.now()}.bin`);
  await writeFile(kept, bytes, { mode: 0o600 }).catch((e: unknown) => {
    throw fsError(e, kept, true);
  });
  await truncateTo(fh, path, at);
}

/**
 * Before a write of what a failed one held (FileChannelStorage.writeHeld): cuts what that write left past `end`,
 * where the last good record ends, and checks that the journal still ends with an intact record there.
 */
export async function cutBack(path: string, end: number): Promise<void> {
  const fh = (await openForWrite(path, false))!;
  try {
    const size = (await fh.stat()).size;
    if (size > end) await truncateTo(fh, path, end);
    const ve = size < end ? null : await findValidEnd(fileSource(fh, end, path), path);
    if (!ve || ve.end !== end || ve.needsHeader) throw journalCorrupt(path, Math.min(size, end), 'it no longer ends with the records this node wrote to it: it changed under the node');
  } catch (e) {
    throw e instanceof StoreError ? e : fsError(e, path, true);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

export async function truncateTo(fh: FileHandle, path: string, len: number): Promise<void> {
  try {
    await fh.truncate(len);
    await fh.datasync();
  } catch (e) {
    throw fsError(e, path, true);
  }
}

export async function writeAt(fh: FileHandle, bytes: Buffer, at: number): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += (await fh.write(bytes, off, bytes.length - off, at + off)).bytesWritten;
}

/**
 * Records grouped into the writes of one flush: several records up to MAX_WRITE bytes, or one longer record alone;
 * every record of a write but its first is marked CONTINUES.
 */
export function groupWrites(records: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let group: Buffer[] = [];
  let n = 0;
  for (const r of records) {
    if (group.length && n + r.length > MAX_WRITE) {
      out.push(Buffer.concat(group));
      group = [];
      n = 0;
    }
    group.push(group.length ? markContinues(r) : r);
    n += r.length;
  }
  if (group.length) out.push(Buffer.concat(group));
  return out;
}

/** a journal's write handle stays open this long after its last flush (opening it cost more than the write) */
const HANDLE_IDLE_MS = 1_000;
/**
 * Write handles kept open at once in this process; beyond it each flush opens and closes its own. A quarter of
 * the process's open-file limit (its sockets share it), from 256 to 4,096: keeping 4,096 instead of 256 made
 * 1,000 busy channels about 6% faster in the bench, and a limit of 1,024 is common.
 */
export function keptHandleLimit(limitsText: string | null): number {
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limitsText ?? '')?.[1];
  if (soft === undefined) return 256;
  const files = soft === 'unlimited' ? Infinity : Number(soft);
  return Math.min(4_096, Math.max(256, Math.floor(files / 4)));
}

function readLimits(): string | null {
  try {
    return readFileSync('/proc/self/limits', 'utf8'); // Linux; elsewhere the floor of 256
  } catch {
    return null;
  }
}

let maxKeptHandles: number | undefined;
let keptHandles = 0;

/**
 * Opened with O_DSYNC where the platform has it: each write returns once durable, as write + fdatasync would, in
 * one system call and one trip through libuv's thread pool instead of two (bench: about half the latency and CPU).
 */
const DSYNC: number | undefined = fsConstants.O_DSYNC;

/** The write handle of one journal, opened by the first flush and kept until it has been idle for a while. */
export class JournalWriter {
  private fh: FileHandle | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly path: string) {}

  /** Writes `bytes` at `at`; durable when it resolves. */
  async writeDurable(bytes: Buffer, at: number): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.fh) {
      this.fh = await open(this.path, DSYNC === undefined ? 'r+' : fsConstants.O_RDWR | DSYNC);
      keptHandles++;
    }
    await writeAt(this.fh, bytes, at);
    if (DSYNC === undefined) await this.fh.datasync();
  }

  /** After a flush: kept for the next one for a while, or closed at once (closing, or too many kept). */
  idle(closing: boolean): void {
    if (!this.fh) return;
    maxKeptHandles ??= keptHandleLimit(readLimits());
    if (closing || keptHandles > maxKeptHandles) return void this.close();
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.close(), HANDLE_IDLE_MS).unref();
  }

  /** After a failed write: cuts what may have been written past `end`, then lets the handle go. */
  async truncateAndClose(end: number): Promise<void> {
    await this.fh?.truncate(end).catch(() => undefined);
    await this.close();
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const fh = this.fh;
    if (!fh) return;
    this.fh = null;
    keptHandles--;
    await fh.close().catch(() => undefined);
  }
}
