// Coalesced payments (pay): many payments asked for at once share states; each resolves exactly once, in order,
// with the state both signed that includes it, once it is durable on both sides; the ones that cannot be included
// (not enough balance left at their turn, the partner gone, the channel closing, the node stopping) are rejected,
// and only those. Two real nodes on a sandbox over loopback libp2p.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent, type PaymentResult } from '../../src/node/index.js';
import { TON, closePair, fund, latest, openPair, until, type TestNode } from '../helpers/nodes.js';

type Outcome = { i: number; ok: true; r: PaymentResult } | { i: number; ok: false; code: string; sent?: boolean; message?: string };

/** Asks for `amounts` at once; records each outcome in the order they settle (each must settle once). */
function payAll(node: TestNode, amounts: bigint[]): { settled: Outcome[]; done: Promise<void> } {
  const settled: Outcome[] = [];
  const seen = new Set<number>();
  const once = (o: Outcome) => {
    assert.ok(!seen.has(o.i), `payment ${o.i} settled twice`);
    seen.add(o.i);
    settled.push(o);
  };
  const all = amounts.map((a, i) =>
    node.pay(a).then(
      (r) => once({ i, ok: true, r }),
      (e: Error & { code?: string; sent?: boolean }) => once({ i, ok: false, code: e.code ?? e.message, sent: e.sent === true, message: e.message }),
    ),
  );
  return { settled, done: Promise.all(all).then(() => undefined) };
}

type Ctl = { storage: { append(e: unknown[]): Promise<void>; readStates(a: bigint, b: bigint): Promise<{ state: { step: bigint; balanceB: bigint } }[]> } };
type Ctx = { channels: Map<string, Ctl>; sessionOf(c: Ctl): { send(m: { type: string }): Promise<void> } | null };

/** The node's only channel and context (to see what is on its disk, and what it sends). */
function inside(n: TestNode): { ctx: Ctx; ctl: Ctl } {
  const ctx = (n.node as unknown as { ctx: Ctx }).ctx;
  return { ctx, ctl: [...ctx.channels.values()][0]! };
}

