// Making a folder's entries durable: write-file-atomic syncs the file it renames into place, not the folder
// that holds the new name; a power loss before the folder reaches the disk can lose the file.
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Makes a folder's entries (a new or renamed file) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (e) {
    // Some platforms cannot fsync a folder (Windows: EPERM/EISDIR); the rename is all they offer.
    if (!['EPERM', 'EISDIR', 'EINVAL', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    await fh?.close();
  }
}

/** mkdir -p, with the folder that holds each new one synced (the new entry is durable). */
export async function mkdirDurable(dir: string, mode: number): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode });
  if (first === undefined) return;
  // `first` is the topmost folder made: sync each new folder's parent, from the deepest up
  for (let d = dir; ; d = dirname(d)) {
    await fsyncDir(dirname(d));
    if (d === first || dirname(d) === d) break;
  }
}

/**
 * Removes the files beside `path` named `<its name><sep><rest>` for which `stale(rest)` holds: temp files a killed
 * writer left before its rename. Nothing else is touched; a failure is no error.
 */
export async function sweepBeside(path: string, sep: string, stale: (rest: string) => boolean): Promise<void> {
  const dir = dirname(path);
  const prefix = `${basename(path)}${sep}`;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith(prefix) && stale(name.slice(prefix.length))) await rm(join(dir, name), { force: true }).catch(() => undefined);
  }
}

/**
 * Removes the temp files that writes of `path` (write-file-atomic: `<file>.<decimal>`) left beside it when their
 * process was killed before the rename. Call it where no write of `path` can be under way (the data folder's lock
 * held, before the first write); a failure is no error.
 */
export async function removeAtomicTemps(path: string): Promise<void> {
  await sweepBeside(path, '.', (rest) => /^\d{1,10}$/.test(rest));
}
