// Mechanism demo for test/p2p/sessions.test.ts 'idle peers without a channel are dropped…' (idleTimeoutMs 300):
// the same steps, with g2's guest() taking SLOW_MS longer (as on a loaded machine). When g1 has been idle for
// 300 ms (+ up to one 75 ms sweep) before `first(node.session(g1)!, 'closed')` runs, node.session(g1) is
// undefined and the test dies with a TypeError instead of checking anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { P2PNode } from '../../src/p2p/index.js';
import { first, makeNode, newWallet, RawPeer, tempDir, until, type Wallet } from '../../test/p2p/helpers.js';

const SLOW_MS = Number(process.env.SLOW_MS ?? 350);

async function guest(addr: string, peers: RawPeer[], node: P2PNode, wallet: Wallet = newWallet()) {
  const peer = await RawPeer.dial(addr);
  peers.push(peer);
  await peer.open(wallet);
  await until(() => node.session(wallet.address)?.connected === true, 'the server session');
  return { peer, wallet };
}

test(`idle guests, with g2's guest() ${SLOW_MS} ms slower`, async () => {
  const partner = newWallet();
  const dir = await tempDir();
  const { node } = await makeNode(dir.path, newWallet(), { idleTimeoutMs: 300, isPartner: (a) => a.equals(partner.address) });
  const addr = (await node.serve(0, '127.0.0.1')).lan[0]!;
  const peers: RawPeer[] = [];
  try {
    await guest(addr, peers, node, partner);
    const g1 = await guest(addr, peers, node);
    await new Promise((r) => setTimeout(r, SLOW_MS)); // what a loaded machine adds to the next guest()
    await guest(addr, peers, node);
    const closed = first<string>(node.session(g1.wallet.address)!, 'closed'); // the line of sessions.test.ts:45
    assert.match(await closed, /idle/);
  } finally {
    for (const p of peers) await p.stop().catch(() => undefined);
    await node.stop();
    await dir.cleanup();
  }
});
