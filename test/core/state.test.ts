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

  test('stateTotal', () => {
    assert.equal(stateTotal(base), 1_500_000_002n);
  });
});
