// A session's flow against careless and hostile peers: the outbox and inbox are bounded (flow control, nothing
// lost), SEQ_GAP waits its turn, a partner over the frame rate is slowed, and listeners can neither block nor
// break a session.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppMessage } from '../../src/core/wire.js';
import { MAX_INBOX, MAX_OUTBOX_BYTES, P2PError, type PeerSession } from '../../src/p2p/index.js';
import { STATE_B64 } from '../fuzz/samples.js';
import { first, makeNode, newWallet, RawPeer, tempDir, until } from './helpers.js';
import { turn, withServer, guest, pause } from './session-setups.js';

describe('session flow', () => {
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
