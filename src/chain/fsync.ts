// Making a folder's entries durable: write-file-atomic syncs the file it renames into place, not the folder
// that holds the new name; a power loss before the folder reaches the disk can lose the file.
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

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
