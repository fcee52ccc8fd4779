// Per-peer quotas: a peer flooding valid frames past its byte and frame rates is slowed (paused, nothing
// dropped) while another peer's exchange goes on undisturbed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppMessage } from '../../src/core/wire.js';
import type { PeerSession } from '../../src/p2p/index.js';
import { first, makeNode, newWallet, RawPeer, tempDir, until } from './helpers.js';

const turn = (i: number): AppMessage => ({ type: 'turn.request', contract: '0:' + '44'.repeat(32), step: BigInt(i) });
const bulky = (i: number): AppMessage => ({ type: 'channel.reject', channelId: BigInt(i), reason: 'r'.repeat(400) });

test('a flood from one peer does not hold up another: the flooder is paused, the other round-trips meanwhile', async () => {
  const dirs = await Promise.all([tempDir(), tempDir(), tempDir()]);
  const { node: server } = await makeNode(dirs[0]!.path, newWallet(), {
    byteRateLimit: { perSecond: 32 * 1024, burst: 32 * 1024 },
    rateLimit: { perSecond: 200, burst: 50 },
  });
  const { node: flooder } = await makeNode(dirs[1]!.path);
  const { node: honest } = await makeNode(dirs[2]!.path);
  try {
    const addr = (await server.serve(0, '127.0.0.1')).lan[0]!;
    const sessions: PeerSession[] = [];
    server.on('session', (s) => sessions.push(s));
    const fromFlooder: bigint[] = [];
    const f = await flooder.connect(addr);
    await until(() => sessions.length === 1, 'the flooder session');
    sessions[0]!.on('message', (m) => m.type === 'channel.reject' && fromFlooder.push(m.channelId));
    const h = await honest.connect(addr);
    await until(() => sessions.length === 2, 'the honest session');
    // the server echoes the honest peer's turn requests
    sessions[1]!.on('message', (m) => void sessions[1]!.send(m).catch(() => undefined));

    const N = 400; // ~200 KB: several seconds at 32 KiB/s
    const flood = Promise.all(Array.from({ length: N }, (_, i) => f.send(bulky(i))));
    await until(() => server.stats.quotaPauses > 0, 'the flooder to be paused');
    for (let i = 1; i <= 10; i++) {
      const reply = first<AppMessage>(h, 'message');
      await h.send(turn(i));
      assert.deepEqual(await reply, turn(i));
    }
    const deliveredWhileHonestWasServed = fromFlooder.length;
    assert.ok(deliveredWhileHonestWasServed < N, `the flood (${deliveredWhileHonestWasServed}/${N}) was still being paced when the honest peer finished`);
    await flood;
    assert.deepEqual(fromFlooder, Array.from({ length: N }, (_, i) => BigInt(i)), 'every flood message once, in order');
    assert.equal(server.stats.rateLimited, 0, 'nothing dropped');
  } finally {
    await flooder.stop();
    await honest.stop();
    await server.stop();
    for (const d of dirs) await d.cleanup();
  }
});

test('a partner (a channel with us) is held to the partners\' quota, not the guests\'', async () => {
  const dirs = await Promise.all([tempDir(), tempDir(), tempDir()]);
  const partnerWallet = newWallet();
  const { node: server } = await makeNode(dirs[0]!.path, newWallet(), {
    rateLimit: { perSecond: 200, burst: 50 },
    isPartner: (w) => w.equals(partnerWallet.address),
  });
  const { node: partner } = await makeNode(dirs[1]!.path, partnerWallet);
  const { node: guest } = await makeNode(dirs[2]!.path);
  try {
    const addr = (await server.serve(0, '127.0.0.1')).lan[0]!;
    const got = new Map<string, number>();
    server.on('session', (s) => s.on('message', () => got.set(s.partner.peerId, (got.get(s.partner.peerId) ?? 0) + 1)));
    const N = 300; // 6 times the guests' burst
    const p = await partner.connect(addr);
    await Promise.all(Array.from({ length: N }, (_, i) => p.send(turn(i))));
    await until(() => got.get(partner.peerId) === N, 'the partner\'s messages');
    assert.equal(server.stats.quotaPauses, 0, 'the partner was never paused');
    const g = await guest.connect(addr);
    await Promise.all(Array.from({ length: N }, (_, i) => g.send(turn(i))));
    await until(() => got.get(guest.peerId) === N, 'the guest\'s messages');
    assert.ok(server.stats.quotaPauses > 0, 'the guest was paced');
  } finally {
    await partner.stop();
    await guest.stop();
    await server.stop();
    for (const d of dirs) await d.cleanup();
  }
});

test('one connection proving many wallets is paced as one peer: its wallets share its quota, they do not multiply it', async () => {
  const dir = await tempDir();
  // each wallet's 40 messages fit a burst of 50 of their own; 8 wallets' together do not
  const { node: server } = await makeNode(dir.path, newWallet(), { rateLimit: { perSecond: 200, burst: 50 } });
  let peer: RawPeer | undefined;
  try {
    const addr = (await server.serve(0, '127.0.0.1')).lan[0]!;
    let got = 0;
    server.on('session', (s) => s.on('message', () => got++));
    peer = await RawPeer.dial(addr);
    const streams = [peer, ...(await Promise.all(Array.from({ length: 7 }, () => RawPeer.another(peer!, addr))))];
    // one after the other: the handshakes' own frames stay within the burst
    for (const st of streams) await st.open(newWallet());
    await until(() => server.sessions().length === 8, 'eight sessions, one per wallet');
    for (const st of streams) for (let i = 1; i <= 40; i++) st.send({ type: 'session.data', seq: i, msg: turn(i) });
    await until(() => got === 8 * 40, 'every message, slowed, none dropped');
    assert.ok(server.stats.quotaPauses > 0, 'the wallets of one connection were paced together');
    assert.equal(server.stats.rateLimited, 0, 'nothing was dropped');
  } finally {
    await peer?.stop();
    await server.stop();
    await dir.cleanup();
  }
});

test('a wall clock set back (an NTP correction, a laptop waking) leaves a bucket as it was: no debt of the hour', async () => {
  const { TokenBucket } = await import('../../src/p2p/quota.js');
  const bucket = new TokenBucket({ perSecond: 10, burst: 2 });
  assert.equal(bucket.takeOrWait(), 0);
  const realNow = Date.now;
  const back = realNow() - 3_600_000;
  Date.now = () => back;
  try {
    // one token left of the burst, and the refill goes on at 10 a second: at most 100 ms to wait, not an hour
    assert.equal(bucket.takeOrWait(), 0);
    assert.ok(bucket.takeOrWait() <= 100, 'the next token is due within 100 ms');
    assert.equal(bucket.charge(0), 0);
  } finally {
    Date.now = realNow;
  }
});
