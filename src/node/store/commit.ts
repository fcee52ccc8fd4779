// One channel's import, staged and committed: a new channel is renamed into place; one the folder has is staged
// whole and renamed to its commit folder, then moved in (moveCommitted, done again at each open until it is).
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupSection } from './backupfile.js';
import { JOURNAL_FILE, RECORD_FILE } from './channel.js';
import type { DataDir } from './datadir.js';
import { StoreError, fsError, isErrno } from './errors.js';
import { fsyncDir } from '../../chain/fsync.js';
import { decodeRecordFile, encodeRecordFile, readRecordBytes, writeRecordBytes } from './record.js';
import type { Source } from './scan.js';
import { moveLegacyAside } from './legacy.js';

/** Folders of channels being imported (removed when a data folder is opened). */
export const IMPORT_PREFIX = '.import-';
/** A whole import of a channel the folder had, committed: moved into the channel's folder (moveCommitted). */
export const COMMIT_PREFIX = '.commit-';

export type Plan =
  | { id: string; action: 'keep' }
  | { id: string; action: 'new' | 'replace'; section: BackupSection }
  | { id: string; action: 'extend'; section: BackupSection; extra: Buffer[] };

async function copySource(src: Source, len: number, to: string, extra: Buffer[] = []): Promise<void> {
  const fh = await open(to, 'w', 0o600);
  try {
    let pos = 0;
    for (let p = 0; p < len; p += 1 << 20) {
      const chunk = await src.read(p, Math.min(1 << 20, len - p));
      await fh.write(chunk, 0, chunk.length, pos);
      pos += chunk.length;
    }
    for (const e of extra) {
      await fh.write(e, 0, e.length, pos);
      pos += e.length;
    }
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/**
 * The record of an imported channel, marked as restored (restorePending, restored: the node's ChannelRecord) in the
 * bytes written with the journal: a crash right after the import cannot leave a channel that signs at once.
 */
function markRestored(bytes: Buffer, id: string): Buffer {
  const value = decodeRecordFile(bytes, `channel ${id}'s record`);
  if (typeof value !== 'object' || value === null || !('v' in value)) return bytes; // a 0.1 record: legacy, not operated
  return encodeRecordFile({ ...value, restorePending: true, restored: true });
}

export async function apply(dd: DataDir, p: Exclude<Plan, { action: 'keep' }>): Promise<void> {
  const tmp = join(dd.channelsPath, `${IMPORT_PREFIX}${p.id}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp, { mode: 0o700 });
  try {
    await stage(dd, p, tmp);
  } catch (e) {
    // Not committed: the staged copy goes now (a next try would leave another beside it until the folder is opened).
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dd.channelsPath);
  if (p.action !== 'new') await dd.finishImport(p.id);
}

/**
 * Writes a channel's import in `tmp` and commits it: a new channel is `tmp` renamed to its folder; for one the
 * folder has, the new journal and record, and a link to the replaced journal, are staged whole, then `tmp` is
 * renamed to its commit folder (moved in by moveCommitted).
 */
async function stage(dd: DataDir, p: Exclude<Plan, { action: 'keep' }>, tmp: string): Promise<void> {
  const sec = p.section;
  const dir = join(dd.channelsPath, p.id);
  if (p.action === 'new') {
    await copySource(sec.journal, sec.journalLen, join(tmp, JOURNAL_FILE));
    if (sec.record) await writeRecordBytes(join(tmp, RECORD_FILE), markRestored(sec.record, p.id));
    await fsyncDir(tmp);
    await rename(tmp, dir);
    return;
  }
  await copySource(sec.journal, sec.journalLen, join(tmp, JOURNAL_FILE), p.action === 'extend' ? p.extra : []);
  const localRecord = await readRecordBytes(join(dir, RECORD_FILE)).catch(() => null);
  const record = sec.record && (p.action === 'replace' || !localRecord) ? sec.record : localRecord;
  if (record) await writeRecordBytes(join(tmp, RECORD_FILE), markRestored(record, p.id));
  const journal = join(dir, JOURNAL_FILE);
  const keep = join(tmp, `replaced-${Date.now()}.bin`); // the replaced journal, kept beside the new one
  await link(journal, keep).catch(async (e: unknown) => {
    if (isErrno(e, 'ENOENT')) return;
    if (isErrno(e, 'EPERM', 'ENOTSUP', 'EXDEV', 'EOPNOTSUPP')) return copyFile(journal, keep);
    throw e;
  });
  await fsyncDir(tmp);
  const commit = join(dd.channelsPath, `${COMMIT_PREFIX}${p.id}`);
  await rename(tmp, commit).catch((e: unknown) => {
    if (!isErrno(e, 'ENOTEMPTY', 'EEXIST')) throw e;
    throw new StoreError('DISK_WRITE_FAILED', `an earlier import of channel ${p.id} is not finished (${commit}): open the data folder again (it finishes that import), then import again`, commit);
  });
}

/**
 * Moves a committed import's files into its channel folder, then removes the commit folder; done again after a
 * crash (what was moved is no longer there). Throws a StoreError saying what to do.
 */
export async function moveCommitted(channelsPath: string, id: string): Promise<void> {
  const from = join(channelsPath, `${COMMIT_PREFIX}${id}`);
  const dir = join(channelsPath, id);
  // Gone: a try moved every file in and removed it, and then failed (its last sync): the import is in place.
  if (!(await stat(from).then(() => true, (e: unknown) => !isErrno(e, 'ENOENT')))) return;
  try {
    await mkdir(dir, { mode: 0o700 }).catch((e: unknown) => {
      if (!isErrno(e, 'EEXIST')) throw e;
    });
    const last = (n: string) => (n === JOURNAL_FILE ? 2 : n === RECORD_FILE ? 1 : 0); // the journal last
    for (const name of (await readdir(from)).sort((a, b) => last(a) - last(b))) await rename(join(from, name), join(dir, name));
    await fsyncDir(dir);
    await moveLegacyAside(dir); // old-format files whose migration had failed
    await rmdir(from);
    await fsyncDir(channelsPath);
  } catch (e) {
    const err = fsError(e, from, true);
    const message = `the import of channel ${id} is saved in ${from} but could not be moved into ${dir} (${err.message}): fix that, then open the data folder again (it finishes the import); do not delete ${from}`;
    throw new StoreError(err.code, message, from, null, { retry: true }); // each open of the channel tries again
  }
}

/**
 * Adds `fields` to the record a channel that cannot be opened yet will load: its committed import's (not moved in
 * yet), else its own folder's. False when neither has a record (the channel's record is then rebuilt from the chain).
 */
export async function amendWaitingRecord(channelsPath: string, id: string, fields: Record<string, unknown>): Promise<boolean> {
  for (const dir of [join(channelsPath, `${COMMIT_PREFIX}${id}`), join(channelsPath, id)]) {
    const path = join(dir, RECORD_FILE);
    const bytes = await readRecordBytes(path);
    if (!bytes) continue;
    const value = decodeRecordFile(bytes, path);
    if (typeof value !== 'object' || value === null || !('v' in value)) return false; // a 0.1 record: not operated
    await writeRecordBytes(path, encodeRecordFile({ ...value, ...fields }));
    return true;
  }
  return false;
}
