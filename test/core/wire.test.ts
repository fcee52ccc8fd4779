import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { stateToBase64 } from '../../src/core/state.js';
import {
  APP_TYPES,
  MAX_RESYNC_STATES,
  MAX_WIRE_BYTES,
  WIRE_TYPES,
  WireError,
  decodeWireMessage,
  encodeWireMessage,
  parseAppMessage,
  parseWireMessage,
  type WireMessage,
} from '../../src/core/wire.js';

const contract = Address.parse('0:' + '11'.repeat(32));
const friendly = contract.toString();
const raw = '0:' + '22'.repeat(32);
const key = 'ab'.repeat(32);
const sig = 'CD'.repeat(64);
const state = stateToBase64({ tag: 'state', channel: contract, step: 7n, balanceA: 10n, balanceB: 5n });

const samples: WireMessage[] = [
  { type: 'hello', v: 1, walletAddress: friendly, walletPublicKey: key, channelPublicKey: key, nonce: '00'.repeat(32) },
  { type: 'hello', v: 1, walletAddress: raw, walletPublicKey: key, channelPublicKey: key, nonce: 'ff'.repeat(32), observed: '/ip4/1.2.3.4/tcp/5' },
  { type: 'proof', signature: sig },
  {
    type: 'channel.propose',
    channelId: (1n << 63n) + 5n,
    challengePeriod: 600,
    expectedDepositA: 1_000_000_000n,
    expectedDepositB: 0n,
    addressA: friendly,
    addressB: raw,
    publicKeyA: key,
    publicKeyB: key,
  },
  { type: 'channel.accept', channelId: 1n },
  { type: 'channel.reject', channelId: 1n, reason: 'deposit too large' },
  { type: 'channel.deployed', channelId: 1n, contract: friendly },
  { type: 'deposit', contract: friendly, party: 'B', amount: (1n << 120n) - 1n },
  { type: 'state.propose', contract: friendly, state, signature: sig },
  { type: 'state.countersign', contract: friendly, step: (1n << 64n) - 1n, signature: sig },
  { type: 'turn.request', contract: friendly, step: 3n },
  { type: 'close.notice', contract: friendly, kind: 'unilateral', step: 3n },
  { type: 'close.propose', contract: friendly, state, signature: sig },
  { type: 'close.accept', contract: friendly, step: 3n, signature: sig },
  { type: 'resync.request', contract: friendly, latestStep: 0n },
  { type: 'resync.response', contract: friendly, states: [{ state, sigA: sig, sigB: sig }] },
  { type: 'error', code: 'NOT_YOUR_TURN', message: 'request the turn first' },
  { type: 'error', code: 'E', message: '', ref: 'state.propose#3' },
  { type: 'session.resume', session: 'aa'.repeat(16), peerSession: '', received: 0, base: 1 },
  { type: 'session.data', seq: 1, msg: { type: 'turn.request', contract: raw, step: 1n } },
  { type: 'session.ack', seq: 99 },
];

