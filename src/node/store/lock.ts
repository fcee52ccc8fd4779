// The data-folder lock: <data>/synchannel.lock, created exclusively (O_EXCL), holding the owner's pid, host,
// boot id, pid namespace and process start time. A lock whose owner is gone (kill -9, crash, reboot, a reused pid)
// is taken over at once. A pid of another pid namespace (another container with the same hostname and kernel)
// cannot be looked up here: the holder refreshes its lock's mtime every HEARTBEAT_MS, and such a lock is held
// until FOREIGN_STALE_MS pass unrefreshed. No flock(2): Node has none, and the npm ones are native addons that
// need a build or a prebuilt binary. Not proper-lockfile: it judges staleness by an mtime age (2 s at least, 10 s by default) kept
// fresh by a timer, so a node restarted right after a crash would be refused, and a busy event loop can lose
// the lock; it does not record who holds it either.
import { readFileSync, readlinkSync, statSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rmdir, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { StoreError, fsError, isErrno } from './errors.js';

export const LOCK_FILE = 'synchannel.lock';
const TAKEOVER_STALE_MS = 10_000;
const FRESH_MS = 2_000;
/** How often a held lock's mtime is refreshed, and how long a lock of another pid namespace stays held without it. */
const HEARTBEAT_MS = 10_000;
export const FOREIGN_STALE_MS = 60_000;

interface Holder {
  pid: number;
  host: string;
  boot: string | null;
  /** the holder's pid namespace (Linux: "pid:[inode]"); absent in a lock written before 2026-12-06 */
  pidns?: string | null;
  start: string | null;
  since: string;
}

const held = new Map<string, string>(); // lock path -> our content
let exitHook = false;
let heartbeat: ReturnType<typeof setInterval> | null = null;

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

const bootId = (): string | null => readProc('/proc/sys/kernel/random/boot_id')?.trim() ?? null;

function pidNamespace(): string | null {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return null;
  }
}

/** A holder in another pid namespace of this host and boot (its pid means nothing here), or not. */
function foreign(h: Holder): boolean {
  const ns = pidNamespace();
  return h.host === hostname() && !!h.pidns && !!ns && h.pidns !== ns;
}

/** Linux: the state and start time (clock ticks since boot) of a process, from /proc/<pid>/stat. */
function procStat(pid: number): { state: string; start: string } | null {
  const text = readProc(`/proc/${pid}/stat`);
  if (!text) return null;
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return f[0] && f[19] ? { state: f[0], start: f[19] } : null;
}

function me(): Holder {
  return { pid: process.pid, host: hostname(), boot: bootId(), pidns: pidNamespace(), start: procStat(process.pid)?.start ?? null, since: new Date().toISOString() };
}

