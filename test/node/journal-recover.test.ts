// The disk fills as a node writes its partner's payment (journal-full.test.ts), then the operator frees space: the
// node writes what it held in memory by itself, in order, and the channel signs again without a restart; the
// partner ends with the same states, and a restart afterwards finds every one of them on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { TON, closePair, connect, fund, latest, openPair, until, type Pair } from '../helpers/nodes.js';

type Writer = { writeDurable(bytes: Buffer, at: number): Promise<void> };

/** Every write of `who`'s (first) channel journal fails as on a full disk until `free()`. */
function diskFull(p: Pair, who: 'alice' | 'bob'): { failures: () => number; free: () => void } {
  const inner = p[who].node as unknown as { ctx: { channels: Map<string, { storage: { writer: Writer } | null }> } };
  const writer = [...inner.ctx.channels.values()][0]!.storage!.writer;
  const write = writer.writeDurable.bind(writer);
  let failed = 0;
  let full = true;
  writer.writeDurable = async (bytes, at) => {
    if (!full) return write(bytes, at);
    failed++;
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  };
  return { failures: () => failed, free: () => void (full = false) };
}

/** Bob pays Alice 1 TON while Alice's disk is full: she holds step 1 (signed by both) and her pass in memory only. */
async function fullAtBobsPayment(p: Pair): Promise<{ free: () => void; failures: () => number }> {
  await fund(p); // A 3 TON, B 4 TON, step 0 signed by both
  const disk = diskFull(p, 'alice');
  const full = waitForEvent(p.alice, 'error', (e) => e.code === 'DISK_WRITE_FAILED', 30_000);
  const paid = p.bob.pay(TON('1'), { waitMs: 3_000 }).catch(() => undefined);
  await full;
  await paid;
  const v = p.alice.currentChannel()!;
  assert.deepEqual([v.latest?.step, v.latest?.unsaved], [1n, true], 'step 1 is held in memory only');
  assert.equal(latest(p.bob).step, 0n, "Bob has not got Alice's countersignature: it never left");
  return disk;
}

/** The states both signed up to `step`, as a node shows them. */
async function history(n: Pair['alice'], step: bigint): Promise<string[]> {
  const all = await n.showAll(undefined, { from: 0n, to: step + 1n });
  return all.map((s) => `${s.step}:${s.balanceA}:${s.balanceB}${s.unsaved ? ' unsaved' : ''}`);
}

test('space freed after a full disk: the next payment goes through without a restart, both hold the same states, and a restart finds them all', async () => {
  const p = await openPair();
  try {
    const disk = await fullAtBobsPayment(p);
    const told: NodeEvent[] = [];
    p.alice.on((e) => void ((e.type === 'log' && e.code === 'DISK_WRITE_AGAIN') || e.type === 'stateSigned' || e.type === 'error' ? told.push(e) : undefined));
    disk.free();
    const r = await p.alice.pay(TON('0.5'), { waitMs: 30_000 });
    assert.ok(r.step >= 3n, `Alice's payment follows Bob's and her pass: step ${r.step}`);
    await until("Bob holds Alice's payment", () => latest(p.bob).step >= r.step);
    const mine = await history(p.alice, r.step);
    assert.deepEqual(mine, await history(p.bob, r.step), 'both hold the same states');
    assert.equal(mine.length, Number(r.step) + 1, 'every step, none twice');
    assert.ok(!mine.some((s) => s.endsWith('unsaved')), `nothing is held in memory only: ${mine.join(', ')}`);
    assert.equal(mine[1], `1:${TON('4')}:${TON('3')}`, "Bob's payment is in once");
    assert.equal(mine.at(-1), `${r.step}:${TON('3.5')}:${TON('3.5')}`, "and Alice's after it");
    // told as the failure was: the state both signed it held, then the all-clear, with the channel
    const signed = told.filter((e): e is Extract<NodeEvent, { type: 'stateSigned' }> => e.type === 'stateSigned').map((e) => e.state.step);
    assert.equal(signed[0], 1n, `step 1 is told signed once it is on disk: ${signed.join(', ')}`);
    const again = told.filter((e): e is Extract<NodeEvent, { type: 'log' }> => e.type === 'log' && e.code === 'DISK_WRITE_AGAIN');
    assert.equal(again.length, 1, 'the all-clear is said once');
    assert.match(again[0]!.message, /written/);
    assert.equal(again[0]!.channel?.latest?.unsaved, undefined, 'the view it carries has no unsaved mark');
    assert.ok(!told.some((e) => e.type === 'error'), `no error after space came back: ${JSON.stringify(told.filter((e) => e.type === 'error'))}`);
    const send = p.alice.currentChannel()!.actions.send;
    assert.notEqual(send.ok ? 'ok' : send.code, 'DISK_WRITE_FAILED');

    await p.alice.stop();
    p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    assert.deepEqual(await history(p.alice, r.step), mine, 'a restart finds every state on disk');
    await connect(p.alice, p.bob);
    const closedA = waitForEvent(p.alice, 'closed', () => true, 60_000);
    const w = await p.alice.withdraw({ mode: 'cooperative' });
    assert.equal(w.mode, 'cooperative');
    const c = await closedA;
    assert.deepEqual([c.payoutA, c.payoutB], [TON('3.5'), TON('3.5')]);
  } finally {
    await closePair(p);
  }
});