function reject(json: unknown, code: string, pattern?: RegExp): void {
  assert.throws(
    () => parseWireMessage(json),
    (e: unknown) => {
      assert.ok(e instanceof WireError, `expected WireError, got ${String(e)}`);
      assert.equal(e.code, code);
      if (pattern) assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('wire messages', () => {
  test('every message type has a sample that round-trips through JSON', () => {
    const covered = new Set(samples.map((s) => s.type));
    for (const t of WIRE_TYPES) assert.ok(covered.has(t), `no sample for ${t}`);
    for (const s of samples) {
      const text = encodeWireMessage(s);
      assert.deepEqual(decodeWireMessage(text), s);
      assert.deepEqual(decodeWireMessage(Buffer.from(text)), s);
      assert.deepEqual(parseWireMessage(JSON.parse(text)), s);
    }
  });

  test('amounts and steps are bigint after parsing and decimal strings on the wire', () => {
    const text = encodeWireMessage({ type: 'deposit', contract: friendly, party: 'A', amount: 123456789012345678901234567890n });
    assert.match(text, /"amount":"123456789012345678901234567890"/);
    const m = parseWireMessage(JSON.parse(text));
    assert.equal(m.type === 'deposit' && m.amount, 123456789012345678901234567890n);
  });

  test('the state BOC arrives byte for byte as sent', () => {
    const m = decodeWireMessage(encodeWireMessage({ type: 'state.propose', contract: friendly, state, signature: sig }));
    assert.equal(m.type === 'state.propose' && m.state, state);
  });

  test('rejects non-JSON, non-objects and missing or unknown types', () => {
    assert.throws(() => decodeWireMessage('{nope'), (e: unknown) => e instanceof WireError && e.code === 'WIRE_NOT_JSON');
    assert.throws(() => decodeWireMessage(Buffer.from([0xff, 0xfe, 0x7b])), (e: unknown) => e instanceof WireError && e.code === 'WIRE_NOT_JSON');
    reject(null, 'WIRE_INVALID', /type/);
    reject([], 'WIRE_INVALID');
    reject('hello', 'WIRE_INVALID');
    reject({ v: 1 }, 'WIRE_INVALID');
    reject({ type: 7 }, 'WIRE_INVALID');
    reject({ type: 'teleport' }, 'WIRE_UNKNOWN_TYPE', /teleport.*update/);
  });

  test('rejects too large input', () => {
    const big = JSON.stringify({ type: 'error', code: 'X', message: 'x'.repeat(MAX_WIRE_BYTES) });
    assert.throws(() => decodeWireMessage(big), (e: unknown) => e instanceof WireError && e.code === 'WIRE_TOO_LARGE');
  });

  const base = { type: 'deposit', contract: friendly, party: 'A', amount: '5' };
  const cases: [string, unknown, RegExp][] = [
    ['negative amount', { ...base, amount: '-5' }, /amount/],
    ['exponent amount', { ...base, amount: '1e9' }, /amount/],
    ['fractional amount', { ...base, amount: '1.5' }, /amount/],
    ['leading zero', { ...base, amount: '05' }, /amount/],
    ['number amount', { ...base, amount: 5 }, /amount/],
    ['amount above Coins max', { ...base, amount: (1n << 120n).toString() }, /amount.*larger/],
    ['bad party', { ...base, party: 'C' }, /party/],
    ['bad address', { ...base, contract: 'EQnotanaddress' }, /address/],
    ['address too long', { ...base, contract: 'E'.repeat(200) }, /longer/],
    ['extra key', { ...base, extra: 1 }, /extra/],
    ['missing key', { type: 'deposit', contract: friendly, party: 'A' }, /amount/],
    ['short key', { type: 'channel.accept', channelId: 'x' }, /channel id/],
    ['channel id above uint64 (the contract stores a uint64)', { type: 'channel.accept', channelId: (1n << 64n).toString() }, /channel id/],
    ['step above uint64', { type: 'turn.request', contract: friendly, step: (1n << 64n).toString() }, /step/],
    ['short signature', { type: 'proof', signature: 'ab'.repeat(63) }, /signature/],
    ['non-hex signature', { type: 'proof', signature: 'zz'.repeat(64) }, /signature/],
    ['wrong version', { ...samples[0], v: 2 }, /version/],
    ['bad public key', { ...samples[0], walletPublicKey: 'ab' }, /public key/],
    ['state not base64', { type: 'state.propose', contract: friendly, state: '!!!', signature: sig }, /state/],
    ['state not a ChannelState', { type: 'state.propose', contract: friendly, state: Buffer.from('hello').toString('base64'), signature: sig }, /state/],
    ['state too long', { type: 'state.propose', contract: friendly, state: 'A'.repeat(600), signature: sig }, /state/],
    ['too many resync states', { type: 'resync.response', contract: friendly, states: Array.from({ length: MAX_RESYNC_STATES + 1 }, () => ({ state, sigA: sig, sigB: sig })) }, /states/],
    ['reason too long', { type: 'channel.reject', channelId: '1', reason: 'r'.repeat(513) }, /reason/],
    ['error code lower case', { type: 'error', code: 'oops', message: 'm' }, /code/],
    ['challenge period zero', { ...(JSON.parse(encodeWireMessage(samples[3]!)) as object), challengePeriod: 0 }, /challengePeriod/],
    ['negative seq', { type: 'session.ack', seq: -1 }, /seq/],
    ['session data with a handshake inside', { type: 'session.data', seq: 1, msg: samples[2] }, /msg/],
  ];
  for (const [name, json, pattern] of cases) {
    test(`rejects ${name}`, () => reject(json, 'WIRE_INVALID', pattern));
  }

  test('parseAppMessage refuses transport frames and accepts application messages', () => {
    for (const t of APP_TYPES) assert.ok(!['hello', 'proof'].includes(t) && !t.startsWith('session.'));
    assert.throws(() => parseAppMessage(JSON.parse(encodeWireMessage(samples[0]!))), (e: unknown) => e instanceof WireError && /transport/.test(e.message));
    assert.equal(parseAppMessage({ type: 'turn.request', contract: friendly, step: '1' }).type, 'turn.request');
  });

  test('encodeWireMessage refuses what a peer would reject', () => {
    assert.throws(() => encodeWireMessage({ type: 'deposit', contract: friendly, party: 'A', amount: -1n }), WireError);
  });
});

test("a peer's free text arrives as one printable line: no terminal escapes, line breaks or bidi overrides", () => {
  const forged = '\r\x1b[2K\x1b[1A❗ Last state signed successful❗\nStep 6: A [0.48 9.52] B\u202e\u0085\x1b[8m';
  const m = decodeWireMessage(JSON.stringify({ type: 'error', code: 'OK', message: forged, ref: 'x\ny' }));
  assert.equal(m.type, 'error');
  if (m.type !== 'error') return;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
  assert.doesNotMatch(m.message, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
  assert.match(m.message, /❗ Last state signed successful❗ Step 6: A \[0\.48 9\.52\] B/);
  assert.equal(m.ref, 'x y');
});
