// A look at a data folder's channel records without its lock: what the extension reads before a node starts
// there (which channels hold money, whose key made them). It writes nothing and takes no lock, so a node starting
// meanwhile, in this process or another, is never refused for it. Records are replaced atomically: a read sees a
// whole one, the old or the new.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CHANNELS, byId, isChannelId } from './datadir.js';
import { JOURNAL_FILE, RECORD_FILE } from './channel.js';
import { LEGACY_JOURNAL, LEGACY_PARAMS } from './legacy.js';
import { COMMIT_PREFIX } from './commit.js';
import { FILE_HEADER_LEN } from './codec.js';
import { isErrno } from './errors.js';
import { lockHeld } from './lock.js';
import { readRecordFile } from './record.js';

/**
 * Each channel's record (null: none, or unreadable); `lost`: no record and no journal entry, nothing a node rebuilds
 * the record from (a record that cannot be read, or one missing beside states, is rebuilt by a node from the chain).
 */
export type LookedAt = { id: string; record: unknown; lost?: true }[];

/**
 * The records of a data folder's channels, read without its lock. 'held' when a live process (this one too)
 * holds the folder; 'repairs' when what is there needs a node's open first (an old channel to migrate, an import
 * to move in): the caller opens the folder then, as a node would. A missing folder holds nothing.
 */
export async function lookAtRecords(dir: string): Promise<LookedAt | 'held' | 'repairs'> {
  if (await lockHeld(dir).catch(() => true)) return 'held';
  let names: string[];
  try {
    names = await readdir(join(dir, CHANNELS));
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return [];
    throw e;
  }
  if (names.some((n) => n.startsWith(COMMIT_PREFIX))) return 'repairs';
  const ids = names.filter(isChannelId).sort(byId);
  const out: LookedAt = [];
  for (const id of ids) {
    const folder = join(dir, CHANNELS, id);
    let inside: string[];
    try {
      inside = await readdir(folder);
    } catch (e) {
      if (isErrno(e, 'ENOTDIR')) continue; // a file with a channel's name is no channel
      if (isErrno(e, 'ENOENT')) continue; // removed meanwhile
      throw e;
    }
    if (!inside.includes(JOURNAL_FILE) && (inside.includes(LEGACY_PARAMS) || inside.includes(LEGACY_JOURNAL))) return 'repairs';
    const record = await readRecordFile(join(folder, RECORD_FILE)).catch(() => undefined);
    const lost = record === null && !(await journalHolds(join(folder, JOURNAL_FILE)));
    out.push({ id, record: record ?? null, ...(lost ? { lost: true as const } : {}) });
  }
  return out;
}

/** Whether a journal holds anything past its header (a state, or what a torn write left). */
async function journalHolds(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > FILE_HEADER_LEN;
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return false;
    return true; // unreadable: it may hold states
  }
}
