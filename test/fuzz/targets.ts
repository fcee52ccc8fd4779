// The decoders a peer's bytes reach, as fuzz targets: what to feed them, and what must hold of the result.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Address, beginCell, BitString, Cell } from '@ton/core';
import { decodeWireMessage, encodeWireMessage, MAX_WIRE_BYTES, WIRE_TYPES, WireError } from '../../src/core/wire.js';
import { stateFromBase64, stateFromCell, StateFormatError, stateToCell } from '../../src/core/state.js';
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES } from '../../src/p2p/frames.js';
import { verifyProof } from '../../src/p2p/handshake.js';
import type { FuzzTarget } from './fuzz.js';
import { byteMutations, fieldMutations, hostileValue, truncations } from './mutate.js';
import { HANDSHAKE, STATE_B64, STATE_CELLS, WIRE_TEXTS } from './samples.js';

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const WIRE_BYTES = WIRE_TEXTS.map(utf8);

const wireInput: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom(...WIRE_TEXTS),
  fc.uint8Array({ maxLength: 512 }),
  fc.json({ maxDepth: 4 }),
  byteMutations(WIRE_BYTES),
  truncations(WIRE_BYTES),
  fieldMutations(WIRE_TEXTS),
  fieldMutations(WIRE_TEXTS).map(utf8),
  fc.record({ type: fc.constantFrom(...WIRE_TYPES, 'x', ''), rest: fc.dictionary(fc.string({ maxLength: 10 }), hostileValue, { maxKeys: 4 }) }).map((r) => JSON.stringify({ ...r.rest, type: r.type })),
  fc.nat({ max: 40_000 }).map((n) => `{"type":"session.ack","seq":${'['.repeat(n)}${']'.repeat(n)}}`),
  fc.integer({ min: MAX_WIRE_BYTES - 8, max: MAX_WIRE_BYTES + 8 }).map((n) => `{"type":"error","code":"E","message":"${'m'.repeat(Math.max(0, n - 40))}"}`),
);

/** decodeWireMessage: only WireError; what it accepts re-encodes and decodes to the same message. */
export const wireTarget: FuzzTarget<string | Uint8Array> = {
  name: 'wire',
  arbitrary: wireInput,
  decode(input) {
    const length = typeof input === 'string' ? input.length : input.byteLength;
    const m = decodeWireMessage(input);
    assert.ok(length <= MAX_WIRE_BYTES, 'accepted a message over the limit');
    assert.deepEqual(decodeWireMessage(encodeWireMessage(m)), m);
  },
  isTypedError: (e) => e instanceof WireError,
};

const frameChunk: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 200 }).map((p) => encodeFrame(p)),
  fc.constantFrom(0xffffffff, MAX_FRAME_BYTES, MAX_FRAME_BYTES + 1, 0, 2 ** 31).map((n) => {
    const h = Buffer.alloc(4);
    h.writeUInt32BE(n >>> 0, 0);
    return h;
  }),
);

/** FrameDecoder: never throws, never holds more than one frame, reports every oversized length. */
export const framesTarget: FuzzTarget<{ chunks: Uint8Array[]; small: boolean }> = {
  name: 'frames',
  arbitrary: fc.record({ chunks: fc.array(frameChunk, { maxLength: 24 }), small: fc.boolean() }),
  decode({ chunks, small }) {
    const max = small ? 64 : MAX_FRAME_BYTES;
    const d = new FrameDecoder(max);
    for (const c of chunks) {
      for (const ev of d.push(c)) {
        if (ev.kind === 'frame') assert.ok(ev.data.length <= max);
        else assert.ok(ev.length > max);
      }
      assert.ok(d.buffered <= max + 4, `holds ${d.buffered} bytes`);
    }
  },
  isTypedError: () => false,
};

/** FrameDecoder: frames cut at arbitrary points come out whole and in order. */
export const frameSplitTarget: FuzzTarget<{ payloads: Uint8Array[]; cuts: number[] }> = {
  name: 'frames-split',
  arbitrary: fc.record({ payloads: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), cuts: fc.array(fc.nat(), { maxLength: 12 }) }),
  decode({ payloads, cuts }) {
    const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
    const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
    const d = new FrameDecoder();
    const out: Buffer[] = [];
    let from = 0;
    for (const to of [...at, stream.length]) {
      for (const ev of d.push(stream.subarray(from, to))) if (ev.kind === 'frame') out.push(ev.data);
      from = to;
    }
    assert.deepEqual(out.map((b) => b.toString('hex')), payloads.map((p) => Buffer.from(p).toString('hex')));
    assert.equal(d.buffered, 0);
  },
  isTypedError: () => false,
};

