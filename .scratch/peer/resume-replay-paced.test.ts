// Paced variant: resumes sent under the frame rate (400/s) and in small batches so the write buffer never trips:
// sustained outgoing traffic from a stranger with a 20-answer outbox.
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { walletAddress } from '../../src/chain/wallets.js';
import { newKeyPair } from '../../src/core/signer.js';
import { RawPeer } from '../../test/adversary/raw.js';
import { World, until } from '../../test/adversary/world.js';

test('paced session.resume flood: sustained replay traffic', async (t) => {
  const world = await World.create();
  const vic = await world.node('vic');
  const addr = (await vic.node.serve(0, '127.0.0.1')).lan[0]!;
  const key = newKeyPair();
  const eve = await RawPeer.dial(addr);
  try {
    await eve.handshake(key, walletAddress('v5r1', key.publicKey));
    eve.resume();
    const fake = Address.parse(`0:${randomBytes(32).toString('hex')}`).toString();
    for (let i = 0; i < 20; i++) eve.data({ type: 'deposit', contract: fake, party: 'A', amount: 1n });
    await until(() => eve.dataIn().length >= 20, 'the 20 error answers', 20_000);
    const before = eve.bytesIn;
    const ev0 = vic.events.length;
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    let sent = 0;
    while (Date.now() - t0 < 8000 && eve.open) {
      for (let i = 0; i < 20; i++) {
        eve.send({ type: 'session.resume', session: 'ab'.repeat(16), peerSession: '', received: 0, base: 21 });
        sent++;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const secs = (Date.now() - t0) / 1000;
    const got = eve.bytesIn - before;
    const cpu = process.cpuUsage(cpu0);
    const kinds: Record<string, number> = {};
    for (const e of vic.events.slice(ev0)) kinds[e.type] = (kinds[e.type] ?? 0) + 1;
    t.diagnostic(`victim events during the flood: ${JSON.stringify(kinds)}`);
    t.diagnostic(`${sent} resumes (${(sent * 115 / 1024).toFixed(0)} KiB) in ${secs.toFixed(1)} s -> ${(got / 1048576).toFixed(1)} MiB back (${(got / secs / 1048576).toFixed(2)} MiB/s); process CPU ${(cpu.user + cpu.system) / 1e6} s; open ${eve.open}`);
  } finally {
    await eve.stop();
    await world.close();
  }
});
