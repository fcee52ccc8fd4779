// Who holds a lock file, and whether it still does: shared by the data-folder lock (src/node/store/lock.ts) and the
// devnet's (src/chain/devnet/backend.ts). A lock names its holder's pid, host, boot id, pid namespace and process
// start time. A holder gone (kill -9, crash, reboot, a reused pid) is told at once. A pid of another pid namespace
// (another container with the same hostname and kernel) cannot be looked up here: the holder refreshes its lock's
// mtime every HEARTBEAT_MS, and such a lock is held until FOREIGN_STALE_MS pass unrefreshed.
import { readFileSync, readlinkSync, statSync, unlinkSync } from 'node:fs';
import { readFile, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';

/** How often a held lock's mtime is refreshed, and how long a lock of another pid namespace stays held without it. */
const HEARTBEAT_MS = 10_000;
export const FOREIGN_STALE_MS = 60_000;

export interface Holder {
  pid: number;
  host: string;
  boot: string | null;
  /** the holder's pid namespace (Linux: "pid:[inode]"); absent in a lock written before 2026-12-06 */
  pidns?: string | null;
  start: string | null;
  since: string;
}

/** lock path -> our content: the locks this process holds (kept fresh, removed at exit) */
const held = new Map<string, string>();
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
export function foreign(h: Holder): boolean {
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

/** This process as a lock's holder. */
export function me(): Holder {
  return { pid: process.pid, host: hostname(), boot: bootId(), pidns: pidNamespace(), start: procStat(process.pid)?.start ?? null, since: new Date().toISOString() };
}

export function parseHolder(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Holder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** False only when the holder is surely gone; a holder on another host is assumed alive. */
export function alive(h: Holder, path: string): boolean {
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
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder in words: "process 12 on host x since …", "… of another pid namespace (another container) on this host …". */
export function holderText(h: Holder): string {
  const where = h.host !== hostname() ? ` on host ${h.host}` : foreign(h) ? ' of another pid namespace (another container) on this host' : '';
  return `process ${h.pid}${where} since ${h.since}`;
}

/** For a holder this host cannot see (another host, another pid namespace): when its lock may be deleted by hand. */
export function staleHint(h: Holder, path: string, what: string): string {
  if (h.host === hostname() && !foreign(h)) return '';
  const stale = foreign(h) ? `it is taken over once its holder leaves it unrefreshed for ${FOREIGN_STALE_MS / 1000} s, or ` : '';
  return `; if no ${what} runs there, ${stale}delete ${path}`;
}

/** `path` with `content` is now held by this process: kept fresh every HEARTBEAT_MS, removed at exit if still ours. */
export function holding(path: string, content: string): void {
  held.set(path, content);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', releaseAllSync);
  }
  heartbeat ??= setInterval(() => void refreshLocks(), HEARTBEAT_MS).unref();
}

/** `path` is no longer held by this process (the caller removes the file). */
export function letGo(path: string): void {
  held.delete(path);
  if (!held.size && heartbeat) {
    clearInterval(heartbeat);
    heartbeat = null;
  }
}

/** Whether this process holds `path`. */
export function holds(path: string): boolean {
  return held.has(path);
}

/** What this process wrote to `path`, which it holds (null: not held). */
export function heldContent(path: string): string | null {
  return held.get(path) ?? null;
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

/** Refreshes the mtime of each lock this process holds (still ours): a process of another pid namespace sees it alive. */
export async function refreshLocks(): Promise<void> {
  const now = new Date();
  for (const [path, content] of held) {
    if ((await readFile(path, 'utf8').catch(() => null)) === content) await utimes(path, now, now).catch(() => undefined);
  }
}