test('space freed after a full disk and nothing asked of the node: it writes what it held by itself, and the partner gets its signature', async () => {
  const p = await openPair();
  try {
    const disk = await fullAtBobsPayment(p);
    const tried = disk.failures();
    await until('the node tries again by itself while the disk is full', () => disk.failures() > tried, 30_000);
    const again = waitForEvent(p.alice, 'log', (e) => e.code === 'DISK_WRITE_AGAIN', 60_000);
    disk.free();
    await again;
    await until("Bob holds Bob's payment signed by both", () => latest(p.bob).step >= 1n);
    const v = p.alice.currentChannel()!;
    assert.equal(v.latest?.unsaved, undefined);
    for (const a of [v.actions.send, v.actions.createEmpty, v.actions.requestEmpty]) assert.notEqual(a.ok ? 'ok' : a.code, 'DISK_WRITE_FAILED');
    await until('both hold the same latest state', () => latest(p.alice).step === latest(p.bob).step);
    assert.deepEqual([latest(p.bob).balanceA, latest(p.bob).balanceB], [TON('4'), TON('3')]);
  } finally {
    await closePair(p);
  }
});

test("a payment of the node's own held with a full disk is said to go once space is freed, and is made once: the partner signs it, nothing is sent twice", async () => {
  const p = await openPair();
  try {
    await fund(p); // step 1 is Bob's: Alice's payment asks him for the turn first
    const disk = diskFull(p, 'alice');
    const e = await p.alice.pay(TON('0.5'), { waitMs: 20_000 }).then(() => null, (x: { code?: string; message: string }) => x);
    assert.equal(e?.code, 'DISK_WRITE_FAILED', `the payment's write failed: ${e?.message}`);
    assert.match(e.message, /held in memory, and none of it has left this node/);
    const v = p.alice.currentChannel()!;
    assert.equal(v.pending, null, 'her proposal never left: nothing shown as awaiting Bob');
    const again = waitForEvent(p.alice, 'log', (x) => x.code === 'DISK_WRITE_AGAIN', 60_000);
    const signed = waitForEvent(p.alice, 'stateSigned', (x) => x.state.balanceA === TON('2.5'), 60_000);
    disk.free();
    const said = await again;
    assert.match(said.message, /your payment of 0\.5 TON in step \d+, held with it, goes to your partner now/);
    const s = await signed;
    // said in the event's data too: a UI tells it without reading the message (the extension's toast)
    assert.deepEqual(said.payment, { step: s.state.step, amount: TON('0.5') });
    await until('Bob holds it', () => latest(p.bob).step >= s.state.step);
    assert.deepEqual([latest(p.bob).balanceA, latest(p.bob).balanceB], [TON('2.5'), TON('4.5')], 'paid once');
    assert.deepEqual(await history(p.alice, s.state.step), await history(p.bob, s.state.step));
  } finally {
    await closePair(p);
  }
});

