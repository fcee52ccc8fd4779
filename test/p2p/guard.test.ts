// The inbound guard's bookkeeping on stand-in connections (no sockets): host keys, per-host and total caps,
// who is evicted, and what leaves or re-enters the pending set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { multiaddr } from '@multiformats/multiaddr';
import type { Connection, MultiaddrConnection } from '@libp2p/interface';
import { hostKey, InboundGuard, netKey, type GuardStats } from '../../src/p2p/guard.js';

interface Fake {
  maConn: MultiaddrConnection;
  conn: Connection;
  aborted: boolean;
}

let port = 1000;
function fake(ip: string): Fake {
  const family = ip.includes(':') ? 'ip6' : 'ip4';
  const addr = multiaddr(`/${family}/${ip}/tcp/${port++}`);
  const listeners: (() => void)[] = [];
  const f: Fake = { aborted: false } as Fake;
  f.maConn = {
    remoteAddr: addr,
    addEventListener: (_: string, l: () => void) => listeners.push(l),
    abort: () => {
      if (f.aborted) return;
      f.aborted = true;
      for (const l of listeners) l();
    },
  } as unknown as MultiaddrConnection;
  // a Connection's remoteAddr ends in /p2p/<peer id>
  f.conn = { remoteAddr: addr.encapsulate('/p2p/12D3KooWEABEDULCQxQ542gXLHqxGuPNGpRYqptrJxaRuEvAnkSB'), direction: 'inbound' } as unknown as Connection;
  return f;
}

function guard(maxPending: number, maxPendingPerHost: number, timeoutMs = 60_000): { g: InboundGuard; stats: GuardStats } {
  const stats: GuardStats = { pendingEvicted: 0, pendingTimedOut: 0 };
  return { g: new InboundGuard({ maxPending, maxPendingPerHost, timeoutMs, stats, log: () => undefined }), stats };
}

test('host keys: an IPv4 address, an IPv6 /64, IPv4-mapped IPv6 as IPv4', () => {
  assert.equal(hostKey(multiaddr('/ip4/127.0.0.2/tcp/1')), '127.0.0.2');
  assert.equal(hostKey(multiaddr('/ip6/2001:db8:1:2:aaaa::1/tcp/1')), '2001:db8:1:2::/64');
  assert.equal(hostKey(multiaddr('/ip6/2001:0db8:0001:0002:ffff:ffff:ffff:ffff/tcp/1')), '2001:db8:1:2::/64');
  assert.equal(hostKey(multiaddr('/ip6/2001:db8::/tcp/1')), '2001:db8:0:0::/64');
  assert.equal(hostKey(multiaddr('/ip6/::ffff:10.1.2.3/tcp/1')), '10.1.2.3');
});

test('a host at its cap loses its own oldest pending connection; other hosts are untouched', () => {
  const { g, stats } = guard(100, 2);
  const a = [fake('10.0.0.1'), fake('10.0.0.1'), fake('10.0.0.1')];
  const b = fake('10.0.0.2');
  g.deny(b.maConn);
  for (const f of a) assert.equal(g.deny(f.maConn), false, 'never denied');
  assert.deepEqual(
    a.map((f) => f.aborted),
    [true, false, false],
  );
  assert.equal(b.aborted, false);
  assert.deepEqual(g.snapshot(), { total: 3, byHost: { '10.0.0.1': 2, '10.0.0.2': 1 } });
  assert.equal(stats.pendingEvicted, 1);
  g.stop();
});

test('the total cap evicts the oldest connection of the host holding the most', () => {
  const { g } = guard(4, 3);
  const x = [fake('10.0.0.1'), fake('10.0.0.1'), fake('10.0.0.1')];
  const y = fake('10.0.0.2');
  for (const f of [...x, y]) g.deny(f.maConn);
  const honest = fake('10.0.0.9');
  g.deny(honest.maConn);
  assert.deepEqual(
    [...x, y].map((f) => f.aborted),
    [true, false, false, false],
  );
  assert.equal(g.snapshot().total, 4);
  assert.equal(g.snapshot().byHost['10.0.0.9'], 1);
  g.stop();
});

test('an authenticated connection leaves the pending set and re-enters it when its last stream closes', async () => {
  const { g, stats } = guard(10, 1, 50);
  const f = fake('10.0.0.1');
  g.deny(f.maConn);
  g.linkUp(f.conn);
  assert.equal(g.snapshot().total, 0);
  // not pending: a second connection of the host fits, and the first is not closed by the timeout
  const f2 = fake('10.0.0.1');
  g.deny(f2.maConn);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(f.aborted, false);
  assert.equal(f2.aborted, true, 'the silent one timed out');
  assert.equal(stats.pendingTimedOut, 1);
  g.linkDown(f.conn);
  assert.equal(g.snapshot().total, 1);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(f.aborted, true, 'closed once it carried no authenticated stream');
  assert.equal(g.snapshot().total, 0);
  g.stop();
});