function storageOf(n: TestNode) {
  return inside(n).ctl.storage;
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('pay: coalesced payments', () => {
  test('each of 2,000 payments resolves once, in order, with the state that carries it, durable on both sides', async () => {
    const p = await openPair();
    try {
      await fund(p);
      const before = latest(p.bob);
      const amounts = Array.from({ length: 2000 }, (_, i) => BigInt(1000 + i));
      const { settled, done } = payAll(p.bob, amounts);
      await done;
      assert.deepEqual(settled.map((o) => o.i), amounts.map((_, i) => i), 'settled in the order asked');
      const results = settled.map((o) => (o.ok ? o.r : assert.fail(`payment ${o.i} failed: ${o.code}`)));
      let balance = before.balanceB;
      const steps = new Set<bigint>();
      results.forEach((r, i) => {
        balance -= amounts[i]!;
        assert.equal(r.amount, amounts[i]);
        assert.equal(r.myBalance, balance, `payment ${i}: my balance right after it`);
        if (i > 0) assert.ok(r.step > results[i - 1]!.step || (r.step === results[i - 1]!.step && r.index === results[i - 1]!.index + 1));
        steps.add(r.step);
      });
      assert.ok(steps.size < amounts.length, `coalesced: ${steps.size} states for ${amounts.length} payments`);
      // The state carrying the last payment is on both disks with that balance.
      const last = results[results.length - 1]!;
      for (const n of [p.alice, p.bob]) {
        const [s] = await storageOf(n).readStates(last.step, last.step + 1n);
        assert.equal(s?.state.balanceB, balance, 'durable on both sides');
      }
      // Each state's balance is the last included payment's: nothing else moved.
      for (const step of steps) {
        const inIt = results.filter((r) => r.step === step);
        assert.equal(inIt.length, inIt[0]!.of);
        const [s] = await storageOf(p.alice).readStates(step, step + 1n);
        assert.equal(s!.state.balanceB, inIt[inIt.length - 1]!.myBalance);
      }
    } finally {
      await closePair(p);
    }
  });

  test('not enough balance part-way: exactly the payments that do not fit at their turn are refused, in their places', async () => {
    const p = await openPair();
    try {
      await fund(p, { a: '3', b: '1' });
      const amounts = [TON('0.4'), TON('0.4'), TON('0.4'), TON('0.1'), TON('0.2'), TON('0.1')];
      const { settled, done } = payAll(p.bob, amounts);
      await done;
      assert.deepEqual(settled.map((o) => o.i), [0, 1, 2, 3, 4, 5], 'in order');
      assert.deepEqual(settled.map((o) => (o.ok ? 'ok' : o.code)), ['ok', 'ok', 'INSUFFICIENT_BALANCE', 'ok', 'INSUFFICIENT_BALANCE', 'ok']);
      await until('Alice holds the payments', () => latest(p.alice).balanceB === 0n);
      assert.equal(latest(p.alice).balanceA, TON('4'));
      await assert.rejects(p.bob.pay(1n), (e: Error & { code?: string }) => e.code === 'INSUFFICIENT_BALANCE');
    } finally {
      await closePair(p);
    }
  });

  test('the partner gone: waiting payments are refused, the one in flight waits; stopping refuses it', async () => {
    // Alice signs by hand: Bob's first state stays in flight and the next payments wait behind it.
    const p = await openPair({ autoMode: false, bob: { autoMode: true } });
    try {
      await fund(p);
      const got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n);
      const first = payAll(p.bob, [TON('0.1'), TON('0.2')]);
      await got;
      const more = payAll(p.bob, [TON('0.3'), TON('0.4'), TON('0.5')]);
      await p.alice.stop();
      await more.done;
      assert.deepEqual(more.settled.map((o) => [o.i, o.ok ? 'ok' : o.code]), [[0, 'PARTNER_OFFLINE'], [1, 'PARTNER_OFFLINE'], [2, 'PARTNER_OFFLINE']]);
      assert.equal(first.settled.length, 0, 'the state in flight is neither paid nor refused while the partner may still sign it');
      await assert.rejects(p.bob.pay(TON('0.1')), (e: Error & { code?: string }) => e.code === 'PARTNER_OFFLINE');
      await p.bob.stop();
      await first.done;
      // Its state was sent and may still be signed by Alice (it is on both disks): not "nothing happened".
      assert.deepEqual(first.settled.map((o) => [o.i, o.ok ? 'ok' : o.code, !o.ok && o.sent]), [[0, 'NODE_STOPPED', true], [1, 'NODE_STOPPED', true]]);
      assert.ok(first.settled.every((o) => !o.ok && /state 1 carrying this payment .*your partner may still sign it/.test(o.message ?? '')), JSON.stringify(first.settled));
    } finally {
      await closePair(p);
    }
  });

  test('a close on chain: the payments in flight and waiting are refused CHANNEL_CLOSING', async () => {
    const p = await openPair({ autoMode: false, bob: { autoMode: true } });
    try {
      await fund(p);
      const got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n);
      const first = payAll(p.bob, [TON('0.1')]);
      await got;
      const more = payAll(p.bob, [TON('0.2'), TON('0.3')]);
      await p.alice.withdraw({ mode: 'unilateral' });
      await Promise.all([first.done, more.done]);
      assert.deepEqual(more.settled.map((o) => (o.ok ? 'ok' : o.code)), ['CHANNEL_CLOSING', 'CHANNEL_CLOSING']);
      // The state in flight is refused as closing (the close on chain shows whether it counted), unless Alice's node
      // countersigned it first: it pays her more than the state she closed with, so her defense may take it.
      const [inFlight] = first.settled.map((o) => (o.ok ? 'ok' : o.code));
      if (inFlight === 'ok') assert.ok((p.alice.currentChannel()?.latest?.step ?? 0n) >= 1n, 'settled: Alice signed state 1');
      else assert.equal(inFlight, 'CHANNEL_CLOSING');
    } finally {
      await closePair(p);
    }
  });

  test('one at a time, both ways: the turn comes back by itself; payments asked on both sides at once all settle', async () => {
    const p = await openPair();
    try {
      await fund(p);
      for (let i = 0; i < 5; i++) {
        const r = await p.bob.pay(TON('0.01'));
        assert.equal(r.of, 1);
      }
      // Alice does not hold the turn: her payments wait for it and go in her next state.
      const a = payAll(p.alice, [TON('0.1'), TON('0.1')]);
      const b = payAll(p.bob, [TON('0.05'), TON('0.05')]);
      await Promise.all([a.done, b.done]);
      assert.ok([...a.settled, ...b.settled].every((o) => o.ok));
      await until('both agree', () => latest(p.alice).step === latest(p.bob).step && latest(p.alice).balanceA === TON('3') - TON('0.2') + TON('0.15'));
    } finally {
      await closePair(p);
    }
  });

  test('a payment waits at most waitMs: one in a state sent is refused TIMEOUT with sent, one waiting behind it TIMEOUT, nothing paid', async () => {
    // Alice signs by hand and does not: Bob's first state stays in flight, the next payment waits behind it.
    const p = await openPair({ autoMode: false, bob: { autoMode: true } });
    try {
      await fund(p);
      const got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n);
      type Out = { ok?: bigint; code?: string; sent?: boolean; message?: string };
      const outcome = (x: Promise<PaymentResult>): Promise<Out> => x.then((r) => ({ ok: r.step }), (e: Error & { code?: string; sent?: boolean }) => ({ code: e.code, sent: e.sent === true, message: e.message }));
      const first = outcome(p.bob.pay(TON('0.1'), { waitMs: 1_500 }));
      await got;
      const second = outcome(p.bob.pay(TON('0.2'), { waitMs: 1_500 }));
      // bounded here (the old pay waited for ever): well past its waitMs
      const still = new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 20_000).unref());
      const [a, b] = await Promise.all([Promise.race([first, still]), Promise.race([second, still])]);
      if (a === 'still waiting' || b === 'still waiting') assert.fail(`past its waitMs: the payment in flight ${a === 'still waiting' ? 'is still waiting' : 'ended'}, the one behind it ${b === 'still waiting' ? 'is still waiting' : 'ended'}`);
      assert.deepEqual([a.code, a.sent, b.code, b.sent], ['TIMEOUT', true, 'TIMEOUT', false]);
      assert.match(a.message!, /state 1 carrying this payment was proposed to your partner .*showLast shows whether it counted/);
      assert.match(b.message!, /it was not made \(nothing was paid\)/);
      // Alice signs later: the state carrying the first payment counts, the second was never put in one
      await p.alice.sign();
      await until('Bob holds step 1', () => latest(p.bob).step === 1n);
      assert.equal(latest(p.bob).balanceB, TON('4') - TON('0.1'));
    } finally {
      await closePair(p);
    }
  });

  test('a payment refused in its batch (past the balance left) is told so when its waitMs ends, not as one its state carries', async () => {
    // Bob's two payments go to one state: the first fits, the second is past what is left after it. Alice does not sign.
    const p = await openPair({ autoMode: false, bob: { autoMode: true } });
    try {
      await fund(p);
      const outcome = (x: Promise<PaymentResult>) => x.then((r) => ({ code: `paid in state ${r.step}`, sent: false }), (e: Error & { code?: string; sent?: boolean }) => ({ code: e.code, sent: e.sent === true }));
      const both = Promise.all([outcome(p.bob.pay(TON('3'), { waitMs: 1_500 })), outcome(p.bob.pay(TON('3'), { waitMs: 1_500 }))]);
      assert.deepEqual(await both, [
        { code: 'TIMEOUT', sent: true },
        { code: 'INSUFFICIENT_BALANCE', sent: false },
      ]);
    } finally {
      await closePair(p);
    }
  });

  test('many payments that wait past waitMs are each refused, and the node does not stand still meanwhile', async () => {
    // 250,000 payments behind a state Alice never signs. Each timeout took its payment out of the queue's front, a
    // copy of the whole queue each: the event loop stood still for about 45 s (nothing answered, not even a
    // challenge's timer). Bounded here by the longest gap between ticks of a 100 ms interval: 15 s.
    const p = await openPair({ autoMode: false, bob: { autoMode: true } });
    let last = Date.now();
    let longest = 0;
    const tick = setInterval(() => {
      longest = Math.max(longest, Date.now() - last);
      last = Date.now();
    }, 100);
    try {
      await fund(p);
      const got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n);
      const first = p.bob.pay(TON('0.1'), { waitMs: 1_000 }).catch((e: Error & { code?: string }) => e.code);
      await got;
      const codes = new Set<string>();
      const all: Promise<void>[] = [];
      for (let i = 0; i < 250_000; i++) all.push(p.bob.pay(1n, { waitMs: 1_000 }).then(() => assert.fail('paid'), (e: Error & { code?: string }) => void codes.add(e.code ?? e.message)));
      last = Date.now();
      longest = 0;
      await Promise.all(all);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual([...codes], ['TIMEOUT']);
      assert.equal(await first, 'TIMEOUT');
      assert.ok(longest < 15_000, `the event loop stood still ${longest} ms while the payments timed out`);
      // the channel still works: Alice signs the state in flight
      await p.alice.sign();
      await until('Bob holds step 1', () => latest(p.bob).step === 1n);
    } finally {
      clearInterval(tick);
      await closePair(p);
    }
  });

  test('mixed waitMs: each payment waiting ends at its own waitMs, a shorter one behind longer ones too; a signal stops one', async () => {
    // One timer per channel serves every wait: a shorter wait asked after longer ones must still end first, alone.
    const p = await openPair({ autoMode: false, bob: { autoMode: true } });
    try {
      await fund(p);
      const got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n);
      const told = new Map<string, string>();
      const track = (name: string, x: Promise<PaymentResult>) => x.then((r) => void told.set(name, `paid in state ${r.step}`), (e: Error & { code?: string }) => void told.set(name, e.code ?? e.message));
      const stop = new AbortController();
      const all = [track('in flight, 60 s', p.bob.pay(TON('0.1'), { waitMs: 60_000 }))];
      await got;
      all.push(track('waiting, 50 s', p.bob.pay(TON('0.1'), { waitMs: 50_000 })));
      const short = track('waiting, 1 s', p.bob.pay(TON('0.1'), { waitMs: 1_000 }));
      all.push(track('waiting, 40 s, stopped', p.bob.pay(TON('0.1'), { waitMs: 40_000, signal: stop.signal })));
      all.push(track('waiting, 50 s, last', p.bob.pay(TON('0.1'), { waitMs: 50_000 })));
      // bounded here: well before the longer waits end
      await Promise.race([short, new Promise((r) => setTimeout(r, 15_000).unref())]);
      await turns(5);
      assert.deepEqual([...told], [['waiting, 1 s', 'TIMEOUT']], 'only the 1 s payment ends at 1 s');
      stop.abort();
      await until('the stopped one is told', () => told.has('waiting, 40 s, stopped'));
      await turns(5);
      assert.deepEqual([...told], [['waiting, 1 s', 'TIMEOUT'], ['waiting, 40 s, stopped', 'CANCELLED']]);
      await p.bob.stop();
      await Promise.all(all);
      assert.deepEqual([...told].slice(2), [['in flight, 60 s', 'NODE_STOPPED'], ['waiting, 50 s', 'NODE_STOPPED'], ['waiting, 50 s, last', 'NODE_STOPPED']]);
    } finally {
      await closePair(p);
    }
  });

  test('a partner that signs by hand: the payer asks for the turn when no pass comes, and pays once it has it', async () => {
    const p = await openPair({ autoMode: false, bob: { autoMode: true } });
    try {
      await fund(p);
      let got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n);
      const first = p.bob.pay(TON('0.1'));
      await got;
      await p.alice.sign();
      assert.equal((await first).step, 1n);
      // Alice passes nothing by herself: Bob's next payment waits, then asks her for the turn.
      const asked = waitForEvent(p.alice, 'turnRequested');
      const second = p.bob.pay(TON('0.2'));
      await asked;
      got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 3n);
      const passed = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 2n);
      await p.alice.createEmpty();
      await passed;
      await got;
      await p.alice.sign();
      const r = await second;
      assert.deepEqual([r.step, r.myBalance], [3n, TON('4') - TON('0.3')]);
    } finally {
      await closePair(p);
    }
  });

  test('write before send: a countersignature leaves only once it is on disk, and the payer resolves only after', async () => {
    const p = await openPair();
    try {
      await fund(p);
      const { ctx, ctl } = inside(p.alice);
      const sent: string[] = [];
      const session = ctx.sessionOf(ctl)!;
      const send = session.send.bind(session);
      session.send = (m) => {
        sent.push(m.type);
        return send(m);
      };
      // Alice's disk stalls: her appends wait for the gate.
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      let appends = 0;
      const append = ctl.storage.append.bind(ctl.storage);
      ctl.storage.append = (e) => {
        appends++;
        return gate.then(() => append(e));
      };
      let resolved = false;
      const paid = p.bob.pay(TON('0.1')).then((r) => ((resolved = true), r));
      await until('Alice countersigned in memory and asked her disk', () => appends > 0);
      await turns(10);
      assert.deepEqual(sent, [], 'nothing left Alice before her write was durable');
      assert.equal(resolved, false, 'the payer is not told before the payee has it on disk');
      open();
      const r = await paid;
      assert.equal(r.step, 1n);
      assert.deepEqual(sent.slice(0, 2), ['state.countersign', 'state.propose'], 'the countersignature, then the pass, after the write');
    } finally {
      await closePair(p);
    }
  });
});