test('a crash while the node writes what it held leaves a journal a restart opens at a good record: the partner resyncs it, the payment is in once', async () => {
  const p = await openPair();
  try {
    await fund(p);
    const inner = p.alice.node as unknown as { ctx: { channels: Map<string, { storage: { writer: Writer } | null }> } };
    const writer = [...inner.ctx.channels.values()][0]!.storage!.writer;
    let full = true;
    let dead = false;
    const crashed = join(p.dir, 'alice-crashed');
    writer.writeDurable = async (bytes, at) => {
      if (full || dead) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      dead = true; // once: the process is dead from here on, only its stop is left
      // the retry's write is torn: part of it reaches the disk, and the process dies there (its disk is copied)
      const file = [...inner.ctx.channels.values()][0]!.storage as unknown as { journalPath: string };
      const fh = await open(file.journalPath, 'r+');
      await fh.write(bytes, 0, Math.floor(bytes.length / 2), at);
      await fh.close();
      await cp(join(p.dir, 'alice'), crashed, { recursive: true });
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    };
    const failed = waitForEvent(p.alice, 'error', (e) => e.code === 'DISK_WRITE_FAILED', 30_000);
    await p.bob.pay(TON('1'), { waitMs: 3_000 }).catch(() => undefined);
    await failed;
    full = false;
    await p.alice.pay(TON('0.5'), { waitMs: 2_000 }).catch(() => undefined); // its retry is the write that crashes
    await until('the crash copy is taken', () => stat(crashed).then(() => true, () => false));
    await p.alice.stop();
    await rm(join(p.dir, 'alice'), { recursive: true });
    await rename(crashed, join(p.dir, 'alice'));
    await rm(join(p.dir, 'alice', 'synchannel.lock'), { force: true });

    p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    const opened = p.alice.currentChannel()!;
    assert.ok(opened.latest && opened.latest.step <= 1n && !opened.latest.unsaved, `it opens at a good record: step ${opened.latest?.step}`);
    await connect(p.alice, p.bob);
    await until('both hold the payment signed by both', () => latest(p.alice).step >= 1n && latest(p.bob).step === latest(p.alice).step);
    const step = latest(p.bob).step;
    assert.deepEqual(await history(p.alice, step), await history(p.bob, step), 'the same states');
    assert.deepEqual([latest(p.bob).balanceA, latest(p.bob).balanceB], [TON('4'), TON('3')], "Bob's payment is in once");
  } finally {
    await closePair(p);
  }
});

test('space freed just before the node stops: what the journal held is written as it stops, and the restart finds it', async () => {
  const p = await openPair();
  try {
    const disk = await fullAtBobsPayment(p);
    disk.free();
    await p.alice.stop();
    p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    const v = p.alice.currentChannel()!;
    assert.deepEqual([v.latest?.step, v.latest?.unsaved], [1n, undefined], "Bob's payment, signed by both, is on disk");
  } finally {
    await closePair(p);
  }
});

test('the disk still full as the node stops: it says what it held in memory is dropped, and that none of it left', async () => {
  const p = await openPair();
  try {
    await fullAtBobsPayment(p);
    const said: string[] = [];
    p.alice.on((e) => void (e.type === 'log' && e.level === 'warn' ? said.push(e.message) : undefined));
    await p.alice.stop();
    assert.ok(said.some((m) => /the node stops while its journal still cannot be written: what it held in memory only is dropped \(none of it left this node\)/.test(m)), said.join('\n'));
  } finally {
    await closePair(p);
  }
});
