// Shared by the session tests (sessions, sessions-flow, sessions-outbox): a served node with raw peers dialing it,
// a guest's handshake, and a message to send.
import type { Address } from '@ton/core';
import type { AppMessage } from '../../src/core/wire.js';
import type { P2PNode, P2PNodeOptions } from '../../src/p2p/index.js';
import { makeNode, newWallet, RawPeer, tempDir, until, type Wallet } from './helpers.js';

export const turn = (i: number): AppMessage => ({ type: 'turn.request', contract: '0:' + '33'.repeat(32), step: BigInt(i) });

export async function withServer(extra: Partial<P2PNodeOptions>, body: (node: P2PNode, addr: string, peers: RawPeer[]) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const { node } = await makeNode(dir.path, newWallet(), extra);
  const addr = (await node.serve(0, '127.0.0.1')).lan[0]!;
  const peers: RawPeer[] = [];
  try {
    await body(node, addr, peers);
  } finally {
    for (const p of peers) await p.stop().catch(() => undefined);
    await node.stop();
    await dir.cleanup();
  }
}

export async function guest(addr: string, peers: RawPeer[], node: P2PNode, wallet: Wallet = newWallet(), localAddress?: string): Promise<{ peer: RawPeer; wallet: Wallet }> {
  const peer = await RawPeer.dial(addr, localAddress ? { localAddress } : {});
  peers.push(peer);
  await peer.open(wallet);
  await until(() => node.session(wallet.address)?.connected === true, 'the server session');
  return { peer, wallet };
}

export const has = (node: P2PNode, a: Address) => node.sessions().some((s) => s.partner.walletAddress.equals(a));
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
