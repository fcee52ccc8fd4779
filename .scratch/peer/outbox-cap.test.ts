// Far-ahead proposals from a partner that never acknowledges: the victim's outbox reaches MAX_OUTBOX; what then?
import { test } from 'node:test';
import { Address } from '@ton/core';
import type { PeerSession } from '../../src/p2p/index.js';
import { RawPeer } from '../../test/adversary/raw.js';
import { endScene, honestStillPays, scene } from '../../test/adversary/scene.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('far-ahead flood past MAX_OUTBOX', async (t) => {
  const s = await scene({ payments: 2 });
  const malAddr = Address.parse(s.mallory.address.toString());
  await s.mallory.p2p.stop();
  const sess = () => (s.vic.node as unknown as { sessions: { get(w: string): PeerSession | null } }).sessions.get(malAddr.toRawString())!;
  const outboxBytes = () => (sess() as unknown as { outbox: { frame: Buffer }[] }).outbox.reduce((k, p) => k + p.frame.length, 0);
  const eve = await RawPeer.dial(s.vicAddr);
  try {
    await eve.handshake(s.mallory.keyPair, malAddr);
    eve.resume();
    await sleep(300);
    const far = s.mallory.propose(s.known, s.mallory.next(s.known, { step: s.mallory.latest(s.known).state.step + 1001n }));
    const ev0 = s.vic.events.length;
    const N = 16_000;
    const t1 = Date.now();
    for (let i = 0; i < N; i++) {
      eve.data(far, 1 + i);
      if (i % 100 === 99) await sleep(40);
    }
    await sleep(3000);
    const ev = s.vic.events.slice(ev0);
    const kinds: Record<string, number> = {};
    for (const e of ev) kinds[e.type === 'log' ? `log:${e.message.slice(0, 40)}` : e.type] = (kinds[e.type === 'log' ? `log:${e.message.slice(0, 40)}` : e.type] ?? 0) + 1;
    t.diagnostic(`${N} far-ahead proposals in ${Date.now() - t1} ms: victim outbox ${sess().pending} msgs ${(outboxBytes() / 1048576).toFixed(2)} MiB; events ${JSON.stringify(kinds)}; got ${(eve.bytesIn / 1048576).toFixed(1)} MiB`);
    await eve.stop();
    const eve2 = await RawPeer.dial(s.vicAddr);
    await eve2.handshake(s.mallory.keyPair, malAddr);
    eve2.resume();
    await sleep(3000);
    t.diagnostic(`reconnect + resume: got ${(eve2.bytesIn / 1048576).toFixed(2)} MiB; stream open ${eve2.open}; victim session connected ${sess().connected}`);
    await eve2.stop();
    t.diagnostic(`Hal still pays: ${await honestStillPays(s)} states`);
  } finally {
    await eve.stop();
    await endScene(s);
  }
});
