// Measures how long one guest() of test/p2p/sessions.test.ts takes (the 'idle peers' test needs g2's guest()
// to finish within idleTimeoutMs=300 of g1's last activity, or node.session(g1) is gone before first(...) runs).
import { test } from 'node:test';
import { makeNode, newWallet, RawPeer, tempDir, until } from '../../test/p2p/helpers.js';

test('guest() durations', async () => {
  const dir = await tempDir();
  const { node } = await makeNode(dir.path, newWallet(), { idleTimeoutMs: 60_000 });
  const addr = (await node.serve(0, '127.0.0.1')).lan[0]!;
  const peers: RawPeer[] = [];
  const ms: number[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const wallet = newWallet();
      const peer = await RawPeer.dial(addr);
      peers.push(peer);
      await peer.open(wallet);
      await until(() => node.session(wallet.address)?.connected === true, 'the server session');
      ms.push(Math.round(performance.now() - t0));
    }
    console.log(`guest() ms: ${ms.join(' ')}`);
  } finally {
    for (const p of peers) await p.stop().catch(() => undefined);
    await node.stop();
    await dir.cleanup();
  }
});
