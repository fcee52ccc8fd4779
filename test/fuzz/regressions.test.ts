// Inputs the fuzzer found, kept as fixed tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell } from '@ton/core';
import { stateFromBase64, stateFromCell, StateFormatError, TAG_STATE } from '../../src/core/state.js';
import { decodeWireMessage, WireError } from '../../src/core/wire.js';

test('a state with an amount in a non-canonical Coins encoding (leading zero bytes) is refused', () => {
  const channel = Address.parse('0:' + '11'.repeat(32));
  // balanceA = 10 stored in 2 bytes (0x000a) instead of 1: the same number, another cell, another hash
  const cell = beginCell().storeUint(TAG_STATE, 32).storeAddress(channel).storeUint(7, 64).storeUint(2, 4).storeUint(10, 16).storeCoins(5).endCell();
  assert.throws(() => stateFromCell(cell), StateFormatError);
  const b64 = cell.toBoc().toString('base64');
  assert.throws(() => stateFromBase64(b64), StateFormatError);
  const frame = JSON.stringify({ type: 'state.propose', contract: channel.toString(), state: b64, signature: 'ab'.repeat(64) });
  assert.throws(() => decodeWireMessage(frame), (e: unknown) => e instanceof WireError && e.code === 'WIRE_INVALID');
  // the canonical cell of the same state is accepted
  const canonical = beginCell().storeUint(TAG_STATE, 32).storeAddress(channel).storeUint(7, 64).storeCoins(10).storeCoins(5).endCell();
  assert.equal(stateFromCell(canonical).balanceA, 10n);
});
