// Export and import of a whole data folder (the file format is in backupfile.ts).
// Import checks the whole file first and changes nothing if it is invalid or conflicts with a local channel.
import { randomBytes } from 'node:crypto';
import { open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { BACKUP_MAGIC, BackupWriter, invalid, journalPrefix, readBackup, type BackupSection } from './backupfile.js';
import type { DataDir } from './datadir.js';
import { StoreError, fsError, isErrno } from './errors.js';
import { fsyncDir, sweepBeside } from '../../chain/fsync.js';
import { decodeRecordFile, readRecordBytes } from './record.js';
import { fileSource } from './scan.js';
import { apply, type Plan } from './commit.js';
import { encodeEntry } from './codec.js';
import { addressTextOf } from '../addresses.js';

/**
 * Export replaces only an older backup of this folder (never a key, a note, another node's backup or one holding
 * more than this folder), and never writes among the channels. Returns the ids of the channels the older backup
 * holds (none: no file there).
 */
async function checkTarget(dd: DataDir, file: string): Promise<Map<string, string>> {
  const refuse = (why: string) => new StoreError('BACKUP_WOULD_REPLACE', `${file} ${why}: choose another file name (nothing was written)`, file);
  const abs = resolve(file);
  const folder = await realpath(dirname(abs)).catch(() => null);
  const held = new Map<string, string>();
  if (folder === null) return held; // the write says why the folder cannot be used
  const channels = await realpath(dd.channelsPath).catch((e: unknown) => {
    if (!isErrno(e, 'ENOENT')) throw fsError(e, dd.channelsPath, false);
    throw new StoreError('DATA_DIR_GONE', `the node's channels folder ${dd.channelsPath} is gone (its data folder was moved or deleted while the node runs): put it back, then export again`, dd.channelsPath);
  });
  if (`${folder}${sep}`.startsWith(`${channels}${sep}`)) throw refuse(`is inside the node's channels folder ${dd.channelsPath}`);
  let fh: FileHandle;
  try {
    fh = await open(abs, 'r');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return held;
    if (isErrno(e, 'EISDIR')) throw refuse('is a folder');
    throw fsError(e, file, false);
  }
  try {
    const head = Buffer.alloc(BACKUP_MAGIC.length);
    await fh.read(head, 0, head.length, 0);
    if (!head.equals(BACKUP_MAGIC)) throw refuse('exists and is not a SynChannel backup (export replaces only an older backup)');
    const sections = await readBackup(fh, (await fh.stat()).size, file).catch(() => null);
    if (!sections) throw refuse('is a damaged backup (import may still restore channels from it)');
    for (const sec of sections) {
      const why = await notHeldHere(dd, sec);
      if (why) throw refuse(`is not an older backup of this node: it ${why}`);
      held.set(sec.id, named(sec));
    }
    return held;
  } finally {
    await fh.close();
  }
}

/** Why replacing a backup's channel would lose it: this folder lacks it, holds fewer states, or is the other party's. */
async function notHeldHere(dd: DataDir, sec: BackupSection): Promise<string | null> {
  const here = await stat(join(dd.channelsPath, sec.id)).then(() => true, () => false);
  if (!here) return `holds channel ${named(sec)}, which this node does not have`;
  const wasOpen = dd.opened(sec.id) !== null;
  const s = await dd.storage(sec.id, true);
  try {
    const count = (await s.loadHead().catch(() => null))?.count ?? 0n;
    if (count < sec.count) return `holds ${sec.count} states of channel ${named(sec)}, more than the ${count} here`;
    const ours = await readRecordBytes(s.recordPath).catch(() => null);
    const party = (bytes: Buffer): unknown => {
      try {
        return (decodeRecordFile(bytes, sec.id) as { me?: unknown } | null)?.me;
      } catch {
        return undefined; // our record unreadable: the journal's count decided
      }
    };
    const theirs = sec.record ? party(sec.record) : undefined; // a channel backed up without its record: unknown
    if (theirs !== undefined && ours && party(ours) !== undefined && theirs !== party(ours)) return `is the other party's backup of channel ${named(sec)}`;
    return null;
  } finally {
    if (!wasOpen) await s.close();
  }
}

/**
 * Removes the temp files that exports to `file` killed before their rename left beside it (each may hold a copy of
 * every channel's states): those named with a pid that no longer runs here. Nothing else is touched; a failure is
 * no error (the export goes on).
 */
async function removeStaleTemps(file: string): Promise<void> {
  await sweepBeside(file, '.tmp-', (rest) => {
    const pid = Number(/^(\d+)-[0-9a-f]{8}$/.exec(rest)?.[1] ?? 0);
    return pid > 0 && pid !== process.pid && !running(pid);
  });
}

/** Whether a process with this pid runs on this host (one of another user's answers EPERM). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return isErrno(e, 'EPERM');
  }
}

export async function exportDataDir(dd: DataDir, file: string): Promise<{ channels: number; skipped: { id: string; error: StoreError }[] }> {
  const held = await checkTarget(dd, file);
  await removeStaleTemps(file);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const skipped: { id: string; error: StoreError }[] = [];
  let fh: FileHandle | null = null;
  try {
    fh = await open(tmp, 'w', 0o600);
    const w = new BackupWriter(fh);
    await w.header();
    for (const id of await dd.ids()) {
      const wasOpen = dd.opened(id) !== null;
      const s = await dd.storage(id);
      try {
        const end = await s.settledEnd();
        await s.verify();
        const record = await readRecordBytes(s.recordPath);
        const jfh = await open(s.journalPath, 'r');
        try {
          await w.section(id, record, fileSource(jfh, end, s.journalPath), end);
        } finally {
          await jfh.close();
        }
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        skipped.push({ id, error: e });
      } finally {
        if (!wasOpen) await s.close();
      }
    }
    // The older backup holds a channel this one cannot: it stays (it may be that channel's only good copy).
    const lost = skipped.filter((x) => held.has(x.id));
    if (lost.length) {
      const which = lost.map((x) => `${held.get(x.id)} (${x.error.message})`).join('; ');
      throw new StoreError('BACKUP_WOULD_REPLACE', `${file} holds channel ${which}, which this export could not read here: it may be that channel's only good copy, so it is not replaced: choose another file name (nothing was written)`, file);
    }
    await w.end();
    await fh.datasync();
    await fh.close();
    fh = null;
    await rename(tmp, file);
    await fsyncDir(dirname(file));
    return { channels: w.count, skipped };
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw fsError(e, file, true);
  }
}

/** How an import treats the backup's records: `foreign` refuses the whole file, `leave` leaves that channel out. */
export interface ImportRules {
  /** why a channel's record is not this node's (then nothing is imported), or null */
  foreign?: (record: unknown) => string | null;
  /** why a channel is left out (it belongs in another folder), or null */
  leave?: (record: unknown) => string | null;
}

/**
 * What an import did: channels restored, local ones kept, ones left out (named, with why), and the channels whose
 * open storage it closed (their files may have changed: open them again).
 */
export interface ImportResult {
  imported: string[];
  kept: string[];
  left: { id: string; channel: string; why: string }[];
  closed: string[];
}

/** An import stopped by the error of channel `failed`: `done` is what it did before; no later channel was imported. */
export class ImportStopped extends StoreError {
  constructor(
    cause: StoreError,
    readonly failed: string,
    readonly done: ImportResult,
    names: { before: string[]; after: string[] },
  ) {
    const before = names.before.length ? `; imported before it: ${names.before.join(', ')}` : '';
    const after = names.after.length ? `; not imported: ${names.after.join(', ')} (import the file again once this is fixed)` : '';
    super(cause.code, `${cause.message}${before}${after}`, cause.path, cause.offset);
    this.name = 'ImportStopped';
  }
}

export async function importDataDir(dd: DataDir, file: string, rules: ImportRules = {}): Promise<ImportResult> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) throw new StoreError('BACKUP_INVALID', `there is no file ${file}: give the path of the backup file export wrote (nothing was imported)`, file);
    if (isErrno(e, 'EISDIR')) throw invalid(file, 'it is a folder');
    throw fsError(e, file, false);
  }
  try {
    const sections = await readBackup(fh, (await fh.stat()).size, file);
    checkOwner(sections, file, rules.foreign);
    const plans: Plan[] = [];
    const conflicts: string[] = [];
    const left: ImportResult['left'] = [];
    for (const sec of sections) {
      const why = sec.record && rules.leave ? rules.leave(decodeRecordFile(sec.record, `${file} (channel ${sec.id})`)) : null;
      if (why) {
        left.push({ id: sec.id, channel: named(sec), why });
        continue;
      }
      const plan = await planFor(dd, sec);
      if (typeof plan === 'string') conflicts.push(named(sec));
      else plans.push(plan);
    }
    if (conflicts.length) {
      throw new StoreError('BACKUP_CONFLICT', `the backup's states of channel ${conflicts.join(', ')} differ from the states stored here (another channel under the same id, or a forged history): nothing was imported; check which is right before restoring`, file);
    }
    const done: ImportResult = { imported: [], kept: [], left, closed: [] };
    for (const [i, planned] of plans.entries()) {
      try {
        await importOne(dd, planned, done);
      } catch (e) {
        const name = (ids: string[]) => ids.map((id) => named(sections.find((sec) => sec.id === id)!));
        const names = { before: name(done.imported), after: name(plans.slice(i + 1).filter((x) => x.action !== 'keep').map((x) => x.id)) };
        throw new ImportStopped(fsError(e, join(dd.channelsPath, planned.id), true), planned.id, done, names);
      }
    }
    return done;
  } finally {
    await fh.close();
  }
}

