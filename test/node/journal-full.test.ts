// The disk fills as a node writes the partner's payment it countersigned (ENOSPC from the journal's write): write
// before send holds, so its signature never leaves; the node says the disk is full; after a restart with room the
// payment is signed by both once, with the balances it makes, and the channel pays out by it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { TON, closePair, connect, fund, latest, openPair, until, type Pair } from '../helpers/nodes.js';

/** From now on every write of `who`'s (first) channel journal fails as on a full disk; returns how many did. */
function diskFull(p: Pair, who: 'alice' | 'bob'): () => number {
  type Writer = { writeDurable(bytes: Buffer, at: number): Promise<void> };
  const inner = p[who].node as unknown as { ctx: { channels: Map<string, { storage: { writer: Writer } | null }> } };
  const writer = [...inner.ctx.channels.values()][0]!.storage!.writer;
  let failed = 0;
  writer.writeDurable = async () => {
    failed++;
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  };
  return () => failed;
}

test("a full disk as Alice writes Bob's payment she countersigned: her signature never leaves; after a restart the payment is signed once and pays out", async () => {
  const p = await openPair();
  try {
    await fund(p); // A 3 TON, B 4 TON, step 0 signed by both; step 1 is Bob's
    const failures = diskFull(p, 'alice');
    const told: NodeEvent[] = [];
    p.alice.on((e) => void ((e.type === 'error' && e.code === 'DISK_WRITE_FAILED') || e.type === 'stateSigned' ? told.push(e) : undefined));
    const full = waitForEvent(p.alice, 'error', (e) => e.code === 'DISK_WRITE_FAILED', 30_000);
    const paid = p.bob.pay(TON('1'), { waitMs: 3_000 }).then(
      () => null,
      (e: { code?: string; sent?: boolean }) => e,
    );
    const e = await full;
    assert.match(e.message, /disk is full/);
    assert.ok(failures() > 0, "Alice's journal write failed");
    const answer = await paid;
    assert.equal(answer?.code, 'TIMEOUT', "Bob's payment is not confirmed: Alice's countersignature never left");
    assert.equal(latest(p.bob).step, 0n, 'Bob holds no state of step 1 signed by both');
    assert.ok(!told.some((t) => t.type === 'stateSigned'), 'Alice never told the payment as signed: it is not on her disk');

    // Alice starts again with room on the disk: Bob's proposal comes again, she signs it once.
    await p.alice.stop();
    p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    await connect(p.alice, p.bob);
    await until('both hold the payment signed by both', () => latest(p.alice).step >= 1n && latest(p.bob).step === latest(p.alice).step);
    for (const n of [p.alice, p.bob]) {
      const l = latest(n);
      assert.deepEqual([l.balanceA, l.balanceB], [TON('4'), TON('3')], 'the payment is in once');
    }

    const closedA = waitForEvent(p.alice, 'closed', () => true, 60_000);
    const closedB = waitForEvent(p.bob, 'closed', () => true, 60_000);
    const r = await p.alice.withdraw({ mode: 'cooperative' });
    assert.equal(r.mode, 'cooperative');
    for (const c of [await closedA, await closedB]) assert.deepEqual([c.payoutA, c.payoutB], [TON('4'), TON('3')]);
  } finally {
    await closePair(p);
  }
});

