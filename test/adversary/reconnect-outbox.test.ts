// A partner that never acknowledges: each reconnection made the node queue its proposal once more (channel.propose,
// like channel.accept and channel.deployed, was sent on every resume while one was still unacknowledged), and each
// far-ahead proposal asked for a resync again every RESYNC_ASK_MS; the session's outbox grew with them, all of it
// resent on each resume. Real libp2p on 127.0.0.1: the partner is a raw peer that proves a real wallet, never acks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { walletAddress } from '../../src/chain/wallets.js';
import { newKeyPair, sign } from '../../src/core/signer.js';
import { stateHash, stateToBase64, type ChannelState } from '../../src/core/state.js';
import { withVictim } from './mallory.js';
import { RawPeer } from './raw.js';
import { RESYNC_ASK_MS } from '../../src/node/payments.js';
import { TON, endScene, scene } from './scene.js';
import { until } from './world.js';

/** A raw partner proving a real wallet that never acknowledges: each connect() dials, proves and resumes a new link. */
function rawPartner(addr: string) {
  const key = newKeyPair();
  const wallet = walletAddress('v5r1', key.publicKey);
  const peers: RawPeer[] = [];
  const connect = async () => {
    const raw = await RawPeer.dial(addr);
    peers.push(raw);
    await raw.handshake(key, wallet);
    raw.resume();
    return raw;
  };
  const stop = async () => {
    for (const p of peers) await p.stop();
  };
  return { key, wallet, connect, stop };
}

test('a partner reconnecting without ever acknowledging does not grow the outbox: the proposal waits there once', () =>
  withVictim(async (_world, vic, addr) => {
    const { wallet, connect, stop } = rawPartner(addr);
    type Inner = { sessions: { get(w: string): { pending: number } | null } };
    const session = () => (vic.node.node as unknown as Inner).sessions.get(wallet.toRawString());
    try {
      await connect();
      await until(() => vic.node.partners().some((p) => p.online), 'the partner online');
      await vic.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: wallet.toString() });
      await until(() => session()!.pending === 1, 'the proposal in the outbox');
      for (let i = 0; i < 10; i++) {
        const raw = await connect();
        await until(() => raw.dataIn().some((m) => m.type === 'channel.propose'), `reconnection ${i + 1}: the proposal resent`);
      }
      assert.equal(session()!.pending, 1, 'one proposal waits for its acknowledgement, however many reconnections');
    } finally {
      await stop();
    }
  }));

test('far-ahead proposals from a partner that never acknowledges: one resync request waits in the outbox, not one every RESYNC_ASK_MS', async () => {
  const s = await scene();
  await s.mallory.stop(); // her session would take her wallet's link back (and acknowledge everything)
  const raw = await RawPeer.dial(s.vicAddr);
  try {
    await raw.handshake(s.mallory.keyPair, s.mallory.address);
    raw.resume();
    const far = s.mallory.propose(s.known, s.mallory.next(s.known, { step: s.mallory.latest(s.known).state.step + 1000n }));
    const asks = () => raw.dataIn().filter((m) => m.type === 'resync.request').length;
    for (let i = 0; i < 4; i++) {
      raw.data(far);
      await until(() => asks() >= 1, 'the first resync request');
      await new Promise((r) => setTimeout(r, RESYNC_ASK_MS + 200));
    }
    raw.data(far);
    await until(() => raw.dataIn().filter((m) => m.type === 'error' && m.ref === 'state.propose').length >= 5, 'the answers to the 5 proposals');
    assert.equal(asks(), 1, 'the unacknowledged request is not asked again');
  } finally {
    await raw.stop();
    await endScene(s);
  }
});

test('a channel with no state: the reconnection and a far-ahead proposal ask for the same states once (one resync request waits)', () =>
  withVictim(async (_world, vic, addr) => {
    const { key, wallet, connect, stop } = rawPartner(addr);
    try {
      const first = await connect();
      await until(() => vic.node.partners().some((p) => p.online), 'the partner online');
      const { channelId } = await vic.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: wallet.toString() });
      await until(() => first.dataIn().some((m) => m.type === 'channel.propose'), 'the proposal');
      first.data({ type: 'channel.accept', channelId: BigInt(channelId) });
      await until(() => vic.node.channel(channelId)?.phase === 'funding', 'Vic deployed the contract');
      assert.equal(vic.node.channel(channelId)!.latest, null, 'no state yet');
      // The reconnection asks for the states after "nothing yet" (latestStep 0): it waits for an acknowledgement.
      const raw = await connect();
      await until(() => raw.dataIn().some((m) => m.type === 'resync.request'), 'the resync request of the reconnection');
      // Requests by their session seq: one resent on a resume keeps its seq, a second request has its own.
      const asks = () => new Set(raw.received.flatMap((m) => (m.type === 'session.data' && m.msg.type === 'resync.request' ? [m.seq] : []))).size;
      assert.equal(asks(), 1);
      // A proposal far ahead asks for the same states: the same request, already waiting.
      const contract = Address.parse(vic.node.channel(channelId)!.contract);
      const far: ChannelState = { tag: 'state', channel: contract, step: 5n, balanceA: TON('1'), balanceB: TON('1') };
      raw.data({ type: 'state.propose', contract: contract.toRawString(), state: stateToBase64(far), signature: sign(stateHash(far), key.secretKey).toString('hex') });
      await until(() => raw.dataIn().some((m) => m.type === 'error' && m.ref === 'state.propose'), 'the answer to the far-ahead proposal');
      assert.equal(asks(), 1, 'no second resync request waits beside the first');
    } finally {
      await stop();
    }
  }));
