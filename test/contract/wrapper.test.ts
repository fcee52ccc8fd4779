// The wrapper's pure parts: config/storage cells, message body layouts (contracts/channel.tlb), exit codes, input errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, toNano } from '@ton/core';
import {
  CHANNEL_CODE, ChannelContract, ChannelExit, OP_CHALLENGE, OP_COOPERATIVE_CLOSE, OP_DEPOSIT, OP_FINISH_CLOSE, OP_REFUND, OP_START_CLOSE,
  channelConfigToCell, channelDataFromCell, challengeBody, cooperativeCloseBody, depositBody, exitCodeMessage, exitCodeName, finishCloseBody,
  refundBody, startCloseBody, type ChannelConfig,
} from '../../src/contract/index.js';
import { keyPairFromSeed, sign } from '../../src/core/signer.js';
import { stateFromCell, stateHash, type ChannelState } from '../../src/core/state.js';

const ka = keyPairFromSeed(Buffer.alloc(32, 1));
const kb = keyPairFromSeed(Buffer.alloc(32, 2));
const config: ChannelConfig = {
  publicKeyA: ka.publicKey,
  publicKeyB: kb.publicKey,
  addressA: new Address(0, Buffer.alloc(32, 0xaa)),
  addressB: new Address(0, Buffer.alloc(32, 0xbb)),
  channelId: (1n << 64n) - 1n,
  challengePeriod: 86400,
  expectedDepositA: toNano('5000000000'),
  expectedDepositB: 0n,
};

describe('channel wrapper (pure)', () => {
  test('config -> storage cell -> ChannelData round trip; fits one root cell even with huge amounts', () => {
    const cell = channelConfigToCell(config);
    assert.ok(cell.bits.length <= 1023);
    const d = channelDataFromCell(cell);
    assert.equal(d.phase, 'funding');
    assert.ok(d.publicKeyA.equals(ka.publicKey) && d.publicKeyB.equals(kb.publicKey));
    assert.ok(d.addressA.equals(config.addressA) && d.addressB.equals(config.addressB));
    assert.equal(d.channelId, config.channelId);
    assert.equal(d.challengePeriod, 86400);
    assert.equal(d.expectedDepositA, config.expectedDepositA);
    assert.equal(d.depositA, 0n);
    assert.equal(d.storedState, null);
  });

  test('two channel ids give two addresses; the same config gives the same address', () => {
    const x = ChannelContract.createFromConfig(config);
    const y = ChannelContract.createFromConfig({ ...config, channelId: 1n });
    assert.ok(!x.address.equals(y.address));
    assert.ok(x.address.equals(ChannelContract.createFromConfig({ ...config }).address));
    assert.ok(x.init?.code?.equals(CHANNEL_CODE));
  });

  test('bad configs are refused with BAD_CONFIG', () => {
    const bad: Array<Partial<ChannelConfig>> = [
      { publicKeyA: Buffer.alloc(31) },
      { publicKeyB: Buffer.alloc(33) },
      { channelId: -1n },
      { channelId: 1n << 64n },
      { challengePeriod: 1.5 },
      { challengePeriod: -1 },
      { challengePeriod: 366 * 24 * 3600 },
      { expectedDepositA: -1n },
      { addressB: config.addressA },
    ];
    for (const b of bad) assert.throws(() => channelConfigToCell({ ...config, ...b }), { code: 'BAD_CONFIG' }, JSON.stringify(Object.keys(b)));
  });

  test('message bodies follow contracts/channel.tlb', () => {
    const d = depositBody(123n).beginParse();
    assert.equal(d.loadUint(32), OP_DEPOSIT);
    assert.equal(d.loadCoins(), 123n);
    assert.equal(d.remainingBits, 0);
    assert.equal(refundBody().beginParse().loadUint(32), OP_REFUND);
    assert.equal(finishCloseBody().beginParse().loadUint(32), OP_FINISH_CLOSE);
    const state: ChannelState = { tag: 'close', channel: config.addressA, step: 7n, balanceA: 1n, balanceB: 2n };
    const h = stateHash(state);
    const input = { state, sigA: sign(h, ka.secretKey), sigB: sign(h, kb.secretKey) };
    for (const [op, body] of [
      [OP_COOPERATIVE_CLOSE, cooperativeCloseBody(input)],
      [OP_START_CLOSE, startCloseBody(input)],
      [OP_CHALLENGE, challengeBody(input)],
    ] as const) {
      const s = body.beginParse();
      assert.equal(s.loadUint(32), op);
      assert.ok(s.loadBuffer(64).equals(input.sigA));
      const sigB = s.loadRef().beginParse();
      assert.ok(sigB.loadBuffer(64).equals(input.sigB));
      assert.equal(sigB.remainingBits, 0);
      const stateCell = s.loadRef();
      assert.ok(stateCell.hash().equals(h), 'the state ref is the signed cell');
      assert.deepEqual(stateFromCell(stateCell).step, 7n);
      assert.equal(s.remainingBits + s.remainingRefs, 0);
    }
    assert.throws(() => startCloseBody({ ...input, sigB: Buffer.alloc(63) }), { code: 'BAD_SIGNATURE_INPUT' });
    assert.throws(() => depositBody(-1n), { code: 'VALUE_TOO_LOW' });
  });

  test('every exit code has a name and a human message', () => {
    for (const [name, code] of Object.entries(ChannelExit)) {
      assert.equal(exitCodeName(code), name);
      assert.ok(!exitCodeMessage(code).startsWith('Exit code'), name);
    }
    assert.match(exitCodeMessage(4242), /4242/);
  });

  test('storage with a close under way parses', () => {
    const state: ChannelState = { tag: 'state', channel: config.addressA, step: 3n, balanceA: 4n, balanceB: 5n };
    const base = channelConfigToCell(config).beginParse();
    base.loadUint(2);
    base.loadCoins();
    base.loadCoins();
    base.loadBit();
    const closing = beginCell()
      .storeUint(2, 2).storeCoins(4n).storeCoins(5n)
      .storeBit(true).storeUint(1, 1).storeUint(1234, 32).storeUint(3n, 64).storeRef(beginCell().storeUint(0x73746174, 32).storeAddress(config.addressA).storeUint(3n, 64).storeCoins(4n).storeCoins(5n).endCell())
      .storeSlice(base)
      .endCell();
    const d = channelDataFromCell(closing);
    assert.equal(d.phase, 'closing');
    assert.equal(d.submitter, 'B');
    assert.equal(d.deadline, 1234);
    assert.deepEqual({ ...d.storedState, channel: null }, { ...state, channel: null });
    assert.throws(() => channelDataFromCell(beginCell().storeUint(3, 2).endCell()), { code: 'BAD_CHANNEL_DATA' });
  });
});
