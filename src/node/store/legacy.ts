// The first journal format (params.json + states.jsonl: one JSON line per state, base64 BOC, hex signatures),
// read once and migrated: the new journal and record are written and made durable, then the old files are
// moved into legacy/ beside them (kept, never deleted).
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import type { SignedState } from '../../core/channel.js';
import { stateFromBase64 } from '../../core/state.js';
import { FILE_MAGIC, encodeEntry, type JournalEntry } from './codec.js';
import { StoreError, fsError, journalCorrupt } from './errors.js';
import { exists } from './journalfile.js';
import { fsyncDir } from '../../chain/fsync.js';
import { writeRecordFile } from './record.js';

export const LEGACY_PARAMS = 'params.json';
export const LEGACY_JOURNAL = 'states.jsonl';
export const LEGACY_FOLDER = 'legacy';

const Line = v.object({
  state: v.string(),
  sigA: v.nullable(v.string()),
  sigB: v.nullable(v.string()),
  staged: v.optional(v.boolean()),
  mine: v.optional(v.boolean()),
});
type Line = v.InferOutput<typeof Line> & { lineNo: number };

/** The old store's JSON: bigints as "n:123", Buffers as "x:hex". */
function oldFromJson(text: string): unknown {
  return JSON.parse(text, (_k, val: unknown) => {
    if (typeof val === 'string' && val.length > 2 && val[1] === ':') {
      if (val[0] === 'n' && /^n:-?\d+$/.test(val)) return BigInt(val.slice(2));
      if (val[0] === 'x' && /^x:[0-9a-f]*$/.test(val)) return Buffer.from(val.slice(2), 'hex');
    }
    return val;
  });
}

function tryLine(text: string, lineNo: number): Line | null {
  try {
    const r = v.safeParse(Line, JSON.parse(text));
    return r.success ? { ...r.output, lineNo } : null;
  } catch {
    return null;
  }
}

/**
 * The lines of an old journal. A last line without its newline is a torn append: dropped. A line that does not
 * parse but ends with a whole line is a torn append that the old store glued its next append onto: the torn
 * prefix is dropped and the glued line kept. Anything else is JOURNAL_CORRUPT.
 */
export function parseLegacyLines(text: string, path: string): { lines: Line[]; dropped: number } {
  const segs = text.split('\n');
  const lines: Line[] = [];
  let dropped = 0;
  let offset = 0;
  segs.forEach((seg, i) => {
    const at = offset;
    offset += Buffer.byteLength(seg) + 1;
    if (!seg.trim()) return;
    const whole = tryLine(seg, i + 1);
    if (whole) return void lines.push(whole);
    if (i === segs.length - 1) return void (dropped += Buffer.byteLength(seg));
    for (let j = seg.indexOf('{', 1); j > 0; j = seg.indexOf('{', j + 1)) {
      const glued = tryLine(seg.slice(j), i + 1);
      if (glued) {
        dropped += Buffer.byteLength(seg.slice(0, j));
        return void lines.push(glued);
      }
    }
    throw journalCorrupt(path, at, `line ${i + 1} is not a journal line`);
  });
  return { lines, dropped };
}

function sigFrom(s: string | null): Buffer | null {
  if (s === null) return null;
  if (/^[0-9a-f]{128}$/i.test(s)) return Buffer.from(s, 'hex');
  const b = Buffer.from(s, 'base64');
  return b.length === 64 ? b : Buffer.alloc(0);
}

function signedFrom(l: Line, path: string): SignedState {
  try {
    const sigA = sigFrom(l.sigA);
    const sigB = sigFrom(l.sigB);
    if (sigA?.length === 0 || sigB?.length === 0) throw new Error('a signature is not 64 bytes');
    return { state: stateFromBase64(l.state), sigA, sigB };
  } catch (e) {
    throw new StoreError('JOURNAL_CORRUPT', `${path} line ${l.lineNo}: ${(e as Error).message}: restore the channel from a backup, or resync it with your partner`, path);
  }
}

/** The entries the old store's reader would have returned: committed states in step order, then the staged one. */
export function legacyEntries(lines: Line[], path: string): JournalEntry[] {
  const committed: { s: SignedState; bytes: Buffer }[] = [];
  for (const l of lines) {
    if (l.staged) continue;
    const s = signedFrom(l, path);
    const step = s.state.step;
    const bytes = encodeEntry({ kind: 'committed', state: s });
    if (step === BigInt(committed.length)) committed.push({ s, bytes });
    else if (step >= BigInt(committed.length) || !committed[Number(step)]!.bytes.equals(bytes)) {
      throw new StoreError('JOURNAL_CORRUPT', `${path} line ${l.lineNo} holds step ${step} where step ${committed.length} was expected: restore the channel from a backup, or resync it with your partner`, path);
    }
  }
  const out: JournalEntry[] = committed.map((c) => ({ kind: 'committed', state: c.s }));
  const last = lines[lines.length - 1];
  if (last?.staged) {
    const s = signedFrom(last, path);
    if (s.state.step === BigInt(committed.length)) out.push({ kind: 'staged', state: s, mine: last.mine === true });
  }
  return out;
}

/** Migrates a channel folder of the old format; returns the bytes of torn lines that were dropped. */
export async function migrateLegacy(dir: string, journalPath: string, recordPath: string): Promise<{ bytesDropped: number }> {
  const paramsPath = join(dir, LEGACY_PARAMS);
  const linesPath = join(dir, LEGACY_JOURNAL);
  let params: unknown = null;
  if (await exists(paramsPath)) {
    try {
      params = oldFromJson(await readFile(paramsPath, 'utf8'));
    } catch (e) {
      if (e instanceof SyntaxError) throw new StoreError('RECORD_CORRUPT', `${paramsPath} is corrupted (${e.message})`, paramsPath);
      throw fsError(e, paramsPath, false);
    }
  }
  let text = '';
  if (await exists(linesPath)) {
    try {
      text = await readFile(linesPath, 'utf8');
    } catch (e) {
      throw fsError(e, linesPath, false);
    }
  }
  const { lines, dropped } = parseLegacyLines(text, linesPath);
  const entries = legacyEntries(lines, linesPath);
  const tmp = `${journalPath}.migrating`;
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(Buffer.concat([FILE_MAGIC, ...entries.map(encodeEntry)]));
      await fh.datasync();
    } finally {
      await fh.close();
    }
    if (params !== null) await writeRecordFile(recordPath, params);
    await rename(tmp, journalPath);
    await fsyncDir(dir);
  } catch (e) {
    throw fsError(e, journalPath, true);
  }
  await moveLegacyAside(dir);
  return { bytesDropped: dropped };
}

/** Moves the old files into legacy/ (after a migration, or left over by one interrupted after its rename). */
export async function moveLegacyAside(dir: string): Promise<void> {
  const aside = join(dir, LEGACY_FOLDER);
  try {
    await mkdir(aside, { recursive: true, mode: 0o700 });
    for (const name of [LEGACY_PARAMS, LEGACY_JOURNAL]) {
      if (!(await exists(join(dir, name)))) continue;
      let target = join(aside, name);
      for (let n = 1; await exists(target); n++) target = join(aside, `${name}.${n}`);
      await rename(join(dir, name), target);
    }
    await fsyncDir(aside);
    await fsyncDir(dir);
  } catch (e) {
    throw fsError(e, aside, true);
  }
}