async function importOne(dd: DataDir, planned: Plan, done: ImportResult): Promise<void> {
  // Close the channel (its pending appends land), then decide again on what is on disk now.
  const storage = planned.action === 'keep' ? null : dd.opened(planned.id);
  if (storage) {
    done.closed.push(planned.id);
    await storage.close();
  }
  const p = planned.action === 'keep' ? planned : await planFor(dd, planned.section);
  if (typeof p === 'string' || p.action === 'keep') {
    done.kept.push(planned.id);
    return;
  }
  await apply(dd, p);
  done.imported.push(p.id);
}

/** A backup's channel as the user knows it: its contract address (its folder id when the record cannot tell). */
function named(sec: BackupSection): string {
  try {
    const contract = sec.record ? (decodeRecordFile(sec.record, sec.id) as { contract?: unknown } | null)?.contract : undefined;
    if (typeof contract === 'string') return addressTextOf(contract, 'contract');
  } catch {
    // an unreadable record: the folder id is all there is
  }
  return sec.id;
}

/** Refuses the whole backup when a channel's record is another key's (`foreign` says why). */
function checkOwner(sections: BackupSection[], file: string, foreign?: (record: unknown) => string | null): void {
  if (!foreign) return;
  for (const sec of sections) {
    const why = sec.record ? foreign(decodeRecordFile(sec.record, `${file} (channel ${sec.id})`)) : null;
    if (why) throw new StoreError('BACKUP_NOT_YOURS', `channel ${named(sec)} of this backup is not this node's (${why}): nothing was imported`, file);
  }
}

