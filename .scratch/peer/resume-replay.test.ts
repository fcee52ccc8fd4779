// A stranger that never acknowledges makes the node keep its error answers in the session outbox, then sends
// session.resume again and again on ONE stream: each resume makes the node resend the whole outbox.
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { walletAddress } from '../../src/chain/wallets.js';
import { newKeyPair } from '../../src/core/signer.js';
import { RawPeer } from '../../test/adversary/raw.js';
import { World, until } from '../../test/adversary/world.js';

test('session.resume replays the whole unacknowledged outbox each time', async (t) => {
  const world = await World.create();
  const vic = await world.node('vic');
  const addr = (await vic.node.serve(0, '127.0.0.1')).lan[0]!;
  const key = newKeyPair();
  const wallet = walletAddress('v5r1', key.publicKey);
  const eve = await RawPeer.dial(addr);
  try {
    await eve.handshake(key, wallet);
    eve.resume();
    const fake = Address.parse(`0:${randomBytes(32).toString('hex')}`).toString();
    for (let i = 0; i < 20; i++) eve.data({ type: 'deposit', contract: fake, party: 'A', amount: 1n });
    await until(() => eve.dataIn().length >= 20, 'the 20 error answers', 20_000);
    const outbox = eve.dataIn().length;
    const outBytes = eve.bytesIn;
    t.diagnostic(`outbox: ${outbox} answers, ${outBytes} bytes received so far`);
    const before = eve.bytesIn;
    const N = 900; // under the per-peer frame burst (1000)
    let sentBytes = 0;
    const t0 = Date.now();
    for (let i = 0; i < N; i++) {
      const f = { type: 'session.resume' as const, session: 'ab'.repeat(16), peerSession: '', received: 0, base: 21 };
      sentBytes += JSON.stringify(f).length + 4;
      eve.send(f);
    }
    await until(() => eve.bytesIn - before >= N * (outBytes / 2), 'replays', 30_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    const got = eve.bytesIn - before;
    t.diagnostic(`${N} session.resume frames (~${sentBytes} bytes) on one stream -> ${got} bytes back in ${Date.now() - t0} ms (x${(got / sentBytes).toFixed(1)}); stream open: ${eve.open}`);
  } finally {
    await eve.stop();
    await world.close();
  }
});
