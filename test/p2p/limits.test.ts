// Connection limits against silent sockets: an attacker on 127.0.0.2.. (Linux routes all of 127/8 to lo)
// holds TCP sockets open without a byte; honest peers on 127.0.0.1 must still get in.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { Stream } from '@libp2p/interface';
import { P2P_DEFAULTS, type P2PNode, type P2PNodeOptions } from '../../src/p2p/index.js';
import { makeNode, newWallet, RawPeer, tempDir, until } from './helpers.js';
import { loadDeps } from '../../src/p2p/deps.js';
import { SYNCHANNEL_PROTOCOL } from '../../src/p2p/index.js';

interface Attack {
  /** sockets the server closed on us */
  closedByServer: number;
  stop(): void;
}

/** `perHost` silent sockets from each of `hosts`, each reopened when the server drops it, until stopped. */
function silentAttack(port: number, hosts: string[], perHost: number, maxOpens = 2_000): Attack {
  const attack: Attack = { closedByServer: 0, stop: () => undefined };
  const sockets = new Set<Socket>();
  let stopped = false;
  let opens = 0;
  const openOne = (host: string): void => {
    if (stopped || opens++ >= maxOpens) return;
    const s = connect({ host: '127.0.0.1', port, localAddress: host });
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => {
      sockets.delete(s);
      if (stopped) return;
      attack.closedByServer++;
      setTimeout(() => openOne(host), 20);
    });
  };
  for (const h of hosts) for (let i = 0; i < perHost; i++) openOne(h);
  attack.stop = () => {
    stopped = true;
    for (const s of sockets) s.destroy();
  };
  return attack;
}

const hosts = (from: number, count: number) => Array.from({ length: count }, (_, i) => `127.0.0.${from + i}`);

async function server(extra: Partial<P2PNodeOptions> = {}): Promise<{ node: P2PNode; addr: string; port: number; cleanup: () => Promise<void> }> {
  const dir = await tempDir();
  const { node } = await makeNode(dir.path, newWallet(), extra);
  const addr = (await node.serve(0, '127.0.0.1')).lan[0]!;
  return {
    node,
    addr,
    port: Number(/tcp\/(\d+)/.exec(addr)![1]),
    cleanup: async () => {
      await node.stop();
      await dir.cleanup();
    },
  };
}

/** `count` honest peers on 127.0.0.1, one after the other, each with a fresh identity and wallet. */
async function honestPeers(addr: string, count: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < count; i++) {
    const d = await tempDir();
    const { node } = await makeNode(d.path);
    try {
      const s = await node.connect(addr, { timeoutMs: 8_000 });
      await until(() => s.connected, 'the session to resume', 8_000);
      ok++;
    } catch {
      // counted as locked out
    } finally {
      await node.stop();
      await d.cleanup();
    }
  }
  return ok;
}

/** The header of a frame of 64 KiB, whose bytes then come one per muxer frame (oneByteFrames). */
function bigFrameHeader(): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(64 * 1024);
  return header;
}

/** Sends up to `count` bytes one per muxer frame (each send leaves as a frame of its own) while `open()`; returns how many went. */
async function oneByteFrames(send: (b: Uint8Array) => void, open: () => boolean, count: number): Promise<number> {
  const one = Uint8Array.of(0x20);
  let sent = 0;
  try {
    for (; sent < count && open(); sent++) {
      send(one);
      if (sent % 1_000 === 0) await new Promise((r) => setImmediate(r));
    }
  } catch {
    // closed by the other side
  }
  return sent;
}