test('while its journal cannot be written, a node signs no new state (it says the disk is full, not that the partner has not signed) and its withdraw closes alone with the latest state both signed', async () => {
  const p = await openPair();
  try {
    await fund(p);
    diskFull(p, 'alice');
    const full = waitForEvent(p.alice, 'error', (e) => e.code === 'DISK_WRITE_FAILED', 30_000);
    const paid = p.bob.pay(TON('1'), { waitMs: 3_000 }).catch(() => undefined);
    await full;
    await paid;
    // Alice's pass of the turn (step 2) is in memory only: it never left, so nothing awaits Bob's signature.
    for (const what of ['send', 'createEmpty'] as const) {
      const e = await (what === 'send' ? p.alice.send(TON('0.1')) : p.alice.createEmpty()).then(() => null, (x: { code?: string; message: string }) => x);
      assert.equal(e?.code, 'DISK_WRITE_FAILED', `${what}: ${e?.message}`);
      assert.match(e.message, /disk is full/);
      assert.match(e.message, /the node tries again by itself/);
    }
    // the views say so too (the CLI and the extension check them before they ask the node)
    const can = p.alice.currentChannel()!.actions;
    for (const a of [can.send, can.createEmpty, can.requestEmpty, can.sign]) assert.equal(a.ok ? 'ok' : a.code, 'DISK_WRITE_FAILED');
    assert.ok(can.withdraw.ok, 'withdraw is offered');
    const coalesced = await p.alice.pay(TON('0.1'), { waitMs: 2_000 }).then(() => null, (x: { code?: string; message: string }) => x);
    assert.equal(coalesced?.code, 'DISK_WRITE_FAILED', `pay: ${coalesced?.message}`);

    const closedA = waitForEvent(p.alice, 'closed', () => true, 60_000);
    const closedB = waitForEvent(p.bob, 'closed', () => true, 60_000);
    const r = await p.alice.withdraw({});
    assert.deepEqual([r.mode, r.step, r.fellBack], ['unilateral', 1n, true]);
    assert.match(r.fallbackReason ?? '', /disk is full/);
    await until('the close is on chain', () => p.alice.currentChannel()?.phase === 'closing' && p.bob.currentChannel()?.phase === 'closing');
    p.chain.advanceTime(130);
    for (const c of [await closedA, await closedB]) assert.deepEqual([c.payoutA, c.payoutB], [TON('4'), TON('3')]);
  } finally {
    await closePair(p);
  }
});

test('while its journal cannot be written, the views show the state a withdraw closes with (held in memory, said not saved on disk), not the last one on disk', async () => {
  const p = await openPair();
  try {
    await fund(p); // A 3 TON, B 4 TON
    diskFull(p, 'alice');
    const full = waitForEvent(p.alice, 'error', (e) => e.code === 'DISK_WRITE_FAILED', 30_000);
    const paid = p.bob.pay(TON('1'), { waitMs: 3_000 }).catch(() => undefined);
    await full;
    await paid;
    // Alice holds step 1 (Bob's payment) signed by both in memory only; her disk ends at step 0.
    const v = p.alice.currentChannel()!;
    assert.equal(v.latest?.step, 1n, 'the channel shows the state withdraw submits');
    assert.equal(v.latest?.unsaved, true, 'and says it is not saved on disk');
    assert.deepEqual([v.myBalance, v.partnerBalance, v.count], [TON('4'), TON('3'), 2n]);
    assert.equal(v.pending, null, "Alice's pass (step 2) never left: nothing awaits Bob's signature");
    assert.ok(!v.actions.send.ok);
    assert.match(v.actions.send.why, /step 1 .*not saved on disk/);
    const last = p.alice.showLast();
    assert.deepEqual([last?.step, last?.unsaved], [1n, true], 'showLast');
    const all = await p.alice.showAll();
    assert.deepEqual(all.map((s) => [s.step, s.unsaved === true]), [[0n, false], [1n, true]], 'showAll');
    const b = p.alice.balanceChan();
    assert.deepEqual([b?.step, b?.balanceA, b?.balanceB, b?.unsaved], [1n, TON('4'), TON('3'), true], 'balanceChan');

    // A withdraw of the step shown (the CLI passes it) closes alone with it, the latest state both signed.
    const closedA = waitForEvent(p.alice, 'closed', () => true, 60_000);
    const r = await p.alice.withdraw({ step: v.latest!.step });
    assert.deepEqual([r.mode, r.step], ['unilateral', 1n]);
    await until('the close is on chain', () => p.alice.currentChannel()?.phase === 'closing');
    p.chain.advanceTime(130);
    const c = await closedA;
    assert.deepEqual([c.payoutA, c.payoutB], [TON('4'), TON('3')]);
  } finally {
    await closePair(p);
  }
});