/**
 * What to do with one channel of the backup, or its id when the backup's history differs from the local one.
 * A local journal with as many states or more is kept, even when damaged in the middle (its latest states
 * are worth more than an older backup: resync it with the partner); a shorter one is replaced when its states
 * (all of them, or only its last one when the middle is damaged) are the backup's.
 */
async function planFor(dd: DataDir, section: BackupSection): Promise<Plan | string> {
  const id = section.id;
  const exists = await stat(join(dd.channelsPath, id)).then(() => true, (e: unknown) => {
    if (isErrno(e, 'ENOENT')) return false;
    throw fsError(e, join(dd.channelsPath, id), false);
  });
  if (!exists) return { id, action: 'new', section };
  const local = await readLocal(dd, id);
  if (local.newer) return { id, action: 'keep' }; // a newer SynChannel's journal is left as it is
  if (local.count === null) return { id, action: 'replace', section }; // unreadable here: the backup restores it
  // The same journal beside a lost record: the backup's record restores it (the journal stays as it is).
  if (local.count === section.count && local.full && !local.record && section.record) {
    const theirs = await journalPrefix(section.journal, `${id} in the backup`, local.count);
    if (theirs.digest === local.digest) return { id, action: 'replace', section };
  }
  if (local.count > section.count || (local.count === section.count && local.full)) return { id, action: 'keep' };
  const theirs = await journalPrefix(section.journal, `${id} in the backup`, local.count);
  if (local.full) {
    if (theirs.digest !== local.digest) return id;
    return { id, action: 'extend', section, extra: local.evidence.filter((ev) => !theirs.evidence.some((t) => t.equals(ev))) };
  }
  const same = local.last === null ? theirs.last === null : theirs.last?.equals(local.last) === true;
  return same ? { id, action: 'replace', section } : id;
}

interface Local {
  /** committed states, null when even the head cannot be read */
  count: bigint | null;
  /** the whole journal read and checked */
  full: boolean;
  digest: string;
  last: Buffer | null;
  evidence: Buffer[];
  /** the record file is there and reads */
  record: boolean;
  /** the journal was written by a newer SynChannel (never replaced) */
  newer: boolean;
}

async function readLocal(dd: DataDir, id: string): Promise<Local> {
  const wasOpen = dd.opened(id) !== null;
  const s = await dd.storage(id);
  const out: Local = { count: null, full: false, digest: '', last: null, evidence: [], record: false, newer: false };
  try {
    out.record = await s.readRecord().then((r) => r !== null, () => false);
    const head = await s.loadHead();
    out.count = head.count;
    out.last = head.latest && encodeEntry({ kind: 'committed', state: head.latest });
    const end = await s.settledEnd();
    const jfh = await open(s.journalPath, 'r');
    try {
      Object.assign(out, await journalPrefix(fileSource(jfh, end, s.journalPath), s.journalPath, head.count), { full: true });
    } finally {
      await jfh.close();
    }
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    out.newer = e.code === 'NEWER_VERSION';
  } finally {
    if (!wasOpen) await s.close();
  }
  return out;
}
