import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Address, beginCell, Cell } from '@ton/core';
import {
  MAX_STEP,
  StateFormatError,
  TAG_CLOSE,
  TAG_STATE,
  stateFromBase64,
  stateFromCell,
  stateHash,
  stateToBase64,
  stateToBoc,
  stateToCell,
  stateTotal,
  statesEqual,
  tagToUint,
  type ChannelState,
} from '../../src/core/state.js';
import { MAX_COINS } from '../../src/core/amounts.js';
import { channelAddr, otherAddr } from './helpers.js';

const base: ChannelState = { tag: 'state', channel: channelAddr, step: 7n, balanceA: 1_500_000_000n, balanceB: 2n };

const arbState = fc.record({
  tag: fc.constantFrom<'state' | 'close'>('state', 'close'),
  channel: fc.tuple(fc.constantFrom(0, -1), fc.uint8Array({ minLength: 32, maxLength: 32 })).map(([wc, h]) => new Address(wc, Buffer.from(h))),
  step: fc.bigInt({ min: 0n, max: MAX_STEP }),
  balanceA: fc.bigInt({ min: 0n, max: MAX_COINS }),
  balanceB: fc.bigInt({ min: 0n, max: MAX_COINS }),
});

describe('ChannelState cell (contracts/channel.tlb)', () => {
  test('layout is tag:uint32 channel:MsgAddressInt step:uint64 balance_a:Coins balance_b:Coins', () => {
    const expected = beginCell().storeUint(TAG_STATE, 32).storeAddress(channelAddr).storeUint(7n, 64).storeCoins(1_500_000_000n).storeCoins(2n).endCell();
    assert.ok(stateToCell(base).equals(expected));
    assert.deepEqual(stateHash(base), expected.hash());
    assert.equal(tagToUint('close'), TAG_CLOSE);
    assert.equal(tagToUint('state'), TAG_STATE);
    assert.equal(TAG_STATE, 0x73746174);
    assert.equal(TAG_CLOSE, 0x636c6f73);
  });

  test('round trips through cell and base64 BOC for any state', () => {
    fc.assert(
      fc.property(arbState, (s) => {
        assert.ok(statesEqual(stateFromCell(stateToCell(s)), s));
        assert.ok(statesEqual(stateFromBase64(stateToBase64(s)), s));
        assert.deepEqual(Cell.fromBoc(stateToBoc(s))[0]!.hash(), stateHash(s));
      }),
      { numRuns: 200 },
    );
  });

  test('the hand-built hash and BOC are @ton/core\'s, byte for byte; other BOC forms of a state still parse', () => {
    const anyState = fc.record({
      tag: fc.constantFrom<'state' | 'close'>('state', 'close'),
      channel: fc.tuple(fc.integer({ min: -128, max: 127 }), fc.uint8Array({ minLength: 32, maxLength: 32 })).map(([wc, h]) => new Address(wc, Buffer.from(h))),
      // every Coins length (0..15 bytes) and step width
      step: fc.integer({ min: 0, max: 64 }).chain((b) => fc.bigInt({ min: 0n, max: (1n << BigInt(b)) - 1n })),
      balanceA: fc.integer({ min: 0, max: 120 }).chain((b) => fc.bigInt({ min: 0n, max: (1n << BigInt(b)) - 1n })),
      balanceB: fc.integer({ min: 0, max: 120 }).chain((b) => fc.bigInt({ min: 0n, max: (1n << BigInt(b)) - 1n })),
    });
    fc.assert(
      fc.property(anyState, (s) => {
        const cell = stateToCell(s);
        assert.deepEqual(stateHash(s), cell.hash());
        assert.deepEqual(stateToBoc(s), cell.toBoc());
        assert.ok(statesEqual(stateFromBase64(cell.toBoc().toString('base64')), s));
        assert.ok(statesEqual(stateFromBase64(cell.toBoc({ idx: true, crc32: false }).toString('base64')), s));
      }),
      { numRuns: 1000 },
    );
    for (const bad of [{ ...base, step: -1n }, { ...base, step: MAX_STEP + 1n }, { ...base, balanceA: -1n }, { ...base, balanceB: MAX_COINS + 1n }]) {
      assert.throws(() => stateHash(bad), StateFormatError);
      assert.throws(() => stateToBoc(bad), StateFormatError);
    }
    // A BOC of our form whose cell has one more bit, or a damaged checksum, is not read as a state.
    const boc = stateToBoc(base);
    const crc = Buffer.from(boc);
    crc[crc.length - 1] = crc[crc.length - 1]! ^ 1;
    assert.throws(() => stateFromBase64(crc.toString('base64')), StateFormatError);
    const longer = beginCell().storeSlice(stateToCell(base).beginParse()).storeBit(1).endCell().toBoc().toString('base64');
    assert.throws(() => stateFromBase64(longer), /extra data after the state/);
  });

  test('the hash differs when any field differs', () => {
    const variants: ChannelState[] = [
      { ...base, tag: 'close' },
      { ...base, channel: otherAddr },
      { ...base, step: 8n },
      { ...base, balanceA: base.balanceA + 1n },
      { ...base, balanceB: base.balanceB + 1n },
    ];
    for (const v of variants) {
      assert.notDeepEqual(stateHash(v), stateHash(base));
      assert.equal(statesEqual(v, base), false);
    }
    assert.ok(statesEqual({ ...base, channel: new Address(0, Buffer.alloc(32, 0x11)) }, base));
  });

  test('rejects an unknown tag', () => {
    const cell = beginCell().storeUint(0xdeadbeef, 32).storeAddress(channelAddr).storeUint(1n, 64).storeCoins(1n).storeCoins(1n).endCell();
    assert.throws(() => stateFromCell(cell), (e: unknown) => e instanceof StateFormatError && e.code === 'STATE_FORMAT' && /unknown state tag 0xdeadbeef/.test(e.message));
  });

  test('rejects trailing bits and trailing refs', () => {
    const bits = beginCell().storeSlice(stateToCell(base).beginParse()).storeBit(0).endCell();
    assert.throws(() => stateFromCell(bits), /extra data after the state/);
    const refs = beginCell().storeSlice(stateToCell(base).beginParse()).storeRef(beginCell().endCell()).endCell();
    assert.throws(() => stateFromCell(refs), /extra data after the state/);
  });

  test('rejects truncated cells, an external address and a missing address', () => {
    const truncated = beginCell().storeUint(TAG_STATE, 32).storeAddress(channelAddr).storeUint(1n, 64).endCell();
    assert.throws(() => stateFromCell(truncated), StateFormatError);
    const noAddr = beginCell().storeUint(TAG_STATE, 32).storeUint(0, 2).storeUint(1n, 64).storeCoins(1n).storeCoins(1n).endCell();
    assert.throws(() => stateFromCell(noAddr), StateFormatError);
  });

  test('base64: rejects garbage, empty input and a BOC whose root is not a state', () => {
    assert.throws(() => stateFromBase64('not a boc'), (e: unknown) => e instanceof StateFormatError && /not a BOC/.test(e.message));
    assert.throws(() => stateFromBase64(''), StateFormatError);
    // A BOC whose root holds the state in a ref, not the state itself:
    const wrapped = beginCell().storeRef(stateToCell(base)).endCell().toBoc().toString('base64');
    assert.throws(() => stateFromBase64(wrapped), StateFormatError);
  });

  test('stateToCell refuses values outside the TL-B ranges', () => {
    assert.throws(() => stateToCell({ ...base, step: -1n }), /outside/);
    assert.throws(() => stateToCell({ ...base, step: MAX_STEP + 1n }), /outside/);
    assert.throws(() => stateToCell({ ...base, balanceA: -1n }), /negative/);
    assert.throws(() => stateToCell({ ...base, balanceB: MAX_COINS + 1n }), (e: unknown) => e instanceof StateFormatError && /Coins maximum/.test(e.message));
  });

  test('encodings are remembered by content: a changed state encodes anew, and what a caller gets is its own copy', () => {
    const s: ChannelState = { ...base, step: 4242n };
    const h1 = stateHash(s);
    const boc1 = stateToBoc(s);
    h1.fill(0);
    boc1.fill(0);
    assert.deepEqual(stateHash(s), stateToCell(s).hash(), 'a caller scribbling on a hash changes no later hash');
    assert.deepEqual(stateToBoc(s), stateToCell(s).toBoc());
    s.balanceA -= 1n; // the same object, changed
    assert.deepEqual(stateHash(s), stateToCell(s).hash(), 'a changed state hashes as what it now is');
    const b64 = stateToBase64(s);
    const read = stateFromBase64(b64);
    read.balanceB = 99n;
    assert.ok(statesEqual(stateFromBase64(b64), s), 'a caller changing a parsed state changes no later parse');
  });

  test('stateTotal', () => {
    assert.equal(stateTotal(base), 1_500_000_002n);
  });
});
