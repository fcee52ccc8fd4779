// The teaching demo's run folders (no VS Code here). Each run writes an owner file (its process id and start time)
// in its folder before anything else; a window killed mid-run leaves its folder behind. The sweep removes a
// folder only when its owner process is gone, or when it has no owner file and is older than NO_OWNER_MAX_AGE_MS:
// another window's live demo (same globalStorage, another extension host process) is never touched.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const OWNER_FILE = 'owner.json';
/** A folder without an owner file (a run of an older version, or one that died before writing it) kept this long. */
export const NO_OWNER_MAX_AGE_MS = 24 * 3600_000;

interface Owner {
  pid: number;
  started: string;
}

/** Creates a run's folder with its owner file: this process. */
export async function claimDemoFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const owner: Owner = { pid: process.pid, started: new Date().toISOString() };
  await writeFile(join(dir, OWNER_FILE), JSON.stringify(owner));
}

/** Whether process `pid` runs (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function ownerOf(dir: string): Promise<Owner | null | 'unreadable'> {
  const text = await readFile(join(dir, OWNER_FILE), 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : 'unreadable' as const));
  if (text === null || text === 'unreadable') return text;
  try {
    const o = JSON.parse(text) as Partial<Owner>;
    return Number.isInteger(o.pid) && o.pid! > 0 ? { pid: o.pid!, started: String(o.started) } : 'unreadable';
  } catch {
    // written half by a process killed while it wrote: judged by its age, as a folder without one
    return null;
  }
}

/** Why the run folder `dir` can go, or null while a run may still use it. */
async function abandoned(dir: string, o: { inUse: (dir: string) => boolean; now: number }): Promise<string | null> {
  if (o.inUse(dir)) return null;
  const owner = await ownerOf(dir);
  if (owner === 'unreadable') return null;
  if (owner === null) {
    const age = o.now - (await stat(dir)).mtimeMs;
    return age > NO_OWNER_MAX_AGE_MS ? `no owner file, last changed ${Math.round(age / 3600_000)} h ago` : null;
  }
  // this process's own runs not in use were stopped (a stop that could not remove its folder)
  if (owner.pid === process.pid) return `a run of this window that stopped (started ${owner.started})`;
  return processAlive(owner.pid) ? null : `its window (process ${owner.pid}, started ${owner.started}) is gone`;
}

/**
 * Removes the run folders under `root` no live run uses; `inUse`: whether a folder is this window's (asked just
 * before it is judged). Returns the folders removed. Never throws: what it cannot read or remove stays, logged.
 */
export async function sweepDemoFolders(root: string, o: { inUse?: (dir: string) => boolean; log?: (line: string) => void; now?: number } = {}): Promise<string[]> {
  const inUse = o.inUse ?? (() => false);
  const now = o.now ?? Date.now();
  const names = await readdir(root, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const e of names) {
    if (!e.isDirectory()) continue;
    const dir = join(root, e.name);
    try {
      const why = await abandoned(dir, { inUse, now });
      if (!why) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
      o.log?.(`removed the teaching demo's folder ${dir}: ${why}`);
    } catch (err) {
      o.log?.(`the teaching demo's folder ${dir} stays: ${String(err)}`);
    }
  }
  return removed;
}