test("a failed handshake only shortens a pending connection's time: later failures never keep it open", async () => {
  // timeout 1.2 s, grace 1 s: a second failure re-armed the grace (1.6 s in all), a failure a second for ever
  const { g } = guard(10, 4, 1200);
  const f = fake('10.0.0.1');
  g.deny(f.maConn);
  const started = Date.now();
  g.handshakeFailed(f.conn);
  await new Promise((r) => setTimeout(r, 600));
  g.handshakeFailed(f.conn);
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(f.aborted, true, `still open after ${Date.now() - started} ms`);
  // three failures close it at once (an honest peer fails once, then fixes its key)
  const h = fake('10.0.0.2');
  g.deny(h.maConn);
  for (let i = 0; i < 3; i++) g.handshakeFailed(h.conn);
  assert.equal(h.aborted, true);
  g.stop();
});

test('failed handshakes on new streams of an authenticated connection close it after a few', () => {
  const { g } = guard(10, 4);
  const f = fake('10.0.0.1');
  g.deny(f.maConn);
  g.linkUp(f.conn);
  g.handshakeFailed(f.conn);
  g.handshakeFailed(f.conn);
  assert.equal(f.aborted, false, 'two may be a mistake');
  g.handshakeFailed(f.conn);
  assert.equal(f.aborted, true, 'each costs a wallet check: the third closes it');
  g.stop();
});

test('a connection opens handshake streams in a burst of 8, then one a second', async () => {
  const { g } = guard(10, 4);
  const f = fake('10.0.0.1');
  g.deny(f.maConn);
  let admitted = 0;
  for (let i = 0; i < 20; i++) if (g.admitStream(f.conn)) admitted++;
  assert.equal(admitted, 8);
  await new Promise((r) => setTimeout(r, 1_100));
  assert.equal(g.admitStream(f.conn), true, 'one more a second later');
  assert.equal(g.admitStream(f.conn), false);
  // a connection this node dialed is not counted
  assert.equal(g.admitStream({ ...f.conn, direction: 'outbound' } as Connection), true);
  g.stop();
});

test('a host whose handshakes failed more than 20 times (then more than once every 3 s), on any of its connections, has its new connections refused', () => {
  const { g } = guard(64, 64);
  for (let c = 0; c < 7; c++) {
    const f = fake('10.0.0.1');
    assert.equal(g.deny(f.maConn), false, `connection ${c} admitted`);
    for (let i = 0; i < 3; i++) g.handshakeFailed(f.conn); // each new connection gets only three
  }
  assert.equal(g.deny(fake('10.0.0.1').maConn), true, '21 failures: refused');
  assert.equal(g.deny(fake('10.0.0.2').maConn), false, 'another host is not');
  g.stop();
});

test('failed handshakes from many hosts together are bounded: over the global budget, hosts that failed lately and new hosts beyond a trickle are refused; a host that authenticated lately is not', () => {
  const { g } = guard(10_000, 64);
  // a host that authenticated before the attack (an honest partner reconnecting later)
  const honest = fake('10.9.9.9');
  g.deny(honest.maConn);
  g.linkUp(honest.conn);
  // 300 hosts, each trying 10 connections that fail every handshake they may (3 each): each failure costs a proof check
  let failures = 0;
  for (let h = 0; h < 300; h++) {
    for (let c = 0; c < 10; c++) {
      const f = fake(`10.1.${h >> 8}.${h & 255}`);
      if (g.deny(f.maConn)) continue;
      for (let i = 0; i < 3 && !f.aborted; i++) {
        failures++;
        g.handshakeFailed(f.conn);
      }
    }
  }
  // the global budget's burst, then a trickle of new hosts (each gets one connection: 3 checks)
  assert.ok(failures <= 300, `${failures} failed proofs checked for 300 hosts (at most 300)`);
  assert.equal(g.deny(fake('10.9.9.9').maConn), false, 'the host that authenticated lately still gets in');
  g.stop();
});

