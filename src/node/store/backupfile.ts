// The backup file: every channel's record and journal, verbatim, each section checksummed, and the whole file.
//   "SCBACKUP" | version u32le (1)
//   per channel: 'C' | id length u16le | id | record length u32le | record.json bytes (0: none)
//                | journal length u64le | journal.bin bytes | crc32 u32le of the section from 'C'
//   end: 'E' | channel count u32le | crc32 u32le of every byte before it
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { FILE_HEADER_LEN, KIND, frameRecord, stepOf } from './codec.js';
import { StoreError } from './errors.js';
import { decodeRecordFile } from './record.js';
import { decodeRaw, fileSource, findValidEnd, scanForward, type Source } from './scan.js';

export const BACKUP_MAGIC = Buffer.from('SCBACKUP', 'latin1');
const VERSION = 1;
const CHUNK = 1 << 20;

export function invalid(file: string, why: string): StoreError {
  return new StoreError('BACKUP_INVALID', `${file} is not a valid SynChannel backup (${why}): nothing was imported; use another backup file`, file);
}

/** Writes a backup sequentially, keeping the section and file checksums. */
export class BackupWriter {
  private fileCrc = 0;
  private secCrc = 0;
  private pos = 0;
  count = 0;
  constructor(private readonly fh: FileHandle) {}

  private async put(buf: Buffer): Promise<void> {
    let off = 0;
    while (off < buf.length) off += (await this.fh.write(buf, off, buf.length - off, this.pos + off)).bytesWritten;
    this.pos += buf.length;
    this.fileCrc = crc32(buf, this.fileCrc);
    this.secCrc = crc32(buf, this.secCrc);
  }

  async header(): Promise<void> {
    const v = Buffer.alloc(4);
    v.writeUInt32LE(VERSION);
    await this.put(Buffer.concat([BACKUP_MAGIC, v]));
  }

  /** One channel: its record bytes (or null) and `journalLen` bytes of its journal from `journal`. */
  async section(id: string, record: Buffer | null, journal: Source, journalLen: number): Promise<void> {
    this.secCrc = 0;
    const idb = Buffer.from(id, 'utf8');
    const head = Buffer.alloc(3);
    head[0] = 0x43;
    head.writeUInt16LE(idb.length, 1);
    const rl = Buffer.alloc(4);
    rl.writeUInt32LE(record?.length ?? 0);
    const jl = Buffer.alloc(8);
    jl.writeBigUInt64LE(BigInt(journalLen));
    await this.put(Buffer.concat([head, idb, rl, record ?? Buffer.alloc(0), jl]));
    for (let p = 0; p < journalLen; p += CHUNK) {
      const chunk = await journal.read(p, Math.min(CHUNK, journalLen - p));
      if (chunk.length !== Math.min(CHUNK, journalLen - p)) throw new StoreError('JOURNAL_CORRUPT', `channel ${id}: its journal shrank while it was exported`);
      await this.put(chunk);
    }
    const c = Buffer.alloc(4);
    c.writeUInt32LE(this.secCrc);
    await this.put(c);
    this.count++;
  }

  async end(): Promise<void> {
    const tail = Buffer.alloc(5);
    tail[0] = 0x45;
    tail.writeUInt32LE(this.count, 1);
    await this.put(tail);
    const c = Buffer.alloc(4);
    c.writeUInt32LE(this.fileCrc);
    await this.put(c);
  }
}

export interface BackupSection {
  id: string;
  record: Buffer | null;
  /** the journal's bytes in the backup file */
  journal: Source;
  journalLen: number;
  /** committed states */
  count: bigint;
}

