// Valid inputs for the fuzz targets to mutate: one wire message of every type, and channel states.
import { Address } from '@ton/core';
import { keyPairFromSeed } from '../../src/core/signer.js';
import { stateToBase64, stateToCell, type ChannelState } from '../../src/core/state.js';
import { encodeWireMessage, type WireMessage } from '../../src/core/wire.js';
import { signProof } from '../../src/p2p/handshake.js';

const contract = Address.parse('0:' + '11'.repeat(32));
const friendly = contract.toString();
const raw = '0:' + '22'.repeat(32);
const key = 'ab'.repeat(32);
const sig = 'CD'.repeat(64);

export const STATES: ChannelState[] = [
  { tag: 'state', channel: contract, step: 7n, balanceA: 10n, balanceB: 5n },
  { tag: 'close', channel: Address.parse('-1:' + 'ee'.repeat(32)), step: (1n << 64n) - 1n, balanceA: (1n << 120n) - 1n, balanceB: 0n },
  { tag: 'state', channel: contract, step: 0n, balanceA: 0n, balanceB: 0n },
];
export const STATE_B64 = STATES.map(stateToBase64);
export const STATE_CELLS = STATES.map(stateToCell);
const state = STATE_B64[0]!;

export const WIRE_SAMPLES: WireMessage[] = [
  { type: 'hello', v: 1, walletAddress: friendly, walletPublicKey: key, channelPublicKey: key, nonce: '00'.repeat(32), observed: '/ip4/1.2.3.4/tcp/5' },
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
  { type: 'close.propose', contract: friendly, state: STATE_B64[1]!, signature: sig },
  { type: 'close.accept', contract: friendly, step: 3n, signature: sig },
  { type: 'resync.request', contract: friendly, latestStep: 0n },
  { type: 'resync.response', contract: friendly, states: STATE_B64.map((s) => ({ state: s, sigA: sig, sigB: sig })) },
  { type: 'error', code: 'NOT_YOUR_TURN', message: 'request the turn first', ref: 'state.propose' },
  { type: 'session.resume', session: 'aa'.repeat(16), peerSession: 'bb'.repeat(16), received: 4, base: 1 },
  { type: 'session.data', seq: 1, msg: { type: 'state.propose', contract: raw, state, signature: sig } },
  { type: 'session.ack', seq: 99 },
];
export const WIRE_TEXTS = WIRE_SAMPLES.map(encodeWireMessage);

/** A handshake as the Link sees it: the partner's hello and its proof over our peer id and nonce. */
export const HANDSHAKE = (() => {
  const wallet = keyPairFromSeed(Buffer.alloc(32, 9));
  const partnerPeerId = '12D3KooWEABEDULCQxQ542gXLHqxGuPNGpRYqptrJxaRuEvAnkSB';
  const ownPeerId = '12D3KooWP7BgFWBcW5zoTxFdSrSq2bUwRfxCcxvgiXG5GcLAmm8G';
  const ownNonce = Buffer.alloc(32, 3);
  const signature = signProof(wallet.secretKey, partnerPeerId, ownPeerId, ownNonce);
  const hello: WireMessage = {
    type: 'hello',
    v: 1,
    walletAddress: raw,
    walletPublicKey: wallet.publicKey.toString('hex'),
    channelPublicKey: wallet.publicKey.toString('hex'),
    nonce: '77'.repeat(32),
  };
  const proof: WireMessage = { type: 'proof', signature: signature.toString('hex') };
  return { wallet, partnerPeerId, ownPeerId, ownNonce, hello: encodeWireMessage(hello), proof: encodeWireMessage(proof) };
})();
