// A partner behind NAT only dials in. After the node restarts, a flood of failed handshakes from many hosts puts the
// guard over its global budget (guard.ts ALL_FAILURES): new hosts then get in at a trickle only. The partner's host
// is remembered in the data folder, so the partner still gets in. On Linux every 127/8 address reaches loopback,
// so each source address is a host of its own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Address } from '@ton/core';
import type { P2PNode } from '../../src/p2p/index.js';
import { MAX_PARTNER_HOSTS, PARTNER_HOSTS_FILE, PartnerHosts } from '../../src/p2p/partnerhosts.js';
import { makeNode, newWallet, RawPeer, tempDir, until, type Wallet } from './helpers.js';

const PARTNER_HOST = '127.0.9.9';
const GUEST_HOST = '127.0.9.8';

/** Over the guard's budget, hosts that never failed: the pending caps raised so that one batch holds them all. */
const HELD = 120;

async function serve(dir: string, me: Wallet, isPartner: (w: Address) => boolean): Promise<{ node: P2PNode; addr: string }> {
  const { node } = await makeNode(dir, me, { isPartner, maxPendingConnections: 2 * HELD, pendingTimeoutMs: 30_000 });
  return { node, addr: (await node.serve(0, '127.0.0.1')).lan[0]! };
}

/** A dial from `host` that the victim admits (true), or refuses before the handshake (false); admitted peers go in `peers`. */
async function tryDial(addr: string, host: string, peers: RawPeer[]): Promise<boolean> {
  try {
    peers.push(await RawPeer.dial(addr, { localAddress: host }));
    return true;
  } catch {
    return false;
  }
}

/**
 * `HELD` hosts open a connection each (admitted: none failed yet), then each fails three handshakes on it at once (a
 * hello for a wallet its key does not own): far over the global budget of failures. Returns the hellos refused.
 */
async function flood(node: P2PNode, addr: string, peers: RawPeer[]): Promise<number> {
  // three streams each, opened before any fails: the hellos then go at once, faster than the budget refills
  const streams: RawPeer[] = [];
  for (let i = 0; i < HELD; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, HELD - i) }, async (_, j) => {
        const first = await RawPeer.dial(addr, { localAddress: `127.0.1.${i + j + 1}` });
        peers.push(first);
        return [first, await RawPeer.another(first, addr), await RawPeer.another(first, addr)];
      }),
    );
    streams.push(...batch.flat());
  }
  const mine = newWallet();
  const other = newWallet();
  const before = node.stats.handshakesFailed;
  for (const s of streams) if (!s.closed) s.hello(mine, undefined, other.address);
  await until(() => streams.every((s) => s.closed), 'the failed handshakes to end their streams', 20_000);
  return node.stats.handshakesFailed - before;
}

/**
 * Takes the new-host trickle as a flood of fresh addresses would: a bare TCP socket every few ms (each host under
 * libp2p's 30 a second), each closed at once; a token that refills is taken within a few ms. Bounded in count.
 */
function drainTrickle(port: number): () => void {
  let stopped = false;
  void (async () => {
    for (let i = 0; i < 4_000 && !stopped; i++) {
      const s = connect({ host: '127.0.0.1', port, localAddress: `127.0.3.${(i % 40) + 1}` });
      s.on('error', () => undefined);
      await new Promise<void>((r) => {
        s.once('close', () => r());
        s.once('connect', () => s.destroy());
      });
      await new Promise((r) => setTimeout(r, 3));
    }
  })();
  return () => {
    stopped = true;
  };
}

