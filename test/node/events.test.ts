// Audit item 8: a --json event carries one channel's view, never its history: the size of every event stays
// the same whether the channel holds 10 or 250 states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLine } from '../../src/cli/format.js';
import { waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { TON } from '../adversary/scene.js';
import { World } from '../adversary/world.js';
import { closePair, fund, openPair } from '../helpers/nodes.js';

/** The line the CLI prints for an event in --json mode. */
const line = (e: NodeEvent) => jsonLine({ event: e.type, ...e, type: undefined });

test('--json events do not grow with the history (10 vs 250 states)', async () => {
  const w = await World.create();
  try {
    const a = await w.node('a');
    const b = await w.node('b');
    await w.link(a, b);
    const ch = (await w.open(a, b, TON('100'), TON('100'))).channelId;
    const sizes = async (from: number) => {
      await w.pay(b, ch, TON('0.01'));
      await w.pay(a, ch, TON('0.01'));
      const es = [...a.events.slice(from), ...b.events.slice(from)].filter((e) => e.type === 'stateSigned' || e.type === 'stateReceived' || e.type === 'channelUpdated');
      return Math.max(...es.map((e) => Buffer.byteLength(line(e))));
    };
    const early = await sizes(a.events.length);
    while (World.step(a.node, ch) < 250n) await w.pay(b, ch, TON('0.001'));
    const late = await sizes(a.events.length);
    assert.ok(late < 8 * 1024, `an event of ${late} bytes at step ${World.step(a.node, ch)}`);
    // The same fields; only the numbers' digits may differ.
    assert.ok(Math.abs(late - early) < 64, `${early} bytes at step ~10, ${late} at step ~250`);
  } finally {
    await w.close();
  }
});

test('each deposit is reported once, before the channel locks, however the node learns of it (watch, hint)', async () => {
  const p = await openPair();
  try {
    const seen: NodeEvent[] = [];
    p.alice.on((e) => void seen.push(e));
    await fund(p);
    await new Promise((r) => setTimeout(r, 500)); // the watch's later polls report nothing new
    const types = seen.map((e) => (e.type === 'depositSeen' ? `depositSeen ${e.party} ${e.amount}` : e.type)).filter((t) => t.startsWith('depositSeen') || t === 'channelLocked');
    assert.deepEqual(types, [`depositSeen A ${TON('3')}`, `depositSeen B ${TON('4')}`, 'channelLocked']);
  } finally {
    await closePair(p);
  }
});

test('two reads that see the same deposit at once report it once (a watch event and a hint raced: printed twice)', async () => {
  const p = await openPair();
  try {
    await fund(p);
    // read as open: a funding read after the lock is a lagging one, and not taken
    type Read = { phase: 'open'; depositA: bigint; depositB: bigint };
    type Internals = { node: { ctx: { channels: Map<string, { rec: { depositA: bigint; depositB: bigint } }> }; arbiter: { deposits: { read(ctl: unknown, d: Read): Promise<unknown> } } } };
    const inner = (p.alice as unknown as Internals).node;
    const ctl = [...inner.ctx.channels.values()][0]!;
    const seen: NodeEvent[] = [];
    p.alice.on((e) => void (e.type === 'depositSeen' && seen.push(e)));
    const more = ctl.rec.depositB + TON('1');
    const read: Read = { phase: 'open', depositA: ctl.rec.depositA, depositB: more };
    await Promise.all([inner.arbiter.deposits.read(ctl, read), inner.arbiter.deposits.read(ctl, read)]);
    assert.deepEqual(seen.map((e) => e.type === 'depositSeen' && `${e.party} ${e.amount}`), [`B ${TON('1')}`]);
  } finally {
    await closePair(p);
  }
});

test('a declined proposal is told as declined to the proposer and as withdrawn to the partner, without "declined: declined"', async () => {
  const p = await openPair();
  try {
    const logs = (n: typeof p.alice) => {
      const out: string[] = [];
      n.on((e) => void (e.type === 'log' && /proposal|declined/.test(e.message) && out.push(e.message)));
      return out;
    };
    const [aliceSaid, bobSaid] = [logs(p.alice), logs(p.bob)];
    let proposed = waitForEvent(p.bob, 'channelProposed');
    const first = await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    await proposed;
    let told = waitForEvent(p.alice, 'log', (e) => e.message.includes(first.contract));
    await p.bob.decline({ channel: first.channelId });
    await told;
    proposed = waitForEvent(p.bob, 'channelProposed');
    const second = await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    await proposed;
    told = waitForEvent(p.bob, 'log', (e) => e.message.includes(second.contract));
    await p.alice.decline({ channel: second.channelId });
    await told;
    assert.deepEqual(aliceSaid, [`your partner declined channel ${first.contract}`]);
    assert.deepEqual(bobSaid, [`your partner withdrew its proposal of channel ${second.contract}`]);
  } finally {
    await closePair(p);
  }
});

test('automatic mode: the payer hears of its payment signed before the pass that came with it (steps in order)', async () => {
  const p = await openPair();
  try {
    await fund(p);
    const order: string[] = [];
    p.bob.on((e) => void ((e.type === 'stateSigned' || e.type === 'stateReceived') && order.push(`${e.type} ${e.state.step}`)));
    const passed = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 1n);
    await p.bob.createEmpty(); // step 1: the turn is Alice's
    await passed;
    for (let i = 0; i < 3; i++) {
      const from = order.length;
      const back = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === BigInt(2 * i + 3));
      // Bob hears of Alice's countersignature of his pass last (a fixed 50 ms wait was too short under load).
      const bobBack = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === BigInt(2 * i + 3));
      await p.alice.send(TON('0.1'));
      await back;
      await bobBack;
      const s = BigInt(2 * i + 2);
      // Bob receives Alice's payment, signs it and passes: his own events, then Alice's countersignature of his pass.
      assert.deepEqual(order.slice(from), [`stateReceived ${s}`, `stateSigned ${s}`, `stateSigned ${s + 1n}`]);
    }
    const aliceOrder: string[] = [];
    p.alice.on((e) => void ((e.type === 'stateSigned' || e.type === 'stateReceived') && aliceOrder.push(`${e.type} ${e.state.step}`)));
    const back = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 9n);
    await p.alice.send(TON('0.1')); // step 8, Bob's pass: 9
    await back;
    assert.deepEqual(aliceOrder, ['stateSigned 8', 'stateReceived 9', 'stateSigned 9']);
  } finally {
    await closePair(p);
  }
});

