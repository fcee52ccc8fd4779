// A partner that reconnects again and again and never acknowledges: each reconnection made the node queue its
// proposal once more (channel.propose, like channel.accept and channel.deployed, was sent on every resume while one
// was still unacknowledged), so the session's outbox grew by one message per reconnection, all of it resent on
// each resume. Real libp2p on 127.0.0.1: the partner is a raw peer that proves a real wallet and never acks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { walletAddress } from '../../src/chain/wallets.js';
import { newKeyPair } from '../../src/core/signer.js';
import { withVictim } from './mallory.js';
import { RawPeer } from './raw.js';
import { TON } from './scene.js';
import { until } from './world.js';

test('a partner reconnecting without ever acknowledging does not grow the outbox: the proposal waits there once', () =>
  withVictim(async (_world, vic, addr) => {
    const key = newKeyPair();
    const wallet = walletAddress('v5r1', key.publicKey);
    type Inner = { sessions: { get(w: string): { pending: number } | null } };
    const session = () => (vic.node.node as unknown as Inner).sessions.get(wallet.toRawString());
    const peers: RawPeer[] = [];
    const connect = async () => {
      const raw = await RawPeer.dial(addr);
      peers.push(raw);
      await raw.handshake(key, wallet);
      raw.resume();
      return raw;
    };
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
      for (const p of peers) await p.stop();
    }
  }));
