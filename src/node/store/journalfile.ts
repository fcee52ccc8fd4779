// File operations of a channel's journal, each turning a raw error into a StoreError that names the file.
import { mkdir, open, readdir, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_MAGIC } from './codec.js';
import { fsError, isErrno } from './errors.js';
import { fsyncDir } from './record.js';

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

/** Keeps the bytes of a torn tail beside the journal before they are cut (for a post-mortem). */
export async function keepTorn(dir: string, at: number, bytes: Buffer): Promise<void> {
  const path = join(dir, `torn-${at}-${Date.now()}.bin`);
  await writeFile(path, bytes, { mode: 0o600 }).catch((e: unknown) => {
    throw fsError(e, path, true);
  });
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