test("a partner's host kept across restarts (partnerHosts) gets in over the global budget, also after more than 1,024 other hosts authenticated", () => {
  const stats: GuardStats = { pendingEvicted: 0, pendingTimedOut: 0 };
  const g = new InboundGuard({ maxPending: 10_000, maxPendingPerHost: 64, timeoutMs: 60_000, stats, log: () => undefined, partnerHosts: new Set(['10.9.9.9']) });
  // a host that authenticated first, then 1,100 hosts that authenticate (wallets cost nothing): it is pushed out
  const early = fake('10.8.8.8');
  g.deny(early.maConn);
  g.linkUp(early.conn);
  for (let h = 0; h < 1_100; h++) {
    const f = fake(`10.2.${h >> 8}.${h & 255}`);
    g.deny(f.maConn);
    g.linkUp(f.conn);
  }
  // then failed handshakes from 300 hosts, over the budget
  for (let h = 0; h < 300; h++) {
    const f = fake(`10.1.${h >> 8}.${h & 255}`);
    if (g.deny(f.maConn)) continue;
    for (let i = 0; i < 3 && !f.aborted; i++) g.handshakeFailed(f.conn);
  }
  for (let i = 0; i < 10; i++) g.deny(fake(`10.3.0.${i}`).maConn); // the trickle of new hosts taken
  assert.equal(g.deny(fake('10.8.8.8').maConn), true, 'the host pushed out of the hosts authenticated lately competes as a new one');
  assert.equal(g.deny(fake('10.9.9.9').maConn), false, "the partner's host gets in");
  g.stop();
});

test('an IPv6 /48 (65,536 hosts of a /64 each) fails a bounded number of handshakes, also from hosts that authenticated lately; another /48 still gets in', () => {
  const { g } = guard(100_000, 64);
  // 1,024 /64s of one /48 authenticate first (a wallet costs nothing), so the global budget lets them in later
  const hostOf = (h: number, i = 1) => `2001:db8:1:${h.toString(16)}::${i.toString(16)}`;
  for (let h = 0; h < 1_024; h++) {
    const f = fake(hostOf(h));
    g.deny(f.maConn);
    g.linkUp(f.conn);
  }
  // then each tries 10 connections that fail every handshake they may
  let failures = 0;
  for (let h = 0; h < 1_024; h++) {
    for (let c = 0; c < 10; c++) {
      const f = fake(hostOf(h, c + 2));
      if (g.deny(f.maConn)) continue;
      for (let i = 0; i < 3 && !f.aborted; i++) {
        failures++;
        g.handshakeFailed(f.conn);
      }
    }
  }
  // four hosts' worth (the /48's own budget), not 1,024 hosts' (about 21,000)
  assert.ok(failures <= 4 * 20 + 3, `${failures} failed proofs checked for one /48`);
  assert.equal(g.deny(fake('2001:db8:2::1').maConn), false, 'a host of another /48 gets in');
  assert.equal(netKey(hostKey(multiaddr('/ip6/2001:db8:1:ff::1/tcp/1'))), '2001:db8:1::/48');
  assert.equal(netKey('10.0.0.1'), null, 'an IPv4 host has no aggregate');
  g.stop();
});

test('new connections are rated per host (an IPv6 /64, not each of its addresses) and per IPv6 /48 (four hosts\' worth)', () => {
  const stats: GuardStats = { pendingEvicted: 0, pendingTimedOut: 0 };
  const g = new InboundGuard({ maxPending: 100_000, maxPendingPerHost: 100_000, timeoutMs: 60_000, stats, log: () => undefined, connectionsPerSecond: 30 });
  const admitted = (prefix: string, n: number) => {
    let ok = 0;
    for (let i = 0; i < n; i++) if (!g.deny(fake(`${prefix}::${(i + 1).toString(16)}`).maConn)) ok++;
    return ok;
  };
  // each connection from another address of one /64: libp2p's rate (per address) never sees two. The buckets refill
  // while the loop runs (30 a second): a few more may get in on a slow machine, never the hundreds tried
  const one = admitted('2001:db8:1:1', 100);
  assert.ok(one >= 30 && one < 40, `${one} of 100 connections from one /64 admitted`);
  const rest = ['2001:db8:1:2', '2001:db8:1:3', '2001:db8:1:4', '2001:db8:1:5'].reduce((n, p) => n + admitted(p, 100), 0);
  assert.ok(rest >= 90 && rest < 130, `${rest} of 400 from four more /64s of that /48 admitted (its 120 less the first one's)`);
  assert.ok(admitted('2001:db8:2:1', 100) >= 30, 'another /48 is not held back');
  assert.equal(g.deny(fake('10.0.0.1').maConn), false, 'an IPv4 host');
  g.stop();
});
