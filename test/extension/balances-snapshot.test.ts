// The balances panel's wallets name the storage fee each owes when it is worth saying, as the CLI's balanceTon
// does: the bare balance let a wallet left idle look as if it could deposit all of it. The snapshot is built from
// real nodes on a SandboxChain (aged ten years); the host around them gives only what buildSnapshot reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainReads, SnapshotOrder, buildSnapshot, walletAmount } from '../../src/extension/balancesSnapshot.js';
import { figureAmount } from '../../webview/protocol.js';
import type { NodeHost } from '../../src/extension/host.js';
import { TEN_YEARS, TON, closePair, fund, openPair, proposedThenAged, until } from '../helpers/nodes.js';
import { bobAfterBuriedPayout, withPair } from '../helpers/reads.js';

test("the balances panel says the storage fee due of the wallets, from the node's read", async () => {
  const p = await openPair();
  try {
    await proposedThenAged(p);
    const me = { id: 'me', label: 'you', api: p.bob, served: null };
    const host = { nodes: () => [me], mainNode: me, runningNetwork: 'sandbox', demos: { session: null }, status: 'running', network: 'sandbox' } as unknown as NodeHost;
    const snap = await buildSnapshot(host, new ChainReads(() => undefined), null, 0);
    const { yourWallet, partnerWallet } = snap.selected!;
    assert.match(figureAmount(yourWallet)?.due ?? '', /^[\d.]+ TON storage fee due$/, JSON.stringify(yourWallet));
    assert.match(figureAmount(partnerWallet)?.due ?? '', /^[\d.]+ TON storage fee due$/, JSON.stringify(partnerWallet));
  } finally {
    await closePair(p);
  }
});

test("the balances panel's contract row says the storage fee the contract owes, as the CLI's balanceContract does", async () => {
  const p = await openPair();
  try {
    await fund(p);
    p.chain.advanceTime(TEN_YEARS);
    const me = { id: 'me', label: 'you', api: p.bob, served: null };
    const host = { nodes: () => [me], mainNode: me, runningNetwork: 'sandbox', demos: { session: null }, status: 'running', network: 'sandbox' } as unknown as NodeHost;
    const snap = await buildSnapshot(host, new ChainReads(() => undefined), null, 0);
    const { contractBalance } = snap.selected!;
    assert.match(figureAmount(contractBalance)?.due ?? '', /^[\d.]+ TON storage fee due$/, JSON.stringify(contractBalance));
  } finally {
    await closePair(p);
  }
});

test('a wallet amount says no fee below 0.001 TON, nor one the endpoint does not give (devnet, testnet)', () => {
  assert.deepEqual(walletAmount({ balance: TON('3.5'), storageDue: TON('0.002') }), { nano: '3500000000', ton: '3.5', short: '3.5', due: '0.002 TON storage fee due' });
  assert.equal(walletAmount({ balance: TON('3.5'), storageDue: 5n })?.due, null);
  assert.equal(walletAmount({ balance: TON('3.5'), storageDue: null })?.due, null);
  assert.equal(walletAmount(null), null);
});

test("the balances panel's header names the network and the node of the channel it shows: a demo channel is sandbox and the demo while your node runs on devnet", async () => {
  const p = await openPair();
  try {
    await fund(p);
    const alice = { id: 'alice', label: 'Alice', api: p.alice, served: null };
    const bob = { id: 'bob', label: 'Bob', api: p.bob, served: null };
    // your own node on devnet, with no channel yet (only what buildSnapshot reads of it)
    const me = { id: 'me', label: 'you', api: { channels: () => [], getAccount: () => '0QAmine', network: 'devnet' }, served: null };
    const session = { alice, bob, journal: { list: () => [] }, next: () => null };
    const host = { nodes: () => [me, alice, bob], mainNode: me, runningNetwork: 'devnet', demos: { session }, status: 'running', network: 'devnet' } as unknown as NodeHost;
    const id = p.alice.channels()[0]!.id;
    const demo = await buildSnapshot(host, new ChainReads(() => undefined), `alice:${id}`, 0);
    assert.equal(demo.selected?.key, `alice:${id}`);
    assert.deepEqual([demo.network, demo.nodeStatus], ['sandbox', 'demo'], 'the demo channel shown is on the sandbox, run by the demo');
    // no channel shown: your node's network and status
    const none = await buildSnapshot({ ...host, nodes: () => [me] } as unknown as NodeHost, new ChainReads(() => undefined), null, 0);
    assert.deepEqual([none.selected, none.network, none.nodeStatus], [null, 'devnet', 'running']);
  } finally {
    await closePair(p);
  }
});