function parseHolder(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Holder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** False only when the holder is surely gone; a holder on another host is assumed alive. */
function alive(h: Holder, path: string): boolean {
  if (h.host !== hostname()) return true;
  const boot = bootId();
  if (h.boot && boot && h.boot !== boot) return false;
  // its pid cannot be looked up from here: held while its holder keeps the lock fresh
  if (foreign(h)) return Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) < FOREIGN_STALE_MS;
  if (h.pid === process.pid && held.has(path)) return true;
  const st = procStat(h.pid);
  if (st) return !(st.state === 'Z' || st.state === 'X' || (h.start !== null && st.start !== h.start));
  if (h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (e) {
    return isErrno(e, 'EPERM');
  }
}

/**
 * Whether a live process holds the data folder `dir` (read without taking the lock: a look never stands in the way
 * of a node starting there). As an open judges it: a lock file being written (unreadable, under FRESH_MS old)
 * counts as held, one its writer left unreadable does not.
 */
export async function lockHeld(dir: string): Promise<boolean> {
  const path = join(dir, LOCK_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return false;
    throw e;
  }
  const h = parseHolder(text);
  return h ? alive(h, path) : (await ageMs(path)) < FRESH_MS;
}

function lockedError(path: string, h: Holder | null): StoreError {
  const who = !h
    ? 'another process that is starting'
    : h.pid === process.pid && h.host === hostname()
      ? 'this process already (it is open elsewhere in this program)'
      : `process ${h.pid}${h.host !== hostname() ? ` on host ${h.host}` : foreign(h) ? ' of another pid namespace (another container) on this host' : ''} since ${h.since}`;
  const stale = h && foreign(h) ? `it is taken over once its holder leaves it unrefreshed for ${FOREIGN_STALE_MS / 1000} s, or ` : '';
  const remedy = h && (h.host !== hostname() || foreign(h)) ? `; if no node runs there, ${stale}delete ${path}` : '';
  return new StoreError('DATA_DIR_LOCKED', `the data folder ${dirname(path)} is in use by ${who}: stop that node, or give this one another data folder${remedy}`, path);
}

export class DataDirLock {
  private constructor(
    readonly path: string,
    private readonly content: string,
  ) {}

  /** Takes the lock of `dir` (an existing folder); throws DATA_DIR_LOCKED when a live process holds it. */
  static async acquire(dir: string): Promise<DataDirLock> {
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 20; attempt++) {
      const content = `${JSON.stringify(me())}\n`;
      try {
        await writeLock(path, content);
        held.set(path, content);
        if (!exitHook) {
          exitHook = true;
          process.once('exit', releaseAllSync);
        }
        heartbeat ??= setInterval(() => void refreshLocks(), HEARTBEAT_MS).unref();
        return new DataDirLock(path, content);
      } catch (e) {
        if (!isErrno(e, 'EEXIST')) throw fsError(e, path, true);
      }
      const seen = await readFile(path, 'utf8').catch(() => null);
      if (seen === null) continue; // released meanwhile
      const holder = parseHolder(seen);
      if (holder && alive(holder, path)) throw lockedError(path, holder);
      if (!holder && (await ageMs(path)) < FRESH_MS) {
        await new Promise((r) => setTimeout(r, 50)); // its owner is still writing it
        continue;
      }
      await takeOver(path, seen);
    }
    throw lockedError(path, null);
  }

  /** Removes the lock if it is still ours. */
  async release(): Promise<void> {
    held.delete(this.path);
    if (!held.size && heartbeat) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
    const cur = await readFile(this.path, 'utf8').catch(() => null);
    if (cur === this.content) await unlink(this.path).catch(() => undefined);
  }
}

/**
 * Creates the lock file and writes `content` durably. When the write or its sync fails (a full disk), the file is
 * removed if it is still this one: left empty, it would hold the folder from any open for FRESH_MS.
 */
async function writeLock(path: string, content: string): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(content);
    await fh.datasync();
  } catch (e) {
    const ours = await fh.stat().then((a) => stat(path).then((b) => a.ino === b.ino && a.dev === b.dev), () => false);
    if (ours) await unlink(path).catch(() => undefined);
    const err = fsError(e, path, true);
    throw new StoreError(err.code, `the data folder ${dirname(path)} was not opened: its lock could not be written (${err.message}); open it again once that is fixed`, path);
  } finally {
    await fh.close();
  }
}

async function ageMs(path: string): Promise<number> {
  return stat(path).then((s) => Date.now() - s.mtimeMs, () => Infinity);
}

/** Removes a stale lock unless someone else replaced it meanwhile (serialized by a takeover folder). */
async function takeOver(path: string, stale: string): Promise<void> {
  const guard = `${path}.takeover`;
  try {
    await mkdir(guard);
  } catch (e) {
    if (!isErrno(e, 'EEXIST')) throw fsError(e, guard, true);
    if ((await ageMs(guard)) > TAKEOVER_STALE_MS) await rmdir(guard).catch(() => undefined);
    else await new Promise((r) => setTimeout(r, 50));
    return;
  }
  try {
    const cur = await readFile(path, 'utf8').catch(() => null);
    if (cur === stale) await unlink(path);
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
}

function releaseAllSync(): void {
  for (const [path, content] of held) {
    try {
      if (readFileSync(path, 'utf8') === content) unlinkSync(path);
    } catch {
      // gone already
    }
  }
  held.clear();
}

/** Refreshes the mtime of each lock this process holds (still ours): a node of another pid namespace sees it alive. */
export async function refreshLocks(): Promise<void> {
  const now = new Date();
  for (const [path, content] of held) {
    if ((await readFile(path, 'utf8').catch(() => null)) === content) await utimes(path, now, now).catch(() => undefined);
  }
}
