// A partner with a real channel that never acknowledges: (1) resync answers pile up in the victim's outbox and
// every session.resume replays them; (2) far-ahead proposals fill the outbox to MAX_OUTBOX, then every further
// send fails and is logged (one 'warn' log event per message, unbounded).
import { test } from 'node:test';
import { Address } from '@ton/core';
import type { PeerSession } from '../../src/p2p/index.js';
import { RawPeer } from '../../test/adversary/raw.js';
import { endScene, honestStillPays, scene } from '../../test/adversary/scene.js';
import { until } from '../../test/adversary/world.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('partner without acks: resync answers kept and replayed; far-ahead flood past MAX_OUTBOX', async (t) => {
  const s = await scene({ payments: 35 });
  const malAddr = Address.parse(s.mallory.address.toString());
  const key = s.mallory.keyPair;
  await s.mallory.p2p.stop();
  const sess = () => (s.vic.node as unknown as { sessions: { get(w: string): PeerSession | null } }).sessions.get(malAddr.toRawString())!;
  const outboxBytes = () => ((sess() as unknown as { outbox: { frame: Buffer }[] }).outbox).reduce((k, p) => k + p.frame.length, 0);
  const eve = await RawPeer.dial(s.vicAddr);
  try {
    await eve.handshake(key, malAddr);
    eve.resume();
    await sleep(500);
    // (1) resync requests, never acknowledged
    for (let i = 0; i < 40; i++) eve.data({ type: 'resync.request', contract: s.known.contract, latestStep: 0n });
    await sleep(6000);
    t.diagnostic(`history ${s.known.states.length} states; after 40 resync.request + 6 s: victim outbox ${sess().pending} msgs, ${(outboxBytes() / 1024).toFixed(0)} KiB`);
    const before = eve.bytesIn;
    const ev0 = s.vic.events.length;
    const ob0 = sess().pending;
    const t0 = Date.now();
    let sent = 0;
    while (Date.now() - t0 < 3000 && eve.open) {
      eve.send({ type: 'session.resume', session: 'cd'.repeat(16), peerSession: '', received: 0, base: 41 });
      sent++;
      await sleep(20);
    }
    t.diagnostic(`${sent} resumes over ${Date.now() - t0} ms -> ${((eve.bytesIn - before) / 1048576).toFixed(1)} MiB back; stream open ${eve.open}`);
    const kinds: Record<string, number> = {};
    for (const e of s.vic.events.slice(ev0)) kinds[e.type] = (kinds[e.type] ?? 0) + 1;
    t.diagnostic(`during resumes: victim outbox ${ob0} -> ${sess().pending} msgs (${(outboxBytes() / 1024).toFixed(0)} KiB); events ${JSON.stringify(kinds)}`);
    // reconnect as a fresh raw peer (a replay larger than the write buffer aborts the stream)
    await eve.stop();
    const eve2 = await RawPeer.dial(s.vicAddr);
    try {
      await eve2.handshake(key, malAddr);
      eve2.send({ type: 'session.resume', session: 'cd'.repeat(16), peerSession: '', received: 0, base: 41 });
      await sleep(1500);
      t.diagnostic(`reconnect: victim outbox ${sess().pending} msgs ${(outboxBytes() / 1024).toFixed(0)} KiB; got ${(eve2.bytesIn / 1024).toFixed(0)} KiB; stream open ${eve2.open}`);
      // (2) far-ahead proposals
      const far = s.mallory.propose(s.known, s.mallory.next(s.known, { step: s.mallory.latest(s.known).state.step + 1001n }));
      const logs0 = s.vic.events.length;
      const N = 12_000;
      const t1 = Date.now();
      for (let i = 0; i < N; i++) {
        eve2.data(far, 41 + i);
        if (i % 100 === 99) await sleep(40);
        if (!eve2.open) break;
      }
      await sleep(4000);
      const ev = s.vic.events.slice(logs0);
      const notDelivered = ev.filter((e) => e.type === 'log' && /could not deliver/.test(e.message)).length;
      const errs = ev.filter((e) => e.type === 'error').length;
      t.diagnostic(`${N} far-ahead proposals in ${Date.now() - t1} ms: victim outbox ${sess().pending} msgs ${(outboxBytes() / 1048576).toFixed(1)} MiB; ${notDelivered} 'could not deliver' log events, ${errs} error events, ${ev.length} events in all; rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
      const h = await honestStillPays(s);
      t.diagnostic(`Hal still pays: ${h} states`);
    } finally {
      await eve2.stop();
    }
  } finally {
    await eve.stop();
    await endScene(s);
  }
});