test("the balances panel with no node says why as the welcome view does: a data folder another window holds, a start that failed", async () => {
  const reads = new ChainReads(() => undefined);
  const host = (status: string) => ({ nodes: () => [], mainNode: null, runningNetwork: null, demos: { session: null }, status, network: 'sandbox' }) as unknown as NodeHost;
  const locked = await buildSnapshot(host('locked'), reads, null, 0);
  assert.equal(locked.nodeStatus, 'locked');
  assert.match(locked.hint ?? '', /^another VS Code window \(or a synchannel process\) holds this network's data folder and watches its channels: use that window, or Switch Network$/);
  const failed = await buildSnapshot(host('error'), reads, null, 0);
  assert.match(failed.hint ?? '', /^your node did not start: the notification and the log \(Show Log\) say why/);
  for (const s of [locked, failed]) assert.doesNotMatch(s.hint ?? '', /Serve, Connect or Start the Node/, 'a start that cannot work now is not offered');
  const stopped = await buildSnapshot(host('stopped'), reads, null, 0);
  assert.match(stopped.hint ?? '', /^the node is not running: Serve, Connect or Start the Node/);
});

test("the balances panel reads your wallet again when the payout is seen: a wallet read while the channel said 'closed' without it is not kept", async () => {
  const p = await openPair();
  try {
    await fund(p);
    await p.bob.withdraw({ mode: 'cooperative' });
    // a chain where the payout is seen after the channel reads 'closed' (testnet, a devnet): the wallet read then is from before it
    let seen = false;
    let wallet = TON('1');
    const bob = p.bob;
    const api = new Proxy(bob, {
      get(target, k) {
        if (k === 'channels') return () => target.channels().map((c) => (seen ? c : { ...c, payout: null }));
        if (k === 'balanceTonDue') return (a?: string) => (a === undefined ? Promise.resolve({ balance: wallet, storageDue: null }) : target.balanceTonDue(a));
        const v = Reflect.get(target, k) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const me = { id: 'me', label: 'you', api, served: null };
    const host = { nodes: () => [me], mainNode: me, runningNetwork: 'sandbox', demos: { session: null }, status: 'running', network: 'sandbox' } as unknown as NodeHost;
    const reads = new ChainReads(() => undefined);
    const before = await buildSnapshot(host, reads, null, 0);
    assert.deepEqual([before.selected?.phase, before.selected?.payout, figureAmount(before.selected?.yourWallet)?.ton], ['closed', null, '1']);
    seen = true;
    wallet = TON('2');
    const after = await buildSnapshot(host, reads, null, 0);
    assert.ok(after.selected?.payout, 'the payout is shown');
    assert.equal(figureAmount(after.selected?.yourWallet)?.ton, '2', 'the wallet read again once the payout is seen');
  } finally {
    await closePair(p);
  }
});

test("the balances panel during the teaching demo, before its channel: the hint names the demo's next step, not Serve and Connect", async () => {
  const node = (label: string) => ({ id: label.toLowerCase(), label, api: { getAccount: () => `0Q${label}`, channels: () => [] }, served: null });
  const alice = node('Alice');
  const bob = node('Bob');
  const session = { journal: { list: () => [] }, next: () => ({ id: 'deploy', title: 'Alice proposes a channel (3 TON from her, 4 TON from Bob)' }) };
  const host = { nodes: () => [alice, bob], mainNode: null, runningNetwork: null, demos: { session }, status: 'stopped', network: 'sandbox' } as unknown as NodeHost;
  const snap = await buildSnapshot(host, new ChainReads(() => undefined), null, 0);
  assert.equal(snap.hint, 'no channel yet: the teaching demo\'s next step is "Alice proposes a channel (3 TON from her, 4 TON from Bob)": run it from the walkthrough, or with Run a Teaching Demo Step');
  assert.equal(snap.nodeStatus, 'demo');
});

withPair('a payout whose shares the node did not read has a line in the balances panel that says what each gets by the state and why the amounts are unknown', async (p) => {
  const shallow = await bobAfterBuriedPayout(p); // step 3: A 2 TON, B 5 TON
  try {
    await until('Bob ended the channel', () => p.bob.currentChannel()?.phase === 'closed', 30_000);
    const me = { id: 'me', label: 'you', api: p.bob, served: null };
    const host = { nodes: () => [me], mainNode: me, runningNetwork: 'sandbox', demos: { session: null }, status: 'running', network: 'sandbox' } as unknown as NodeHost;
    const snap = await buildSnapshot(host, new ChainReads(() => undefined), null, 0);
    const payout = snap.selected?.payout;
    assert.ok(payout, 'no payout line');
    assert.equal(payout.you, null, 'no share that was not read');
    assert.match(payout.unknown ?? '', /^Paid out by Step 3: your 5 TON in that state plus half the fee reserve, [^ ]+ 2 TON plus half\. The exact amounts are not known here: its payout transaction was not found/);
  } finally {
    await p.bob.stop();
    await shallow.close();
  }
});

test('a snapshot begun before one already posted is not posted over it: a slow chain read before a network switch or another selection does not show as current', () => {
  const order = new SnapshotOrder();
  const slow = order.begin(); // the testnet channel, its wallet read slow
  const fresh = order.begin(); // after the switch: no node yet
  assert.equal(order.mayPost(fresh), true);
  assert.equal(order.mayPost(slow), false, 'the older snapshot would replace the newer one');
  // one begun later still posts, also when an earlier one is still building (no starving under a stream of events)
  const a = order.begin();
  const b = order.begin();
  assert.equal(order.mayPost(b), true);
  assert.equal(order.mayPost(a), false);
  const c = order.begin();
  assert.equal(order.mayPost(c), true);
  assert.equal(order.mayPost(c), true, 'the same snapshot posted again (a forced push) is not refused');
});

test("a wallet read that does not answer (a testnet endpoint down) does not hold the panel's snapshot: it shows the rest, and says when the read lands", { timeout: 20_000 }, async () => {
  const p = await openPair();
  try {
    await fund(p);
    let answer: (v: { balance: bigint; storageDue: bigint | null }) => void = () => undefined;
    const slow = new Promise<{ balance: bigint; storageDue: bigint | null }>((r) => (answer = r));
    // the node's wallet read hangs; everything else is the real node's
    const api = Object.create(p.bob, { balanceTonDue: { value: (address?: string) => (address ? p.bob.balanceTonDue(address) : slow) } }) as typeof p.bob;
    const me = { id: 'me', label: 'you', api, served: null };
    const host = { nodes: () => [me], mainNode: me, runningNetwork: 'sandbox', demos: { session: null }, status: 'running', network: 'sandbox' } as unknown as NodeHost;
    let landed = 0;
    const reads = new ChainReads(() => undefined, { waitMs: 50, landed: () => landed++ });
    const first = await buildSnapshot(host, reads, null, 0);
    assert.deepEqual(first.selected?.yourWallet, { notRead: 'reading' }, 'not read yet: no figure, said to be under way');
    assert.ok(figureAmount(first.selected?.contractBalance), 'the reads that answered are shown');
    assert.equal(first.selected?.step, p.bob.channels()[0]!.latest!.step.toString(), 'the channel as the node holds it now');
    answer({ balance: TON('7'), storageDue: 0n });
    await until('the late read lands', () => landed > 0);
    const next = await buildSnapshot(host, reads, null, 0);
    assert.equal(figureAmount(next.selected?.yourWallet)?.ton, '7', 'the late answer is kept for the next snapshot, not read again');
  } finally {
    await closePair(p);
  }
});

test("a read made again once its answer is old (a slow testnet endpoint) shows that answer while it is under way, not an empty row", async (t) => {
  // only the clock the answers are aged by is moved (by 6 s, past the 5 s an answer is kept)
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const reads = new ChainReads(() => undefined, { waitMs: 20 });
  assert.deepEqual(await reads.read('testnet:wallet:open', async () => 7n), { value: 7n }, 'the first answer');
  t.mock.timers.tick(6_000);
  let answer: (v: bigint) => void = () => undefined;
  const slow = new Promise<bigint>((r) => (answer = r));
  // the same key (the channel's on-chain state unchanged): the answer before is the newest known
  assert.deepEqual(await reads.read('testnet:wallet:open', () => slow), { value: 7n }, 'the last answer shown while the chain is read again');
  answer(8n);
  await slow;
  assert.deepEqual(await reads.read('testnet:wallet:open', () => Promise.resolve(9n)), { value: 8n }, 'the new answer once it lands');
  // another key (a deposit landed since) shows no figure of the state before
  assert.deepEqual(await reads.read('testnet:wallet:funded', () => new Promise<bigint>(() => undefined)), { notRead: 'reading' }, 'no figure of another state');
});
