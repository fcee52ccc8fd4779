// The per-channel record (the node's small JSON-able state: parameters, on-chain facts), one file replaced
// atomically (write-file-atomic: temp file, fsync, rename) and checksummed:
//   SCREC1 <crc32 of the body, 8 hex> <body length>\n<body: JSON, bigint as {"$n":"…"}, Buffer as {"$b":"base64"}>
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import writeFileAtomic from 'write-file-atomic';
import { fsyncDir } from '../../chain/fsync.js';
import { StoreError, fsError, isErrno } from './errors.js';

const HEADER = /^SCREC1 ([0-9a-f]{8}) (\d{1,10})\n/;

/** Tagged JSON: bigint and Buffer/Uint8Array survive; keys starting with "$" are escaped with one more "$". */
export function encodeValue(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`cannot store the number ${v}`);
    return v;
  }
  if (typeof v === 'bigint') return { $n: v.toString() };
  if (v instanceof Uint8Array) return { $b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : encodeValue(x)));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) throw new TypeError(`cannot store a ${(v as object).constructor?.name ?? 'class instance'} in a record: use plain objects, bigint and Buffer`);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x !== undefined) out[k.startsWith('$') ? `$${k}` : k] = encodeValue(x);
    }
    return out;
  }
  throw new TypeError(`cannot store a ${typeof v} in a record`);
}

export function decodeValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && typeof o.$n === 'string' && /^-?\d+$/.test(o.$n)) return BigInt(o.$n);
  if (keys.length === 1 && typeof o.$b === 'string') return Buffer.from(o.$b, 'base64');
  if (keys.some((k) => k.startsWith('$$') || k === '__proto__')) {
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k.startsWith('$$') ? k.slice(1) : k] = decodeValue(o[k]);
    return out;
  }
  // A copy with the parsed object's shape, its values replaced: adding a record's twenty keys one by one would
  // make a dictionary of them (about 600 bytes more per channel kept in memory).
  const out: Record<string, unknown> = { ...o };
  for (const k of keys) out[k] = decodeValue(o[k]);
  return out;
}

export function encodeRecordFile(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(encodeValue(value)), 'utf8');
  const head = `SCREC1 ${crc32(body).toString(16).padStart(8, '0')} ${body.length}\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

function corrupt(path: string, why: string): StoreError {
  return new StoreError('RECORD_CORRUPT', `${path} is corrupted (${why}); the journal of signed states beside it is a separate file`, path);
}

/** Checks a record file's bytes and returns its value (throws RECORD_CORRUPT). */
export function decodeRecordFile(bytes: Buffer, path: string): unknown {
  const m = HEADER.exec(bytes.subarray(0, 40).toString('latin1'));
  if (!m) throw corrupt(path, 'no record header');
  const body = bytes.subarray(m[0].length);
  if (body.length !== Number(m[2])) throw corrupt(path, `${body.length} bytes instead of ${m[2]}`);
  if (crc32(body).toString(16).padStart(8, '0') !== m[1]) throw corrupt(path, 'checksum mismatch');
  try {
    return decodeValue(JSON.parse(body.toString('utf8')));
  } catch (e) {
    throw corrupt(path, (e as Error).message);
  }
}

/** The record file's bytes, checked; null when there is none. */
export async function readRecordBytes(path: string): Promise<Buffer | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return null;
    throw fsError(e, path, false);
  }
  decodeRecordFile(bytes, path);
  return bytes;
}

export async function readRecordFile<T>(path: string): Promise<T | null> {
  const bytes = await readRecordBytes(path);
  return bytes === null ? null : (decodeRecordFile(bytes, path) as T);
}

export async function writeRecordBytes(path: string, bytes: Buffer): Promise<void> {
  try {
    await writeFileAtomic(path, bytes, { mode: 0o600, fsync: true });
    await fsyncDir(dirname(path));
  } catch (e) {
    throw fsError(e, path, true);
  }
}

export async function writeRecordFile(path: string, value: unknown): Promise<void> {
  await writeRecordBytes(path, encodeRecordFile(value));
}