test("a slow save of the record as the channel opens does not hold back the initial state's stateSigned behind later states", async () => {
  const p = await openPair();
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    const deposit = p.bob.deposit();
    // Bob's record saves are slow once the channel opens (a loaded disk): his states go on meanwhile.
    type Storage = { writeRecord(r: { life: string }): Promise<void> };
    const inner = p.bob.node as unknown as { ctx: { channels: Map<string, { storage: Storage | null }> } };
    const storage = await until(() => inner.ctx.channels.get(view.channelId)?.storage);
    const write = storage.writeRecord.bind(storage);
    storage.writeRecord = async (r) => {
      if (r.life === 'open') await new Promise((res) => setTimeout(res, 1_500));
      return write(r);
    };
    const order: string[] = [];
    p.bob.on((e) => void (e.type === 'stateSigned' && order.push(`stateSigned ${e.state.step}`)));
    // Alice may hold Bob's signature of the initial state before his deposit call returns: wait from before.
    const initial = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 0n);
    await deposit;
    await initial;
    const passed = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 1n);
    await p.bob.createEmpty();
    await passed;
    assert.deepEqual(order.slice(0, 2), ['stateSigned 0', 'stateSigned 1']);
  } finally {
    await closePair(p);
  }
});

test("the payout is told (closed) even when the record cannot be saved then (a full disk): the failure comes after it", async () => {
  const p = await openPair();
  try {
    await fund(p);
    type Storage = { writeRecord(r: { life: string }): Promise<void> };
    const inner = p.bob.node as unknown as { ctx: { channels: Map<string, { storage: Storage | null }> } };
    const id = p.bob.currentChannel()!.channelId;
    const storage = await until(() => inner.ctx.channels.get(id)?.storage);
    const write = storage.writeRecord.bind(storage);
    storage.writeRecord = async (r) => {
      if (r.life === 'closed') throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'DISK_WRITE_FAILED' });
      return write(r);
    };
    const closed = waitForEvent(p.bob, 'closed', () => true, 30_000);
    await p.alice.withdraw({ mode: 'cooperative' });
    const e = await closed;
    assert.equal(e.payout.balanceA + e.payout.balanceB, TON('7'));
  } finally {
    await closePair(p);
  }
});

async function until<T>(fn: () => T | null | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}