// with and without the BOC's crc32c (without it, byte edits reach the cell parser instead of the checksum)
const stateBytes = [...STATE_B64.map((s) => Buffer.from(s, 'base64')), ...STATE_CELLS.map((c) => c.toBoc({ idx: false, crc32: false }))];
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** stateFromBase64: only StateFormatError; what it accepts is the cell it was given. */
export const stateB64Target: FuzzTarget<string> = {
  name: 'state-base64',
  arbitrary: fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.base64String({ maxLength: 400 }),
    fc.uint8Array({ maxLength: 300 }).map(b64),
    byteMutations(stateBytes).map(b64),
    truncations(stateBytes).map(b64),
    fc.nat({ max: 100_000 }).map((n) => 'A'.repeat(n)),
  ),
  decode(input) {
    const s = stateFromBase64(input);
    assert.ok(stateToCell(s).hash().equals(Cell.fromBoc(Buffer.from(input, 'base64'))[0]!.hash()));
  },
  isTypedError: (e) => e instanceof StateFormatError,
};

interface CellSpec {
  bits: BitString;
  refs: CellSpec[];
}
const bits = fc.record({ bytes: fc.uint8Array({ maxLength: 128 }), cut: fc.nat({ max: 7 }) }).map(({ bytes, cut }) => new BitString(Buffer.from(bytes), 0, Math.max(0, Math.min(1023, bytes.length * 8 - cut))));
const leaf: fc.Arbitrary<CellSpec> = bits.map((b) => ({ bits: b, refs: [] }));
const withRefs = (ref: fc.Arbitrary<CellSpec>): fc.Arbitrary<CellSpec> => fc.record({ bits, refs: fc.array(ref, { maxLength: 2 }) });
const cellSpec = withRefs(withRefs(leaf));

function buildCell(spec: CellSpec): Cell {
  const b = beginCell().storeBits(spec.bits);
  for (const r of spec.refs) b.storeRef(buildCell(r));
  return b.endCell();
}

function flipBits(cell: Cell, at: number[]): Cell {
  const s = cell.beginParse();
  const bits: boolean[] = [];
  while (s.remainingBits > 0) bits.push(s.loadBit());
  for (const i of at) if (bits.length) bits[i % bits.length] = !bits[i % bits.length];
  const b = beginCell();
  for (const bit of bits) b.storeBit(bit);
  return b.endCell();
}

/** stateFromCell: only StateFormatError on arbitrary and bit-flipped cells; what it accepts re-encodes to the same cell. */
export const stateCellTarget: FuzzTarget<Cell> = {
  name: 'state-cell',
  arbitrary: fc.oneof(
    cellSpec.map(buildCell),
    fc.record({ i: fc.nat({ max: STATE_CELLS.length - 1 }), at: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }).map(({ i, at }) => flipBits(STATE_CELLS[i]!, at)),
  ),
  decode(cell) {
    const s = stateFromCell(cell);
    assert.ok(stateToCell(s).hash().equals(cell.hash()));
  },
  isTypedError: (e) => e instanceof StateFormatError,
};

const HANDSHAKE_BYTES = [utf8(HANDSHAKE.hello), utf8(HANDSHAKE.proof)];

/** The handshake frames as the Link checks them: a proof verifies only if it is the one the wallet signed. */
export const handshakeTarget: FuzzTarget<{ frame: string | Uint8Array; nonce: Uint8Array | null }> = {
  name: 'handshake',
  arbitrary: fc.record({
    frame: fc.oneof(fc.constantFrom(...HANDSHAKE_BYTES), byteMutations(HANDSHAKE_BYTES), fieldMutations([HANDSHAKE.hello, HANDSHAKE.proof])),
    nonce: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 })),
  }),
  decode({ frame, nonce }) {
    const m = decodeWireMessage(frame);
    const ownNonce = nonce ? Buffer.from(nonce) : HANDSHAKE.ownNonce;
    if (m.type === 'hello') {
      Address.parse(m.walletAddress);
      const key = Buffer.from(m.walletPublicKey, 'hex');
      assert.equal(key.length, 32);
      const ok = verifyProof(Buffer.from(JSON.parse(HANDSHAKE.proof).signature, 'hex'), key, HANDSHAKE.partnerPeerId, HANDSHAKE.ownPeerId, ownNonce);
      assert.equal(ok, key.equals(HANDSHAKE.wallet.publicKey) && ownNonce.equals(HANDSHAKE.ownNonce));
    } else if (m.type === 'proof') {
      const sig = Buffer.from(m.signature, 'hex');
      const ok = verifyProof(sig, HANDSHAKE.wallet.publicKey, HANDSHAKE.partnerPeerId, HANDSHAKE.ownPeerId, ownNonce);
      const original = Buffer.from(JSON.parse(HANDSHAKE.proof).signature, 'hex');
      assert.equal(ok, sig.equals(original) && ownNonce.equals(HANDSHAKE.ownNonce), 'only the signed proof verifies');
    }
  },
  isTypedError: (e) => e instanceof WireError,
};
