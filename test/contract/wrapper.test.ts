// The wrapper's pure parts: config/storage cells, message body layouts (contracts/channel.tlb), exit codes, input errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, toNano, type Cell } from '@ton/core';
import {
  CHANNEL_CODE, ChannelContract, ChannelExit, MAX_CHALLENGE_PERIOD, MIN_CHALLENGE_PERIOD, OP_CHALLENGE, OP_COOPERATIVE_CLOSE, OP_DEPOSIT, OP_EXIT,
  OP_FINISH_CLOSE, OP_REFUND, OP_START_CLOSE, TAG_EXIT, channelConfigToCell, channelDataFromCell, channelStatusFromAccount, challengeBody,
  cooperativeCloseBody, depositBody, exitBody, exitCodeMessage, exitCodeName, finishCloseBody, parseStorage, refundBody, startCloseBody,
  type ChannelConfig,
} from '../../src/contract/index.js';
import { keyPairFromSeed, sign } from '../../src/core/signer.js';
import { stateFromCell, stateHash, stateToCell, type ChannelState } from '../../src/core/state.js';

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
      { challengePeriod: 0 },
      { challengePeriod: 1 },
      { challengePeriod: MIN_CHALLENGE_PERIOD - 1 },
      { challengePeriod: MAX_CHALLENGE_PERIOD + 1 },
      { challengePeriod: 2 ** 32 - 1 },
      { expectedDepositA: -1n },
      { expectedDepositB: 1n << 63n },
      { addressB: config.addressA },
    ];
    for (const b of bad) assert.throws(() => channelConfigToCell({ ...config, ...b }), { code: 'BAD_CONFIG' }, JSON.stringify(Object.keys(b)));
    for (const p of [MIN_CHALLENGE_PERIOD, MAX_CHALLENGE_PERIOD]) assert.doesNotThrow(() => channelConfigToCell({ ...config, challengePeriod: p }));
  });

  test('message bodies follow contracts/channel.tlb', () => {
    const d = depositBody(123n).beginParse();
    assert.equal(d.loadUint(32), OP_DEPOSIT);
    assert.equal(d.loadCoins(), 123n);
    assert.equal(d.remainingBits, 0);
    assert.equal(refundBody().beginParse().loadUint(32), OP_REFUND);
    assert.equal(finishCloseBody().beginParse().loadUint(32), OP_FINISH_CLOSE);
    assert.equal(exitBody().beginParse().loadUint(32), OP_EXIT);
    const state: ChannelState = { tag: 'close', channel: config.addressA, step: 7n, balanceA: 1n, balanceB: 2n };
    const h = stateHash(state);
    const input = { state, sigA: sign(h, ka.secretKey), sigB: sign(h, kb.secretKey) };
    for (const [op, make] of [
      [OP_COOPERATIVE_CLOSE, cooperativeCloseBody],
      [OP_START_CLOSE, startCloseBody],
      [OP_CHALLENGE, challengeBody],
    ] as const) {
      // from A: B's signature only; from B: A's only; from anyone else: both
      for (const [by, sig, second] of [['A', input.sigB, null], ['B', input.sigA, null], ['other', input.sigA, input.sigB]] as const) {
        const s = make(input, by).beginParse();
        assert.equal(s.loadUint(32), op);
        assert.ok(s.loadBuffer(64).equals(sig), by);
        const stateCell = s.loadRef();
        assert.ok(stateCell.hash().equals(h), 'the state ref is the signed cell');
        assert.deepEqual(stateFromCell(stateCell).step, 7n);
        const sigB = s.loadMaybeRef();
        if (second) assert.ok(sigB && sigB.beginParse().loadBuffer(64).equals(second));
        else assert.equal(sigB, null);
        assert.equal(s.remainingBits + s.remainingRefs, 0);
      }
    }
    assert.throws(() => startCloseBody({ ...input, sigB: Buffer.alloc(63) }, 'A'), { code: 'BAD_SIGNATURE_INPUT' });
    assert.doesNotThrow(() => startCloseBody({ ...input, sigB: Buffer.alloc(63) }, 'B'), 'from B, B\'s signature is not sent');
    assert.throws(() => depositBody(-1n), { code: 'VALUE_TOO_LOW' });
  });

  test('every exit code has a name and a human message', () => {
    for (const [name, code] of Object.entries(ChannelExit)) {
      assert.equal(exitCodeName(code), name);
      assert.ok(!exitCodeMessage(code).startsWith('Exit code'), name);
    }
    assert.match(exitCodeMessage(4242), /4242/);
  });

  test('storage with a close under way, an exit under way, and the closed records parse', () => {
    const state: ChannelState = { tag: 'state', channel: config.addressA, step: 3n, balanceA: 4n, balanceB: 5n };
    const base = channelConfigToCell(config).beginParse();
    base.skip(2 + 65);
    base.loadCoins();
    base.loadCoins();
    const addrs = base.loadAddress();
    const addrsB = base.loadAddress();
    const params = base.loadRef();
    base.skip(41);
    base.loadMaybeRef();
    const closing = (record: Cell, phase = 3) =>
      beginCell()
        .storeUint(phase, 2).storeUint(4n, 65).storeCoins(4n).storeCoins(5n).storeAddress(addrs).storeAddress(addrsB).storeRef(params)
        .storeUint(1234, 40).storeUint(1, 1).storeMaybeRef(record).storeSlice(base)
        .endCell();
    const d = channelDataFromCell(closing(stateToCell(state)));
    assert.equal(d.phase, 'closing');
    assert.equal(d.submitter, 'B');
    assert.equal(d.deadline, 1234);
    assert.equal(d.stepFloor, 4n);
    assert.equal(d.exit, false);
    assert.deepEqual({ ...d.storedState, channel: null }, { ...state, channel: null });
    const exitRecord = beginCell().storeUint(TAG_EXIT, 32).storeAddress(config.addressA).storeUint(0, 64).storeCoins(4n).storeCoins(5n).endCell();
    const e = channelDataFromCell(closing(exitRecord));
    assert.equal(e.exit, true);
    assert.equal(e.storedState, null);
    // CLOSED: the storage is the record itself
    assert.deepEqual(parseStorage(stateToCell(state)), { phase: 'closed', paid: { step: 3n, tag: 'state', balanceA: 4n, balanceB: 5n } });
    assert.deepEqual(parseStorage(exitRecord), { phase: 'closed', paid: { step: null, tag: 'exit', balanceA: 4n, balanceB: 5n } });
    assert.throws(() => channelDataFromCell(exitRecord), { code: 'BAD_CHANNEL_DATA' });
    assert.throws(() => parseStorage(beginCell().storeUint(3, 2).endCell()), { code: 'BAD_CHANNEL_DATA' });
    // the status of each kind of account
    assert.deepEqual(channelStatusFromAccount('uninit', 1n, null), { status: 'not_deployed', balance: 1n });
    assert.deepEqual(channelStatusFromAccount('nonexist', 0n, null), { status: 'not_deployed', balance: 0n });
    assert.deepEqual(channelStatusFromAccount('frozen', 0n, null), { status: 'frozen', balance: 0n });
    assert.equal(channelStatusFromAccount('active', 5n, channelConfigToCell(config)).status, 'funding');
    assert.equal(channelStatusFromAccount('active', 0n, exitRecord).status, 'closed');
  });
});
