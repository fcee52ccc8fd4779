// The data-folder lock: <data>/synchannel.lock, created exclusively (O_EXCL), holding the owner's pid, host,
// boot id, pid namespace and process start time. A lock whose owner is gone (kill -9, crash, reboot, a reused pid)
// is taken over at once. A pid of another pid namespace (another container with the same hostname and kernel)
// cannot be looked up here: the holder refreshes its lock's mtime every HEARTBEAT_MS (src/chain/holder.ts, shared with
// the devnet's lock), and such a lock is held
// until FOREIGN_STALE_MS pass unrefreshed. No flock(2): Node has none, and the npm ones are native addons that
// need a build or a prebuilt binary. Not proper-lockfile: it judges staleness by an mtime age (2 s at least, 10 s by default) kept
// fresh by a timer, so a node restarted right after a crash would be refused, and a busy event loop can lose
// the lock; it does not record who holds it either.
import { mkdir, open, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { alive, holderText, holding, letGo, me, parseHolder, staleHint, type Holder } from '../../chain/holder.js';
import { StoreError, fsError, isErrno } from './errors.js';

export { FOREIGN_STALE_MS, refreshLocks } from '../../chain/holder.js';

export const LOCK_FILE = 'synchannel.lock';
const TAKEOVER_STALE_MS = 10_000;
const FRESH_MS = 2_000;

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
  const who = !h ? 'another process that is starting' : h.pid === process.pid && h.host === hostname() ? 'this process already (it is open elsewhere in this program)' : holderText(h);
  const remedy = h ? staleHint(h, path, 'node') : '';
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
        holding(path, content);
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
    letGo(this.path);
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
