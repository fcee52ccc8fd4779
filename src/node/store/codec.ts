// The journal's binary format: a file header, then self-delimiting records, each checksummed (crc32).
//
//   file header  8 bytes  "SCJRNL" 0x00 0x02 (format 2; format 1 had no CONTINUES marks, and still opens)
//   record       0xC5 | kind u8 | L u16le | payload (L bytes) | L u16le | crc32 u32le of all bytes before it
//                (kind bit 7, CONTINUES: the record is not the first of the write that wrote it)
//
// The length is written at both ends so the journal can be walked backwards from its end (the head is read
// from the tail only); the checksum covers the header, payload and back-link. Payloads:
//   signed state  step varuint | flags u8 (1: sigA, 2: sigB) | BOC length varuint | BOC | sigA 64? | sigB 64?
//   committed     signed state (both signatures)
//   staged        mine u8 (0/1) | signed state
//   evidence      signed state a | signed state b | note length varuint | note (utf-8)
// The BOC is the state's cell as stateToBoc() serializes it: the cell whose hash both parties signed.
import { crc32 } from 'node:zlib';
import type { SignedState } from '../../core/channel.js';
import { stateFromBoc, stateToBoc } from '../../core/state.js';

export const FILE_MAGIC = Buffer.from([0x53, 0x43, 0x4a, 0x52, 0x4e, 0x4c, 0x00, 0x02]); // "SCJRNL" 0 2
export const FILE_HEADER_LEN = FILE_MAGIC.length;
/** Where the header keeps the format; the format this build writes, and the oldest it reads. */
export const FORMAT_AT = FILE_HEADER_LEN - 1;
export const JOURNAL_FORMAT = FILE_MAGIC[FORMAT_AT]!;
export const OLDEST_FORMAT = 1;
export const RECORD_MAGIC = 0xc5;
export const RECORD_OVERHEAD = 10;
export const MAX_PAYLOAD = 0xffff;
export const MAX_RECORD = MAX_PAYLOAD + RECORD_OVERHEAD;
/** One write to the journal holds several records of at most this many bytes in all, or one longer record alone. */
export const MAX_WRITE = 16384;
/**
 * Set in the kind byte of each record of a write but its first (format 1 journals have none, or were written by the
 * first builds with it: a format 1 journal is made format 2 before this build writes to it). A power loss can keep
 * any sectors of the last write: damage followed only by such records is in that write, so it is cut at open.
 */
export const CONTINUES = 0x80;
export const MAX_NOTE_BYTES = 4096;
const SIG_BYTES = 64;

export const KIND = { committed: 1, staged: 2, evidence: 3 } as const;
export type KindName = keyof typeof KIND;

export type JournalEntry =
  | { kind: 'committed'; state: SignedState }
  | { kind: 'staged'; state: SignedState; mine: boolean }
  | { kind: 'evidence'; a: SignedState; b: SignedState; note: string };

/** A payload that passed its checksum but does not decode; the caller names the file and offset. */
export class DecodeError extends Error {}

// ---------------------------------------------------------------------------------------------- framing

export function frameRecord(kind: number, payload: Buffer): Buffer {
  if (payload.length < 1 || payload.length > MAX_PAYLOAD) throw new RangeError(`a journal record holds 1..${MAX_PAYLOAD} bytes, got ${payload.length}`);
  const L = payload.length;
  const out = Buffer.allocUnsafe(L + RECORD_OVERHEAD);
  out[0] = RECORD_MAGIC;
  out[1] = kind;
  out.writeUInt16LE(L, 2);
  payload.copy(out, 4);
  out.writeUInt16LE(L, 4 + L);
  out.writeUInt32LE(crc32(out.subarray(0, 6 + L)), 6 + L);
  return out;
}

/** The record kind in a kind byte (without CONTINUES). */
export function kindOf(byte: number): number {
  return byte & ~CONTINUES;
}

