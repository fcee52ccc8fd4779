// A withdraw that meets the partner's or the person's own move at the same moment still closes cooperatively (the
// fallback, a close alone, waits the whole challenge window), and a close state goes to the chain only once the
// journal holds it. Found by test/node/slow-disk.soak.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { TON, closePair, fund, openPair, until } from '../helpers/nodes.js';
import { holdQueue, slowDisk } from '../helpers/slow-disk.js';

const coop = (r: { mode: string; fellBack: boolean; fallbackReason: string | null }) => [r.mode, r.fellBack, r.fallbackReason];

test('a payer who signs by hand withdraws right after paying: the partner passes the turn back at once, and the withdraw signs it and closes together', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000, autoMode: false, bob: { autoMode: true } });
  try {
    await fund(p);
    const got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n);
    await p.bob.send(TON('0.2'));
    await got;
    await p.alice.sign(); // the turn is Alice's (step 2)
    await p.alice.send(TON('0.1'), { waitMs: 10_000 });
    assert.deepEqual(coop(await p.alice.withdraw({})), ['cooperative', false, null]);
  } finally {
    await closePair(p);
  }
});

test("a withdraw whose turn request crosses the partner's payment gets the turn (its automatic pass does not hand it straight back)", async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 3000 });
  try {
    await fund(p); // the turn is Bob's (step 1)
    const sent = p.bob.send(TON('0.1'));
    const r = await p.alice.withdraw({});
    assert.equal((await sent).step, 1n);
    assert.deepEqual(coop(r), ['cooperative', false, null]);
  } finally {
    await closePair(p);
  }
});

test("a withdraw that meets the partner's turn request proposes the close (no automatic pass first) and closes together", async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000 });
  try {
    await fund(p); // the turn is Bob's (step 1)
    const id = p.bob.currentChannel()!.channelId;
    // Alice's turn request (her withdraw asks for the turn) reaches Bob's busy queue just before his withdraw acts.
    const held = holdQueue(p.bob, id, 400);
    const asked = waitForEvent(p.bob, 'turnRequested');
    await p.alice.requestEmpty();
    await new Promise((r) => setTimeout(r, 150));
    const r = await p.bob.withdraw({});
    await held;
    await asked;
    assert.deepEqual(coop(r), ['cooperative', false, null]);
    assert.equal(r.step, 1n, 'the close state is the next step: no pass before it');
  } finally {
    await closePair(p);
  }
});

test('a withdraw right behind a payment of its own in the queue waits for it, then closes together', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000 });
  try {
    await fund(p); // the turn is Bob's (step 1)
    const held = holdQueue(p.bob, p.bob.currentChannel()!.channelId, 300);
    const sent = p.bob.send(TON('0.1'));
    const r = await p.bob.withdraw({});
    await held;
    assert.equal((await sent).step, 1n);
    assert.deepEqual(coop(r), ['cooperative', false, null]);
  } finally {
    await closePair(p);
  }
});

test("a person's sign at the same moment as their withdraw: the withdraw finds it signed and closes together", async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 8000, bob: { autoMode: false } });
  try {
    await fund(p, { manualSign: true });
    const passed = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 1n);
    await p.bob.createEmpty();
    await passed;
    await p.alice.send(TON('0.1'));
    await until('Bob sees the payment to sign', () => p.bob.currentChannel()?.pending?.awaiting === 'me', 5_000);
    const signed = p.bob.sign();
    const r = await p.bob.withdraw({});
    assert.equal((await signed).step, 2n);
    assert.deepEqual(coop(r), ['cooperative', false, null]);
  } finally {
    await closePair(p);
  }
});

test('a close state the partner signs while a close alone goes out is paid out only once the journal holds it', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    await fund(p, { manualSign: true });
    const passed = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 1n);
    await p.bob.createEmpty();
    await passed;
    const id = p.alice.currentChannel()!.channelId;
    const disk = await slowDisk(p.alice, id, (e) => e.kind === 'committed' && e.state.state.tag === 'close', 1_500);
    const chain = p.chain as unknown as Record<'startClose' | 'cooperativeClose', (...a: unknown[]) => Promise<unknown>>;
    const realStart = chain.startClose.bind(p.chain);
    const realCoop = chain.cooperativeClose.bind(p.chain);
    const onDiskAtSend: boolean[] = [];
    const inner = (p.alice as unknown as { node: { ctx: { o: { wallet: unknown }; channels: Map<string, { channel: { latest: { state: { tag: string } } | null } }> } } }).node.ctx;
    chain.cooperativeClose = async (...a) => {
      // Bob's endpoint is down (his close state is on his disk): Alice's node is the one that pays it out.
      if (a[0] !== inner.o.wallet) throw new Error('injected: connect ECONNREFUSED 127.0.0.1:8081');
      onDiskAtSend.push(disk.acked.length > 0);
      return realCoop(...a);
    };
    // Bob signs the close state by hand just as Alice's withdraw gave up waiting and closes alone.
    chain.startClose = async (...a) => {
      await p.bob.sign();
      await until('Alice holds the close state (in memory)', () => inner.channels.get(id)!.channel.latest?.state.tag === 'close', 5_000);
      return realStart(...a);
    };
    await p.alice.withdraw({});
    await until('both closed', () => p.alice.currentChannel()?.phase === 'closed' && p.bob.currentChannel()?.phase === 'closed', 20_000);
    assert.ok(onDiskAtSend.length > 0, 'Alice paid out the close state both signed during the window');
    assert.deepEqual(onDiskAtSend.filter((x) => !x), [], 'each cooperative close went to the chain once the close state was on disk');
    assert.equal(p.alice.currentChannel()!.latest?.tag, 'close');
  } finally {
    await closePair(p);
  }
});

test("a withdraw whose turn request meets the partner's pass in the queue proposes the close (ALREADY_YOUR_TURN made it close alone)", async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000 });
  try {
    await fund(p); // the turn is Bob's (step 1)
    // Bob's pass reaches Alice's busy queue; her withdraw, seeing Bob's turn, asks for it behind that pass.
    const held = holdQueue(p.alice, p.alice.currentChannel()!.channelId, 400);
    const got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n);
    await p.bob.createEmpty();
    await new Promise((r) => setTimeout(r, 150));
    const r = await p.alice.withdraw({});
    await held;
    await got;
    assert.deepEqual(coop(r), ['cooperative', false, null]);
    assert.equal(r.step, 2n, "the close follows Bob's pass");
  } finally {
    await closePair(p);
  }
});

test("a withdraw whose turn request meets the partner's payment in the queue signs it and proposes the close (PENDING_STATE made it close alone)", async () => {
  // Alice signs by hand: Bob's payment waits for her signature, and only her withdraw signs it.
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000, autoMode: false, bob: { autoMode: true } });
  try {
    await fund(p); // the turn is Bob's (step 1)
    // Bob's payment reaches Alice's busy queue; her withdraw, seeing Bob's turn, asks for it behind that payment.
    const held = holdQueue(p.alice, p.alice.currentChannel()!.channelId, 400);
    const got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n);
    await p.bob.send(TON('0.1'));
    await new Promise((r) => setTimeout(r, 150));
    const r = await p.alice.withdraw({});
    await held;
    await got;
    assert.deepEqual(coop(r), ['cooperative', false, null]);
    assert.equal(r.step, 2n, "the close follows Bob's payment, signed by the withdraw");
    assert.equal(r.payoutA, TON('3.1'));
  } finally {
    await closePair(p);
  }
});