describe('a partner that only dials in, after a restart', () => {
  test('still gets in while failed handshakes from many hosts are over the budget and new hosts get in at a trickle only', async () => {
    const dir = await tempDir();
    const me = newWallet();
    const partner = newWallet();
    const isPartner = (w: Address) => w.equals(partner.address);
    const peers: RawPeer[] = [];
    let node: P2PNode | undefined;
    try {
      let addr: string;
      ({ node, addr } = await serve(dir.path, me, isPartner));
      // the partner logs in from its host (it is behind NAT: this node cannot dial it), then the node stops
      const before = await RawPeer.dial(addr, { localAddress: PARTNER_HOST });
      peers.push(before);
      await before.open(partner);
      await until(() => node!.session(partner.address)?.connected === true, 'the partner session');
      // a guest (a wallet with no channel here) logs in too: its host is not kept
      const guest = await RawPeer.dial(addr, { localAddress: GUEST_HOST });
      peers.push(guest);
      await guest.open(newWallet());
      // written at the login, not only at stop (a node may be killed)
      const file = join(dir.path, PARTNER_HOSTS_FILE);
      const kept = async () => ((JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as { hosts?: string[] }).hosts ?? []);
      for (let i = 0; i < 100 && !(await kept()).includes(PARTNER_HOST); i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await kept(), [PARTNER_HOST], "the partner's host is kept in the data folder, the guest's is not");
      await before.stop();
      await guest.stop();
      await node.stop();

      ({ node, addr } = await serve(dir.path, me, isPartner));
      const failed = await flood(node, addr, peers);
      // new hosts get in at a trickle (a burst of 4, then 1 a second): a flood's fresh addresses take them
      const stopDrain = drainTrickle(Number(/tcp\/(\d+)/.exec(addr)![1]));
      try {
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(await tryDial(addr, '127.0.2.1', peers), false, `a fresh host is refused: the budget is over (${failed} hellos refused) and the trickle taken`);
        assert.equal(await tryDial(addr, PARTNER_HOST, peers), true, "the partner's host, remembered across the restart, is let in");
      } finally {
        stopDrain();
      }
      const back = peers[peers.length - 1]!;
      await back.open(partner);
      await until(() => node!.session(partner.address)?.connected === true, 'the partner session after the restart');
    } finally {
      await Promise.all(peers.map((p) => p.stop().catch(() => undefined)));
      await node?.stop();
      await dir.cleanup();
    }
  });
});

test("one partner logging in from many hosts keeps only a few of them: it cannot push other partners' hosts out of the list", async () => {
  const dir = await tempDir();
  try {
    const hosts = await PartnerHosts.load(dir.path, () => undefined);
    const bob = newWallet().address.toRawString();
    const mallory = newWallet().address.toRawString();
    hosts.note('127.0.9.9', bob);
    // IPv6 /64s cost a partner little: more of them than the list holds
    for (let i = 0; i < MAX_PARTNER_HOSTS + 10; i++) hosts.note(`2001:db8:${(i >> 8).toString(16)}:${(i & 255).toString(16)}::/64`, mallory);
    assert.ok(hosts.has('127.0.9.9'), "Bob's host is still kept");
    assert.ok(hosts.has(`2001:db8:4:9::/64`), "Mallory's latest host is kept");
    await hosts.flush();
    const again = await PartnerHosts.load(dir.path, () => undefined);
    assert.ok(again.has('127.0.9.9'), "Bob's host is kept after a restart");
    assert.ok(!again.has('2001:db8:0:0::/64'), "Mallory's first host is forgotten");
  } finally {
    await dir.cleanup();
  }
});

test('a partner logging in from one new host after another makes a bounded number of writes of the list, and the last is kept', async () => {
  const dir = await tempDir();
  try {
    const hosts = await PartnerHosts.load(dir.path, () => undefined);
    const mallory = newWallet().address.toRawString();
    for (let i = 0; i < 50; i++) hosts.note(`2001:db8:1:${i.toString(16)}::/64`, mallory);
    assert.ok(hosts.writes <= 2, `${hosts.writes} writes for 50 logins`);
    await hosts.flush();
    const again = await PartnerHosts.load(dir.path, () => undefined);
    assert.ok(again.has('2001:db8:1:31::/64'), 'the latest host is written by the flush at stop');
  } finally {
    await dir.cleanup();
  }
});

// write-file-atomic writes `<file>.<decimal>` and renames it: a node killed between the two left that file for good,
// one more per such kill (the data folder's other files are swept the same way: test/store/record-crash.test.ts).
test("a write of the list killed before its rename leaves nothing for good: the next start removes the temp file, and keeps the list", async () => {
  const dir = await tempDir();
  try {
    const hosts = await PartnerHosts.load(dir.path, () => undefined);
    hosts.note('127.0.9.9', newWallet().address.toRawString());
    await hosts.flush();
    await writeFile(join(dir.path, `${PARTNER_HOSTS_FILE}.3075485019`), '{"hosts":["127.0.9'); // a write cut short
    const again = await PartnerHosts.load(dir.path, () => undefined);
    assert.ok(again.has('127.0.9.9'), 'the list written whole is read');
    assert.deepEqual((await readdir(dir.path)).filter((n) => n.startsWith(PARTNER_HOSTS_FILE)), [PARTNER_HOSTS_FILE]);
  } finally {
    await dir.cleanup();
  }
});