/** Reads and checks a whole backup file (checksums, every journal record, every record file). */
export async function readBackup(fh: FileHandle, size: number, file: string): Promise<BackupSection[]> {
  const src = fileSource(fh, size, file);
  const need = async (pos: number, n: number): Promise<Buffer> => {
    const b = await src.read(pos, n);
    if (b.length !== n) throw invalid(file, `it ends at byte ${size}, in the middle of a section`);
    return b;
  };
  const head = await src.read(0, 12);
  if (head.length < 12 || !head.subarray(0, 8).equals(BACKUP_MAGIC)) throw invalid(file, 'wrong file header');
  if (head.readUInt32LE(8) !== VERSION) throw invalid(file, `format version ${head.readUInt32LE(8)}, this build reads ${VERSION}`);
  if (size < 21) throw invalid(file, 'it is cut short');
  let fileCrc = 0;
  for (let p = 0; p < size - 4; p += CHUNK) fileCrc = crc32(await need(p, Math.min(CHUNK, size - 4 - p)), fileCrc);
  if ((await need(size - 4, 4)).readUInt32LE(0) !== fileCrc) throw invalid(file, 'file checksum mismatch (cut short or altered)');
  const sections: BackupSection[] = [];
  const seen = new Set<string>();
  let pos = 12;
  while (pos < size - 9) {
    if ((await need(pos, 1))[0] !== 0x43) throw invalid(file, `no section at byte ${pos}`);
    const { section, next } = await readSection(need, src, pos, file);
    if (seen.has(section.id)) throw invalid(file, `channel ${section.id} appears twice`);
    seen.add(section.id);
    sections.push(section);
    pos = next;
  }
  const end = await need(pos, 5);
  if (pos !== size - 9 || end[0] !== 0x45) throw invalid(file, 'no end marker');
  if (end.readUInt32LE(1) !== sections.length) throw invalid(file, 'the channel count does not match');
  return sections;
}

async function readSection(need: (pos: number, n: number) => Promise<Buffer>, src: Source, start: number, file: string): Promise<{ section: BackupSection; next: number }> {
  let pos = start;
  let secCrc = 0;
  const take = async (n: number) => {
    const b = await need(pos, n);
    secCrc = crc32(b, secCrc);
    pos += n;
    return b;
  };
  const idLen = (await take(3)).readUInt16LE(1);
  const id = (await take(idLen)).toString('utf8');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw invalid(file, `a channel id ${JSON.stringify(id)} that is not valid`);
  const recLen = (await take(4)).readUInt32LE(0);
  const record = recLen ? Buffer.from(await take(recLen)) : null;
  const journalLen = Number((await take(8)).readBigUInt64LE(0));
  const journalStart = pos;
  if (journalStart + journalLen + 4 > src.size) throw invalid(file, `channel ${id} runs past the end of the file`);
  for (let p = 0; p < journalLen; p += CHUNK) await take(Math.min(CHUNK, journalLen - p));
  if ((await need(pos, 4)).readUInt32LE(0) !== secCrc) throw invalid(file, `checksum mismatch in channel ${id}`);
  pos += 4;
  if (record) {
    try {
      decodeRecordFile(record, `${file} (channel ${id})`);
    } catch (e) {
      throw invalid(file, `channel ${id}: ${(e as Error).message}`);
    }
  }
  const journal: Source = { size: journalLen, read: (p, n) => src.read(journalStart + p, Math.max(0, Math.min(n, journalLen - p))) };
  let count: bigint;
  try {
    count = await checkJournal(journal, `${file} (channel ${id})`);
  } catch (e) {
    throw invalid(file, `channel ${id}: ${(e as Error).message}`);
  }
  return { section: { id, record, journal, journalLen, count }, next: pos };
}

/** Checks a whole journal: intact to its last byte, steps in order, every record decodes; its state count. */
export async function checkJournal(src: Source, path: string): Promise<bigint> {
  const ve = await findValidEnd(src, path);
  if (ve.needsHeader || ve.dropped) throw new StoreError('JOURNAL_CORRUPT', `${path} ends with ${ve.dropped} bytes of a torn write`, path);
  let count = 0n;
  await scanForward(src, FILE_HEADER_LEN, src.size, path, (r) => {
    decodeRaw(r, path);
    if (r.kind === KIND.committed) {
      if (stepOf(r.kind, r.payload) !== count) throw new StoreError('JOURNAL_CORRUPT', `${path}: step out of order at byte ${r.offset}`, path, r.offset);
      count++;
    }
  });
  return count;
}

/**
 * A digest of the first `n` committed records, the framed bytes of the committed record of step `n - 1`, and
 * every evidence record (framed bytes).
 */
export async function journalPrefix(src: Source, path: string, n: bigint): Promise<{ digest: string; last: Buffer | null; evidence: Buffer[] }> {
  const h = createHash('sha256');
  let seen = 0n;
  let last: Buffer | null = null;
  const evidence: Buffer[] = [];
  await scanForward(src, FILE_HEADER_LEN, src.size, path, (r) => {
    if (r.kind === KIND.committed && seen < n) {
      last = frameRecord(r.kind, r.payload);
      h.update(last);
      seen++;
    } else if (r.kind === KIND.evidence) {
      evidence.push(frameRecord(r.kind, r.payload));
    }
  });
  return { digest: `${seen}:${h.digest('hex')}`, last, evidence };
}