describe('connection limits', () => {
  test('silent sockets from other hosts do not lock honest peers out; each host is held to its pending cap', async () => {
    const srv = await server();
    // 6 attacking hosts x (cap + 4) silent sockets: far more than libp2p's own 10 pending connections
    const cap = P2P_DEFAULTS.maxPendingPerHost;
    const attack = silentAttack(srv.port, hosts(2, 6), cap + 4);
    try {
      await until(() => attack.closedByServer >= 6 * 4, 'the server to close sockets above the per-host cap');
      const held = srv.node.pendingConnections();
      for (const [h, n] of Object.entries(held.byHost)) assert.ok(n <= cap, `${h} holds ${n} pending connections`);
      assert.ok(held.total >= 6, 'the attack holds sockets');
      assert.equal(await honestPeers(srv.addr, 6), 6, 'every honest peer got in');
      assert.ok(srv.node.stats.pendingEvicted > 0, 'evictions are counted');
    } finally {
      attack.stop();
      await srv.cleanup();
    }
  });

  test('when the global pending cap is full, the host holding the most loses its oldest socket', async () => {
    const srv = await server({ maxPendingConnections: 8, maxPendingPerHost: 4 });
    const attack = silentAttack(srv.port, hosts(20, 5), 4);
    try {
      await until(() => attack.closedByServer >= 12, 'evictions under the global cap');
      assert.equal(await honestPeers(srv.addr, 4), 4, 'every honest peer got in');
      assert.ok(srv.node.stats.pendingEvicted > 0, 'evictions are counted');
    } finally {
      attack.stop();
      await srv.cleanup();
    }
  });

  test('a connection that never finishes the upgrade or the handshake is closed after the pending timeout', async () => {
    // 1.5 s: a dial (TCP, Noise, Yamux) takes seconds on a loaded machine, and must finish before the timeout
    const srv = await server({ pendingTimeoutMs: 1_500 });
    const attack = silentAttack(srv.port, hosts(40, 1), 1, 1);
    let p: RawPeer | undefined;
    try {
      p = await RawPeer.dial(srv.addr); // upgraded, stream open, never says hello
      await until(() => attack.closedByServer === 1, 'the silent socket to be closed');
      await until(() => p!.closed, 'the silent stream to be closed');
      assert.ok(srv.node.stats.pendingTimedOut >= 2);
    } finally {
      attack.stop();
      await p?.stop();
      await srv.cleanup();
    }
  });

  test('a connection whose handshake finished is no longer pending: it outlives the pending timeout', async () => {
    // 2 s: a handshake on a loaded machine can take over 0.5 s; it must finish before the pending timeout
    const srv = await server({ pendingTimeoutMs: 2_000 });
    const d = await tempDir();
    const { node } = await makeNode(d.path);
    try {
      const s = await node.connect(srv.addr);
      let drops = 0;
      s.on('disconnected', () => drops++);
      await until(() => s.connected && srv.node.pendingConnections().total === 0, 'the handshake to count');
      await new Promise((r) => setTimeout(r, 2_500));
      assert.equal(drops, 0, 'the authenticated connection was not closed');
      assert.equal(srv.node.stats.pendingTimedOut, 0);
      assert.ok(s.connected);
    } finally {
      await node.stop();
      await d.cleanup();
      await srv.cleanup();
    }
  });

  test('an authenticated peer holds at most 16 streams that never pick a protocol; its failing hellos on new streams of an authenticated connection close it', async () => {
    const srv = await server();
    const wallet = newWallet();
    const peer = await RawPeer.dial(srv.addr);
    try {
      await peer.open(wallet);
      await until(() => srv.node.session(wallet.address)?.connected === true, 'the session');
      const conn = peer.libp2p.getConnections()[0]!;
      const muxer = (conn as unknown as { muxer: { createStream(): Promise<Stream> } }).muxer;
      const raw: Stream[] = [];
      for (let i = 0; i < 40; i++) {
        const st = await muxer.createStream();
        st.send(Uint8Array.of(0x13)); // a byte, and never a protocol
        raw.push(st);
      }
      // yamux resets the ones above the cap (the session's stream is one of the 16)
      await until(() => raw.filter((st) => st.status === 'open').length <= 15, 'the streams above the cap to be reset', 5_000);
      assert.ok(raw.filter((st) => st.status === 'open').length >= 1, 'the ones under the cap are kept until their negotiation times out');
      assert.equal(srv.node.session(wallet.address)?.connected, true, 'its session goes on');
      // hellos for a wallet the key does not own, on new streams of another authenticated connection
      const second = await RawPeer.dial(srv.addr);
      try {
        await second.open(newWallet());
        const other = newWallet();
        const conn2 = second.libp2p.getConnections()[0]!;
        for (let i = 0; i < 3 && conn2.status === 'open'; i++) {
          const extra = await RawPeer.another(second, srv.addr);
          extra.hello(wallet, undefined, other.address);
          await until(() => extra.closed, 'the failed handshake to end its stream');
        }
        await until(() => conn2.status !== 'open', `the connection to be closed (${srv.node.stats.handshakesFailed} failed)`, 5_000);
      } finally {
        await second.stop();
      }
      assert.ok(srv.node.stats.handshakesFailed >= 3);
    } finally {
      await peer.stop();
      await srv.cleanup();
    }
  });

  test("a peer that asks for pings faster than 10 a second (after a burst of 20) loses its connection; a few pings are answered", async () => {
    const srv = await server();
    const peer = await RawPeer.dial(srv.addr);
    try {
      await peer.open(newWallet());
      const conn = peer.libp2p.getConnections()[0]!;
      const muxer = (conn as unknown as { muxer: { ping(): Promise<number> } }).muxer;
      for (let i = 0; i < 5; i++) await muxer.ping();
      assert.equal(conn.status, 'open', 'a few pings are answered');
      let answered = 5;
      // (a ping the closed connection never answers is given up after a second)
      const ping = () => Promise.race([muxer.ping().then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), 1_000))]);
      for (let i = 0; i < 500 && conn.status === 'open'; i++) {
        if (!(await ping())) break;
        answered++;
      }
      await until(() => conn.status !== 'open', `the connection to be closed (${answered} pings answered)`, 5_000);
      assert.ok(answered <= 40, `${answered} pings answered`);
    } finally {
      await peer.stop();
      await srv.cleanup();
    }
  });

  test('a peer that sends its bytes one per muxer frame, faster than 10,000 frames a second (after a burst of 20,000), loses its connection', async () => {
    // Each muxer frame costs a header, an object and a callback however few bytes it carries: 1-byte frames evade
    // the byte quota 13 times over, and held by a paused stream cost about a hundred bytes of memory each.
    const srv = await server();
    const peer = await RawPeer.dial(srv.addr);
    try {
      await peer.open(newWallet());
      const conn = peer.libp2p.getConnections()[0]!;
      // a frame of 64 KiB announced, its bytes sent one at a time: first a few hundred (as many small writes as an honest
      // peer's acknowledgements make), which are taken
      peer.sendRaw(bigFrameHeader());
      await oneByteFrames((b) => peer.sendRaw(b), () => true, 300);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(conn.status, 'open', 'a few hundred small frames are taken');
      // then a flood
      const sent = await oneByteFrames((b) => peer.sendRaw(b), () => conn.status === 'open', 150_000);
      await until(() => conn.status !== 'open', `the connection to be closed (${sent} frames sent)`, 10_000);
    } finally {
      await peer.stop();
      await srv.cleanup();
    }
  });

  test('a peer this node dialed that sends its bytes one per muxer frame loses the connection too', async () => {
    const { createLibp2p, tcp, noise, yamux } = await loadDeps();
    const hostile = await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionGater: { denyDialMultiaddr: () => false } });
    const dir = await tempDir();
    const { node } = await makeNode(dir.path);
    let dripped: Promise<number> = Promise.resolve(-1);
    try {
      // on the stream this node opens: a frame of 64 KiB announced, then its bytes one per muxer frame
      await hostile.handle(SYNCHANNEL_PROTOCOL, (stream) => {
        stream.send(bigFrameHeader());
        dripped = oneByteFrames((b) => stream.send(b), () => stream.status === 'open', 150_000);
      });
      const failed = await node.connect(hostile.getMultiaddrs()[0]!.toString(), { timeoutMs: 30_000 }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      assert.ok(failed, 'no handshake with a peer that never answers it');
      const sent = await dripped;
      assert.ok(sent >= 0 && sent < 150_000, `${sent} one-byte frames taken (-1: never dialed)`);
    } finally {
      await node.stop();
      await hostile.stop();
      await dir.cleanup();
    }
  });

  test('a stream that proposes protocol after protocol is reset after 1 KiB: the node does not answer "na" to each', async () => {
    const srv = await server();
    const peer = await RawPeer.dial(srv.addr);
    try {
      await peer.open(newWallet());
      const conn = peer.libp2p.getConnections()[0]!;
      const muxer = (conn as unknown as { muxer: { createStream(): Promise<Stream> } }).muxer;
      const st = await muxer.createStream();
      let received = 0;
      st.addEventListener('message', (e) => void (received += e.data.byteLength));
      const msg = (t: string) => Buffer.concat([Uint8Array.of(Buffer.byteLength(t) + 1), Buffer.from(`${t}\n`)]);
      // the header, then 3,000 protocols nobody knows (one write, as a flood comes)
      st.send(Buffer.concat([msg('/multistream/1.0.0'), ...Array.from({ length: 3_000 }, (_, i) => msg(`/x${i}`))]));
      await until(() => st.status !== 'open', 'the stream to be reset', 5_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(received < 2_048, `${received} bytes of answers (3,000 "na" would be about 12 KiB)`);
    } finally {
      await peer.stop();
      await srv.cleanup();
    }
  });
});
