// Sessions against careless and hostile peers: idle guests without a channel are dropped and bounded, partners are
// kept (sessions-flow.test.ts and sessions-outbox.test.ts: a session's flow).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_GUEST_UNACKED } from '../../src/p2p/guests.js';
import { first, makeNode, newWallet, RawPeer, tempDir, until, type Wallet } from './helpers.js';
import { turn, withServer, guest, has, pause } from './session-setups.js';

describe('guest sessions', () => {
  test('idle peers without a channel are dropped and told why; partners stay however idle', async () => {
    const partner = newWallet();
    // 1 s idle: making a guest takes up to ~0.5 s on a loaded machine; g1's 'closed' is listened for at once
    await withServer({ idleTimeoutMs: 1_000, isPartner: (a) => a.equals(partner.address) }, async (node, addr, peers) => {
      const p = await guest(addr, peers, node, partner);
      const g1 = await guest(addr, peers, node);
      const closed = first<string>(node.session(g1.wallet.address)!, 'closed');
      const g2 = await guest(addr, peers, node);
      await until(() => !has(node, g1.wallet.address) && !has(node, g2.wallet.address), 'idle guests to be dropped', 10_000);
      assert.match(await closed, /idle/);
      const err = await g1.peer.next('error');
      assert.equal(err.code, 'SESSION_DROPPED');
      await until(() => g1.peer.closed && g2.peer.closed, 'the guests to be disconnected');
      assert.ok(has(node, p.wallet.address), 'the partner is kept');
      assert.ok(node.session(p.wallet.address)!.connected);
      assert.equal(node.stats.guestsDropped, 2);
      // nothing of the dropped guests is left behind
      await until(() => node.pendingConnections().total === 0, 'their connections to be closed', 10_000);
    });
  });

  test('a guest that leaves many messages unacknowledged is dropped; a partner is not', async () => {
    const partner = newWallet();
    // sweeps every 2 s; sending to a guest keeps it active, so only the unacknowledged messages drop it
    await withServer({ idleTimeoutMs: 8_000, isPartner: (a) => a.equals(partner.address) }, async (node, addr, peers) => {
      const p = await guest(addr, peers, node, partner);
      const g = await guest(addr, peers, node);
      const closed = first<string>(node.session(g.wallet.address)!, 'closed');
      for (const w of [p.wallet, g.wallet]) for (let i = 0; i <= MAX_GUEST_UNACKED; i++) void node.session(w.address)!.send(turn(i)).catch(() => undefined);
      await until(() => !has(node, g.wallet.address), 'the guest to be dropped', 6_000);
      assert.match(await closed, /messages to it are unacknowledged/);
      assert.ok(has(node, p.wallet.address), 'the partner is kept');
      assert.equal(node.session(p.wallet.address)!.unacknowledged, MAX_GUEST_UNACKED + 1);
    });
  });

  test('guest sessions are bounded: a new one drops the least recently active', async () => {
    const partner = newWallet();
    await withServer({ maxGuestSessions: 3 }, async (node, addr, peers) => {
      node.setIsPartner((a) => a.equals(partner.address)); // set after creation, as a node that starts later does
      await guest(addr, peers, node, partner);
      const g: { peer: RawPeer; wallet: Wallet }[] = [];
      for (let i = 0; i < 3; i++) {
        g.push(await guest(addr, peers, node));
        await pause(5);
      }
      // the first guest speaks: it is now the most recently active
      g[0]!.peer.send({ type: 'session.data', seq: 1, msg: turn(1) });
      await until(() => node.session(g[0]!.wallet.address)!.inboxLength === 1, 'the message');
      await pause(5);
      for (let i = 0; i < 2; i++) {
        g.push(await guest(addr, peers, node));
        await pause(5);
      }
      const kept = [0, 3, 4].map((i) => g[i]!.wallet.address);
      const gone = [1, 2].map((i) => g[i]!.wallet.address);
      await until(() => gone.every((a) => !has(node, a)), 'the least recently active guests to be dropped');
      for (const a of kept) assert.ok(has(node, a), `${a} kept`);
      assert.ok(has(node, partner.address), 'partners do not count');
      assert.equal(node.sessions().length, 4);
      // 300 throwaway wallets would be kept before; now a flood of them leaves at most 3
      for (let i = 0; i < 8; i++) await guest(addr, peers, node);
      assert.equal(node.sessions().length, 4);
    });
  });

  test('over the guest bound, the host with the most guests loses one: one machine cannot push out others', async () => {
    await withServer({ maxGuestSessions: 4 }, async (node, addr, peers) => {
      const other = await guest(addr, peers, node, newWallet(), '127.0.0.30'); // the oldest and least active
      await pause(5);
      const crowd: { peer: RawPeer; wallet: Wallet }[] = [];
      for (let i = 0; i < 3; i++) {
        crowd.push(await guest(addr, peers, node));
        await pause(5);
      }
      const second = await guest(addr, peers, node, newWallet(), '127.0.0.30');
      await until(() => !has(node, crowd[0]!.wallet.address), 'the crowd host to lose its least recently active guest');
      assert.ok(has(node, other.wallet.address), 'the other host keeps its oldest guest');
      assert.ok(has(node, second.wallet.address));
      assert.equal(node.sessions().length, 4);
      assert.equal(node.session(other.wallet.address)!.remoteHost, '127.0.0.30');
    });
  });

  test('a guest to keep (keepGuest) outlasts a crowd from its own host; kept ones stand outside the cap only up to its size again', async () => {
    const held = newWallet();
    const keep = new Set([held.address.toRawString()]);
    await withServer({ maxGuestSessions: 2, keepGuest: (a) => keep.has(a.toRawString()) }, async (node, addr, peers) => {
      await guest(addr, peers, node, held); // the oldest and least active, on the crowd's host
      await pause(5);
      const crowd: { peer: RawPeer; wallet: Wallet }[] = [];
      for (let i = 0; i < 4; i++) crowd.push(await guest(addr, peers, node));
      await until(() => node.sessions().length === 3, 'the crowd to lose its least recently active');
      assert.ok(has(node, held.address), 'the guest to keep was dropped');
      // every guest to keep: still at most twice the cap
      for (const g of crowd) keep.add(g.wallet.address.toRawString());
      for (let i = 0; i < 4; i++) keep.add((await guest(addr, peers, node)).wallet.address.toRawString());
      await until(() => node.sessions().length === 4, 'guests beyond twice the cap to be dropped');
    });
  });

  test('a session this node dialed is never a guest', async () => {
    await withServer({ idleTimeoutMs: 200 }, async (server, addr) => {
      const d = await tempDir();
      const { node } = await makeNode(d.path, newWallet(), { idleTimeoutMs: 200 });
      try {
        const s = await node.connect(addr);
        // the server drops us (we are its guest); our session redials and carries on
        await until(() => server.stats.guestsDropped >= 1, 'the server to drop its guest', 10_000);
        await pause(400);
        assert.equal(s.isClosed, false);
        await until(() => s.connected, 'the redial');
        assert.equal(node.stats.guestsDropped, 0);
      } finally {
        await node.stop();
        await d.cleanup();
      }
    });
  });
});
