// The journal reader's fuzz: on arbitrary or mutated bytes, decodeJournal (the tail check, the head walk and
// the forward scan) throws nothing but StoreError and returns only entries whose record checksum holds; from a
// mutated journal it returns only entries that were really written.
// Run: `node --import tsx test/store/fuzz.ts [runs] [seed]` (the soak runs 1e5); npm test runs a few hundred.
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { Address } from '@ton/core';
import { FILE_MAGIC, encodeEntry, frameRecord, type JournalEntry } from '../../src/node/store/codec.js';
import { StoreError, decodeJournal } from '../../src/node/store/index.js';

const signed = fc.record({
  step: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  a: fc.bigInt({ min: 0n, max: (1n << 120n) - 1n }),
  b: fc.bigInt({ min: 0n, max: (1n << 120n) - 1n }),
  close: fc.boolean(),
  hash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  sigA: fc.option(fc.uint8Array({ minLength: 64, maxLength: 64 }), { nil: null }),
  sigB: fc.option(fc.uint8Array({ minLength: 64, maxLength: 64 }), { nil: null }),
}).map((r) => ({
  state: { tag: r.close ? ('close' as const) : ('state' as const), channel: new Address(0, Buffer.from(r.hash)), step: r.step, balanceA: r.a, balanceB: r.b },
  sigA: r.sigA && Buffer.from(r.sigA),
  sigB: r.sigB && Buffer.from(r.sigB),
}));

const entry: fc.Arbitrary<JournalEntry> = fc.oneof(
  signed.map((s) => ({ kind: 'committed' as const, state: { ...s, sigA: s.sigA ?? Buffer.alloc(64, 1), sigB: s.sigB ?? Buffer.alloc(64, 2) } })),
  fc.tuple(signed, fc.boolean()).map(([state, mine]) => ({ kind: 'staged' as const, state, mine })),
  fc.tuple(signed, signed, fc.string({ maxLength: 40 })).map(([a, b, note]) => ({ kind: 'evidence' as const, a, b, note })),
);

type Mutation = { op: 'flip' | 'cut' | 'zero' | 'insert' | 'append' | 'dup'; at: number; len: number; bytes: Uint8Array };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('flip', 'cut', 'zero', 'insert', 'append', 'dup'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 300 }),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }),
});

function mutate(buf: Buffer, m: Mutation): Buffer {
  const at = buf.length ? m.at % buf.length : 0;
  switch (m.op) {
    case 'flip': {
      const b = Buffer.from(buf);
      if (b.length) b[at] = b[at]! ^ (m.bytes[0]! || 1);
      return b;
    }
    case 'cut':
      return buf.subarray(0, at);
    case 'zero':
      return Buffer.concat([buf.subarray(0, at), Buffer.alloc(m.len), buf.subarray(Math.min(buf.length, at + m.len))]);
    case 'insert':
      return Buffer.concat([buf.subarray(0, at), m.bytes, buf.subarray(at)]);
    case 'append':
      return Buffer.concat([buf, m.bytes]);
    case 'dup':
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at, at + m.len), buf.subarray(at)]);
  }
}

/** Checks a record's checksum independently of the store's code. */
function checksumHolds(bytes: Buffer, offset: number): boolean {
  if (offset + 4 > bytes.length) return false;
  const L = bytes.readUInt16LE(offset + 2);
  const end = offset + L + 10;
  return end <= bytes.length && crc32(bytes.subarray(offset, end - 4)) === bytes.readUInt32LE(end - 4);
}

async function check(bytes: Buffer, written: Buffer[] | null): Promise<void> {
  let out;
  try {
    out = await decodeJournal(bytes);
  } catch (e) {
    if (e instanceof StoreError) return;
    throw e;
  }
  for (const { offset, entry: e } of out.entries) {
    assert.ok(checksumHolds(bytes, offset), `an entry at ${offset} whose checksum fails`);
    if (written) assert.ok(written.some((w) => w.equals(encodeEntry(e))), `an entry at ${offset} that was never written`);
  }
  for (const r of [out.head.committed, out.head.staged]) if (r) assert.ok(checksumHolds(bytes, r.offset), `a head record at ${r.offset} whose checksum fails`);
}

const journal = fc.array(entry, { maxLength: 6 }).map((es) => {
  const written = es.map(encodeEntry);
  return { bytes: Buffer.concat([FILE_MAGIC, ...written]), written };
});

/** Runs the three fuzz properties `runs` times each. */
export async function runJournalFuzz(runs: number, seed?: number): Promise<void> {
  const opts = { numRuns: runs, ...(seed === undefined ? {} : { seed }) };
  // a real journal, mutated
  await fc.assert(fc.asyncProperty(journal, fc.array(mutation, { minLength: 1, maxLength: 4 }), async (j, ms) => check(ms.reduce(mutate, j.bytes), j.written)), opts);
  // records whose checksums hold but whose contents are arbitrary
  const framed = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ minLength: 1, maxLength: 300 })), { maxLength: 5 });
  await fc.assert(fc.asyncProperty(framed, fc.option(mutation, { nil: null }), async (rs, m) => {
    const bytes = Buffer.concat([FILE_MAGIC, ...rs.map(([k, p]) => frameRecord(k, Buffer.from(p)))]);
    await check(m ? mutate(bytes, m) : bytes, null);
  }), opts);
  // arbitrary bytes, with or without the file header
  await fc.assert(fc.asyncProperty(fc.boolean(), fc.uint8Array({ maxLength: 2000 }), async (magic, b) => check(Buffer.concat([magic ? FILE_MAGIC : Buffer.alloc(0), b]), null)), opts);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.argv[2] ?? 100_000);
  const seed = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  const t = Date.now();
  runJournalFuzz(runs, seed).then(
    () => console.log(`journal fuzz: ${runs} runs of each of 3 properties passed in ${((Date.now() - t) / 1000).toFixed(1)} s`),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