/** A copy of a framed record marked as continuing the write of the record before it (checksum recomputed). */
export function markContinues(rec: Buffer): Buffer {
  const out = Buffer.from(rec);
  out[1] = out[1]! | CONTINUES;
  out.writeUInt32LE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

/** Payload length of a record that starts at `at` in `buf` (header bytes only, unchecked), or null. */
export function headerLength(buf: Buffer, at: number): number | null {
  if (at + 4 > buf.length || buf[at] !== RECORD_MAGIC) return null;
  const L = buf.readUInt16LE(at + 2);
  return L >= 1 ? L : null;
}

/** True when a whole record whose bytes are buf[start, start + L + 10) is intact (magic, both lengths, crc). */
export function recordValid(buf: Buffer, start: number, L: number): boolean {
  const end = start + L + RECORD_OVERHEAD;
  if (start < 0 || end > buf.length || buf[start] !== RECORD_MAGIC) return false;
  if (buf.readUInt16LE(start + 2) !== L || buf.readUInt16LE(end - 6) !== L) return false;
  return crc32(buf.subarray(start, end - 4)) === buf.readUInt32LE(end - 4);
}

// ---------------------------------------------------------------------------------------------- bytes

class Writer {
  private parts: Buffer[] = [];
  u8(v: number): void {
    this.parts.push(Buffer.from([v]));
  }
  varuint(v: bigint | number): void {
    let n = BigInt(v);
    if (n < 0n) throw new RangeError('negative varuint');
    const bytes: number[] = [];
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      bytes.push(b);
    } while (n > 0n);
    this.parts.push(Buffer.from(bytes));
  }
  bytes(b: Buffer): void {
    this.parts.push(b);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  u8(): number {
    if (this.pos >= this.buf.length) throw new DecodeError('record ends early');
    return this.buf[this.pos++]!;
  }
  varuint(): bigint {
    let n = 0n;
    for (let shift = 0n; shift <= 63n; shift += 7n) {
      const b = this.u8();
      n |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return n;
    }
    throw new DecodeError('a number is longer than 64 bits');
  }
  bytes(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw new DecodeError('record ends early');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** A length prefix (varuint) that must fit in the rest of the record. */
  len(): number {
    const n = this.varuint();
    if (n > BigInt(this.buf.length - this.pos)) throw new DecodeError('a length runs past the end of the record');
    return Number(n);
  }
  end(): void {
    if (this.pos !== this.buf.length) throw new DecodeError(`${this.buf.length - this.pos} unexpected bytes at the end of a record`);
  }
}

// ---------------------------------------------------------------------------------------------- payloads

function writeSigned(w: Writer, s: SignedState): void {
  for (const sig of [s.sigA, s.sigB]) {
    if (sig && sig.length !== SIG_BYTES) throw new RangeError(`a signature has ${sig.length} bytes, expected ${SIG_BYTES}`);
  }
  const boc = stateToBoc(s.state);
  w.varuint(s.state.step);
  w.u8((s.sigA ? 1 : 0) | (s.sigB ? 2 : 0));
  w.varuint(boc.length);
  w.bytes(boc);
  if (s.sigA) w.bytes(s.sigA);
  if (s.sigB) w.bytes(s.sigB);
}

function readSigned(r: Reader): SignedState {
  const step = r.varuint();
  const flags = r.u8();
  if (flags > 3) throw new DecodeError(`unknown signature flags ${flags}`);
  const boc = r.bytes(r.len());
  let state;
  try {
    state = stateFromBoc(Buffer.from(boc));
  } catch (e) {
    throw new DecodeError(`the state: ${(e as Error).message}`);
  }
  if (state.step !== step) throw new DecodeError(`the record says step ${step}, its state says ${state.step}`);
  const sigA = flags & 1 ? Buffer.from(r.bytes(SIG_BYTES)) : null;
  const sigB = flags & 2 ? Buffer.from(r.bytes(SIG_BYTES)) : null;
  return { state, sigA, sigB };
}

/** The framed record of an entry (throws RangeError/StateFormatError for an entry that cannot be stored). */
export function encodeEntry(e: JournalEntry): Buffer {
  const w = new Writer();
  if (e.kind === 'committed') {
    if (!e.state.sigA || !e.state.sigB) throw new RangeError(`a committed state needs both signatures (step ${e.state.state.step})`);
    writeSigned(w, e.state);
  } else if (e.kind === 'staged') {
    w.u8(e.mine ? 1 : 0);
    writeSigned(w, e.state);
  } else if (e.kind === 'evidence') {
    const note = Buffer.from(e.note, 'utf8');
    if (note.length > MAX_NOTE_BYTES) throw new RangeError(`an evidence note holds at most ${MAX_NOTE_BYTES} bytes`);
    writeSigned(w, e.a);
    writeSigned(w, e.b);
    w.varuint(note.length);
    w.bytes(note);
  } else {
    throw new RangeError(`unknown journal entry kind ${String((e as { kind: unknown }).kind)}`);
  }
  return frameRecord(KIND[e.kind], w.done());
}

/** Decodes a checked record's payload; throws DecodeError. */
export function decodeEntry(kind: number, payload: Buffer): JournalEntry {
  const r = new Reader(payload);
  let e: JournalEntry;
  if (kind === KIND.committed) {
    const state = readSigned(r);
    if (!state.sigA || !state.sigB) throw new DecodeError(`committed step ${state.state.step} lacks a signature`);
    e = { kind: 'committed', state };
  } else if (kind === KIND.staged) {
    const mine = r.u8();
    if (mine > 1) throw new DecodeError(`bad staged flag ${mine}`);
    e = { kind: 'staged', mine: mine === 1, state: readSigned(r) };
  } else if (kind === KIND.evidence) {
    const a = readSigned(r);
    const b = readSigned(r);
    const note = r.bytes(r.len()).toString('utf8');
    e = { kind: 'evidence', a, b, note };
  } else {
    throw new DecodeError(`unknown record kind ${kind} (written by a newer version?)`);
  }
  r.end();
  return e;
}

/** The step of a committed or staged record without decoding its BOC (for the index and the head walk). */
export function stepOf(kind: number, payload: Buffer): bigint | null {
  if (kind !== KIND.committed && kind !== KIND.staged) return null;
  const r = new Reader(payload);
  if (kind === KIND.staged) r.u8();
  return r.varuint();
}
