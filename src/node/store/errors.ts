// Typed errors of the store: a stable `code` for programs and a message that says what to do.
import { dirname } from 'node:path';
import { SynError, type ErrorDetails } from '../../core/errors.js';
import { SYNCHANNEL_VERSION } from '../../core/version.js';

export type StoreErrorCode =
  | 'JOURNAL_CORRUPT'
  | 'RECORD_CORRUPT'
  | 'NEWER_VERSION'
  | 'DATA_DIR_LOCKED'
  | 'DATA_DIR_NOT_A_FOLDER'
  | 'DATA_DIR_NOT_WRITABLE'
  | 'DATA_DIR_UNREADABLE'
  | 'DATA_DIR_GONE'
  | 'DISK_WRITE_FAILED'
  | 'BACKUP_INVALID'
  | 'BACKUP_CONFLICT'
  | 'BACKUP_NOT_YOURS'
  | 'BACKUP_WOULD_REPLACE'
  /** a channel's storage used after the node closed it (its stop) */
  | 'NODE_STOPPED';

export class StoreError extends SynError<StoreErrorCode> {
  constructor(
    code: StoreErrorCode,
    message: string,
    /** the file or folder concerned, when there is one */
    readonly path: string | null = null,
    /** the byte offset in `path` where the problem was found, when there is one */
    readonly offset: number | null = null,
    /** `retry: true`: a later try may succeed (a committed import not moved in yet) */
    details?: ErrorDetails,
  ) {
    super(code, message, details ? { details } : undefined);
    this.name = 'StoreError';
  }
}

/** A journal whose header names a later format: a newer SynChannel wrote it (left as it is). */
export function journalNewer(path: string, format: number, reads: number): StoreError {
  return new StoreError('NEWER_VERSION', `${path} was written by a newer SynChannel (journal format ${format}; this is SynChannel ${SYNCHANNEL_VERSION}, which reads formats up to ${reads}): this node leaves it as it is`, path, 0);
}

export function journalCorrupt(path: string, offset: number, why: string): StoreError {
  return new StoreError('JOURNAL_CORRUPT', `${path} is corrupted at byte ${offset} (${why})`, path, offset);
}

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/**
 * Turns a raw file-system error into a StoreError that names the path and says what to do.
 * `writing` selects the code for a permission error (NOT_WRITABLE vs UNREADABLE).
 */
export function fsError(e: unknown, path: string, writing: boolean): StoreError {
  if (e instanceof StoreError) return e;
  const code = errnoOf(e);
  const raw = (e as Error | null)?.message ?? String(e);
  // Writing where a folder is missing: the folders of a data folder are made as needed, so it is one the user named.
  if (code === 'ENOENT' && writing) {
    return new StoreError('DISK_WRITE_FAILED', `cannot write ${path}: the folder ${dirname(path)} does not exist: create it, or give a path in a folder that exists`, path);
  }
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return new StoreError('DATA_DIR_NOT_A_FOLDER', `${path} (or a folder above it) is a file, not a folder: give the path of a folder (it is created if missing)`, path);
    case 'EACCES':
    case 'EPERM':
      return writing
        ? new StoreError('DATA_DIR_NOT_WRITABLE', `no permission to write ${path}: run as the user who owns it, or fix its permissions (chmod u+rwx on folders, u+rw on files)`, path)
        : new StoreError('DATA_DIR_UNREADABLE', `no permission to read ${path}: run as the user who owns it, or fix its permissions (chmod u+rwx on folders, u+rw on files)`, path);
    case 'EROFS':
      return new StoreError('DATA_DIR_NOT_WRITABLE', `${path} is on a read-only file system: choose a data folder on a writable disk`, path);
    case 'ENOSPC':
    case 'EDQUOT':
      return new StoreError('DISK_WRITE_FAILED', `the disk is full while writing ${path}: free some space; nothing unwritten was reported as saved`, path);
    default:
      return writing
        ? new StoreError('DISK_WRITE_FAILED', `cannot write ${path}: ${raw}. Check the disk; nothing unwritten was reported as saved`, path)
        : new StoreError('DATA_DIR_UNREADABLE', `cannot read ${path}: ${raw}. Check the disk and the file's permissions`, path);
  }
}

export function isErrno(e: unknown, ...codes: string[]): boolean {
  const c = errnoOf(e);
  return c !== undefined && codes.includes(c);
}
