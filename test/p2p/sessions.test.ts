// Sessions against careless and hostile peers: idle guests without a channel are dropped and bounded,
// partners are kept; a SEQ_GAP error reaches the partner; the inbox of a session with no listener is
// bounded (flow control, nothing lost); listeners can neither block nor break a session.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Address } from '@ton/core';
import type { AppMessage } from '../../src/core/wire.js';
import { MAX_GUEST_UNACKED } from '../../src/p2p/guests.js';
import { MAX_INBOX, MAX_OUTBOX_BYTES, P2PError, type P2PNode, type P2PNodeOptions, type PeerSession } from '../../src/p2p/index.js';
import { encodeFrame } from '../../src/p2p/frames.js';
import { STATE_B64 } from '../fuzz/samples.js';
import { first, makeNode, newWallet, RawPeer, tempDir, until, type Wallet } from './helpers.js';

const turn = (i: number): AppMessage => ({ type: 'turn.request', contract: '0:' + '33'.repeat(32), step: BigInt(i) });

async function withServer(extra: Partial<P2PNodeOptions>, body: (node: P2PNode, addr: string, peers: RawPeer[]) => Promise<void>): Promise<void> {
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

async function guest(addr: string, peers: RawPeer[], node: P2PNode, wallet: Wallet = newWallet(), localAddress?: string): Promise<{ peer: RawPeer; wallet: Wallet }> {
  const peer = await RawPeer.dial(addr, localAddress ? { localAddress } : {});
  peers.push(peer);
  await peer.open(wallet);
  await until(() => node.session(wallet.address)?.connected === true, 'the server session');
  return { peer, wallet };
}

const has = (node: P2PNode, a: Address) => node.sessions().some((s) => s.partner.walletAddress.equals(a));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

describe('session flow', () => {
  test('a sequence gap is answered with SEQ_GAP before the stream closes', async () => {
    await withServer({}, async (node, addr, peers) => {
      const { peer, wallet } = await guest(addr, peers, node);
      peer.send({ type: 'session.data', seq: 5, msg: turn(5) });
      const err = await peer.next('error');
      assert.equal(err.code, 'SEQ_GAP');
      assert.match(err.message, /expected seq 1, got 5/);
      await until(() => peer.closed, 'the stream to close');
      assert.equal(node.session(wallet.address)!.connected, false);
    });
  });

  test("a message this version cannot read (a newer peer's) is answered, acknowledged and passed over: the session goes on", async () => {
    await withServer({}, async (node, addr, peers) => {
      const { peer, wallet } = await guest(addr, peers, node);
      const got: AppMessage[] = [];
      node.session(wallet.address)!.on('message', (m) => got.push(m));
      const raw = (o: unknown) => peer.sendRaw(encodeFrame(JSON.stringify(o)));
      // a message type it does not know, then a known type with a field it does not know
      raw({ type: 'session.data', seq: 1, msg: { type: 'channel.splice', contract: '0:' + '33'.repeat(32) } });
      raw({ type: 'session.data', seq: 2, msg: { type: 'turn.request', contract: '0:' + '33'.repeat(32), step: '2', hurry: true } });
      peer.send({ type: 'session.data', seq: 3, msg: turn(3) });
      await until(() => got.length === 1, 'the message after them delivered');
      assert.equal(got[0]!.type === 'turn.request' && got[0]!.step, 3n);
      const errors = peer.received.filter((m) => m.type === 'error');
      assert.deepEqual(errors.map((e) => [e.code, e.ref]), [['WIRE_UNKNOWN_TYPE', 'channel.splice'], ['WIRE_INVALID', 'turn.request']]);
      // acknowledged: the peer need not send them again, and the stream stays
      await until(() => peer.received.some((m) => m.type === 'session.ack' && m.seq === 3), 'seq 3 acknowledged');
      assert.equal(peer.closed, false);
      assert.equal(node.session(wallet.address)!.connected, true);
    });
  });

  test('a second session.resume on one stream is refused and ends it: the outbox is not sent again, no second connected', async () => {
    await withServer({}, async (node, addr, peers) => {
      const { peer, wallet } = await guest(addr, peers, node);
      const s = node.session(wallet.address)!;
      let connected = 0;
      s.on('connected', () => connected++);
      // 20 messages the peer never acknowledges: they stay in the outbox
      for (let i = 0; i < 20; i++) void s.send(turn(i)).catch(() => undefined);
      const data = () => peer.received.filter((m) => m.type === 'session.data').length;
      await until(() => data() >= 20, 'the 20 messages');
      const resume = { type: 'session.resume' as const, session: 'ab'.repeat(16), peerSession: '', received: 0, base: 1 };
      for (let i = 0; i < 30; i++) peer.send(resume);
      const err = await peer.next('error');
      assert.equal(err.code, 'UNEXPECTED_MESSAGE');
      assert.match(err.message, /session\.resume/);
      await until(() => peer.closed, 'the stream to close');
      assert.equal(data(), 20, 'the outbox went out once');
      assert.equal(connected, 0, 'no connected event for a resume on a resumed stream');
    });
  });

  test('a wallet re-handshaking on new streams in a loop takes its session over a bounded number of times: the outbox is not resent for each', async () => {
    await withServer({ reattachRateLimit: { perSecond: 0.01, burst: 3 } }, async (node, addr, peers) => {
      const { peer, wallet } = await guest(addr, peers, node);
      const s = node.session(wallet.address)!;
      for (let i = 0; i < 20; i++) void s.send(turn(i)).catch(() => undefined);
      const data = (p: RawPeer) => p.received.filter((m) => m.type === 'session.data').length;
      await until(() => data(peer) >= 20, 'the 20 messages');
      const again: RawPeer[] = [];
      for (let i = 0; i < 6; i++) {
        const p = await RawPeer.another(peer, addr);
        again.push(p);
        p.hello(wallet);
        await p.prove(wallet);
        await p.next('proof');
        await until(() => p.received.some((m) => m.type === 'session.resume' || m.type === 'error'), 'a resume or a refusal');
        const resume = p.received.find((m) => m.type === 'session.resume');
        if (resume) p.send({ type: 'session.resume', session: 'ab'.repeat(16), peerSession: resume.session, received: 0, base: 1 });
        await until(() => data(p) >= 20 || p.received.some((m) => m.type === 'error'), 'the outbox or a refusal');
      }
      // 3 takeovers (the burst) resend the outbox; the other 3 streams are refused and say when to come back
      assert.deepEqual(again.map((p) => data(p)), [20, 20, 20, 0, 0, 0]);
      const refused = again.slice(3).map((p) => p.received.find((m) => m.type === 'error') as { code: string; message: string } | undefined);
      for (const e of refused) assert.match(`${e?.code} ${e?.message}`, /^RATE_LIMITED this wallet reconnected too often: connect again in \d+ s$/);
      // the last stream that took over still carries the session
      void s.send(turn(99)).catch(() => undefined);
      await until(() => data(again[2]!) === 21, 'a new message on the session');
    });
  });

  test('an unacknowledged outbox is bounded in bytes (OUTBOX_FULL past MAX_OUTBOX_BYTES), reaches a reading peer whole, and takes sends again once acknowledged', async () => {
    await withServer({}, async (node, addr, peers) => {
      const { peer, wallet } = await guest(addr, peers, node);
      const s = node.session(wallet.address)!;
      // the largest message a node sends: a resync answer with a full window of states
      const states = Array.from({ length: 64 }, (_, i) => ({ state: STATE_B64[i % STATE_B64.length]!, sigA: 'ab'.repeat(64), sigB: 'cd'.repeat(64) }));
      const big: AppMessage = { type: 'resync.response', contract: '0:' + '33'.repeat(32), states };
      let accepted = 0;
      let refused: unknown;
      const most = Math.ceil(MAX_OUTBOX_BYTES / 10_000) + 10;
      for (let i = 0; i < most && !refused; i++) {
        s.send(big).then(
          () => undefined,
          (e: unknown) => (refused ??= e),
        );
        await Promise.resolve();
        if (!refused) accepted++;
      }
      await until(() => refused !== undefined, 'a send to be refused');
      assert.ok(refused instanceof P2PError && refused.code === 'OUTBOX_FULL', String(refused));
      assert.match((refused as Error).message, /unacknowledged/);
      assert.ok(s.pendingBytes <= MAX_OUTBOX_BYTES, `${s.pendingBytes} bytes held`);
      assert.ok(accepted < most - 10, `${accepted} sends accepted`);
      // Once the partner acknowledges what it received, the node sends again.
      const data = () => peer.received.filter((m) => m.type === 'session.data').length;
      // 16 MiB is far more than the stream buffers: it follows the peer's reading, the stream is not reset.
      await until(() => data() >= s.pending, 'the held messages to arrive');
      assert.equal(s.connected, true);
      peer.send({ type: 'session.ack', seq: data() });
      await until(() => s.pending === 0, 'the acknowledgement');
      assert.equal(s.pendingBytes, 0);
      const next = s.send(big);
      await until(() => data() > accepted, 'the next message');
      peer.send({ type: 'session.ack', seq: data() });
      await next;
    });
  });

  test('SEQ_GAP is delivered even when it waits behind unsent data (the partner reads slowly)', async () => {
    await withServer({}, async (node, addr, peers) => {
      const wallet = newWallet();
      const peer = await RawPeer.dial(addr, { maxWindow: 256 * 1024 });
      peers.push(peer);
      await peer.open(wallet);
      await until(() => node.session(wallet.address)?.connected === true, 'the server session');
      const s = node.session(wallet.address)!;
      peer.stream.pause(); // the server's writes queue up once the peer's 256 KiB window is used
      const N = 2_500; // ~400 KB of session.data
      const sends = Array.from({ length: N }, (_, i) => s.send({ type: 'channel.reject', channelId: BigInt(i), reason: 'x'.repeat(100) }).catch(() => undefined));
      peer.send({ type: 'session.data', seq: 7, msg: turn(7) });
      await pause(300);
      peer.stream.resume();
      const err = await peer.next('error');
      assert.equal(err.code, 'SEQ_GAP');
      assert.ok(peer.received.filter((m) => m.type === 'session.data').length > 0);
      void sends;
    });
  });

  test('a partner over the frame rate is slowed, not dropped: every message arrives once, in order, without a reconnect', async () => {
    await withServer({ rateLimit: { perSecond: 200, burst: 40 } }, async (server, addr) => {
      const d = await tempDir();
      const { node } = await makeNode(d.path);
      try {
        const incoming = first<PeerSession>(server, 'session');
        const c = await node.connect(addr);
        const s = await incoming;
        const remoteErrors: string[] = [];
        c.on('remote-error', (e) => remoteErrors.push(e.code));
        let drops = 0;
        c.on('disconnected', () => drops++);
        const got: bigint[] = [];
        s.on('message', (m) => m.type === 'turn.request' && got.push(m.step));
        const N = 150;
        await Promise.all(Array.from({ length: N }, (_, i) => c.send(turn(i + 1))));
        assert.deepEqual(got, Array.from({ length: N }, (_, i) => BigInt(i + 1)));
        assert.ok(server.stats.quotaPauses > 0, 'the partner was paused');
        assert.equal(server.stats.rateLimited, 0, 'nothing was dropped');
        assert.deepEqual(remoteErrors, []);
        assert.equal(drops, 0);
      } finally {
        await node.stop();
        await d.cleanup();
      }
    });
  });

  test("a partner's frame quota follows its wallet: reconnecting with a new peer id does not refill it", async () => {
    const w = newWallet();
    const slow = { perSecond: 1, burst: 10 };
    await withServer({ rateLimit: slow, partnerRateLimit: { perSecond: 1, burst: 40 }, isPartner: (a) => a.equals(w.address) }, async (server, addr) => {
      const got: bigint[] = [];
      const listen = (s: PeerSession) => s.on('message', (m) => m.type === 'turn.request' && got.push(m.step));
      server.on('session', listen);
      /** A node of wallet `w` with a peer id of its own sends `n` messages; returns how many arrived. */
      const burst = async (from: number, n: number): Promise<number> => {
        const d = await tempDir();
        const { node } = await makeNode(d.path, w);
        const before = got.length;
        try {
          const c = await node.connect(addr);
          for (let i = 0; i < n; i++) void c.send(turn(from + i)).catch(() => undefined);
          await until(() => got.length - before >= 10, 'the first messages');
          await pause(1500); // the rest wait for the quota: about one more a second
          return got.length - before;
        } finally {
          await node.stop();
          await d.cleanup();
        }
      };
      const first = await burst(1, 100);
      assert.ok(first >= 45 && first <= 60, `the peer and partner bursts: ${first}`);
      const second = await burst(1001, 100);
      assert.ok(second <= 25, `a new peer id of the same wallet got ${second} messages through`);
    });
  });

  test('a session without a listener holds at most MAX_INBOX messages, pauses the partner, and loses nothing', async () => {
    await withServer({ rateLimit: { perSecond: 10_000, burst: 10_000 } }, async (node, addr, peers) => {
      const wallet = newWallet();
      const peer = await RawPeer.dial(addr);
      peers.push(peer);
      await peer.open(wallet);
      const N = MAX_INBOX + 500;
      for (let i = 1; i <= N; i++) peer.send({ type: 'session.data', seq: i, msg: turn(i) });
      await until(() => node.session(wallet.address)?.inboxLength === MAX_INBOX, 'the inbox to fill');
      await pause(200);
      const s = node.session(wallet.address)!;
      assert.equal(s.inboxLength, MAX_INBOX, 'no more than MAX_INBOX held');
      const got: bigint[] = [];
      s.on('message', (m) => m.type === 'turn.request' && got.push(m.step));
      await until(() => got.length === N, 'every message once the listener is there');
      assert.deepEqual(got, Array.from({ length: N }, (_, i) => BigInt(i + 1)));
      assert.equal(s.inboxLength, 0);
    });
  });

  test('listeners that throw, reject or never finish neither block nor break the session', async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    const dir = await tempDir();
    const { node: client } = await makeNode(dir.path);
    try {
      await withServer({}, async (server, addr) => {
        server.on('session', () => {
          throw new Error('a node bug in the session listener');
        });
        const incoming = first<PeerSession>(server, 'session');
        const c = await client.connect(addr);
        const s = await incoming;
        const got: bigint[] = [];
        s.on('connected', () => {
          throw new Error('a node bug in the connected listener');
        });
        s.on('message', () => new Promise<void>(() => undefined)); // never settles
        s.on('message', async () => {
          throw new Error('a node bug in an async handler');
        });
        s.on('message', (m) => m.type === 'turn.request' && got.push(m.step));
        await Promise.all([1, 2, 3].map((i) => c.send(turn(i))));
        client.dropConnections(); // a resume emits 'connected' again on the server
        await until(() => s.connected && c.connected, 'the reconnect');
        await Promise.all([4, 5].map((i) => c.send(turn(i))));
        await until(() => got.length === 5, 'all messages');
        assert.deepEqual(got, [1n, 2n, 3n, 4n, 5n]);
        await pause(50);
        assert.deepEqual(rejections, []);
      });
    } finally {
      process.off('unhandledRejection', onRejection);
      await client.stop();
      await dir.cleanup();
    }
  });
});
