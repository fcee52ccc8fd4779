// An older copy of a data folder put back by hand (not through import, which holds signing until the partner's
// answer): right after its start the node must not propose a state at a step the partner already holds signed by
// both with other balances (two states of one step signed by us: the partner closes with the better one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { payOne } from '../helpers/reads.js';
import { TON, closePair, connect, fund, latest, openPair, until, type Pair } from '../helpers/nodes.js';

/** Alice pays 1 TON (her step), Bob's automatic pass follows: both hold it. */
async function pay(p: Pair): Promise<bigint> {
  const at = latest(p.alice).step + 2n;
  const back = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === at);
  await p.alice.send(TON('1'));
  await back;
  await until(`Bob holds step ${at}`, () => latest(p.bob).step === at);
  return at;
}

const restartAlice = async (p: Pair) => (p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } }));

/**
 * Alice's folder copied after her first payment (step 3), then `pays` more payments both hold (the last step
 * returned), then the copy put back and Alice started on it; `bobStops`: Bob is not running then.
 */
async function onOlderCopy(p: Pair, o: { pays?: number; bobStops?: boolean } = {}): Promise<bigint> {
  await fund(p, { a: '5' });
  await payOne(p); // Alice paid once: step 3 (Bob's pass)
  await p.alice.stop();
  await cp(join(p.dir, 'alice'), join(p.dir, 'alice-copy'), { recursive: true });
  await restartAlice(p);
  await connect(p.alice, p.bob);
  let held = 0n;
  for (let i = 0; i < (o.pays ?? 1); i++) held = await pay(p);
  await p.alice.stop();
  if (o.bobStops) await p.bob.stop();
  await rm(join(p.dir, 'alice'), { recursive: true });
  await cp(join(p.dir, 'alice-copy'), join(p.dir, 'alice'), { recursive: true });
  await restartAlice(p);
  return held;
}

test('a node started on an older copy of its data folder proposes no state at a step its partner holds: it pays after them', async () => {
  const p = await openPair();
  try {
    const held = await onOlderCopy(p, { pays: 2 }); // Bob holds step 7 signed by both
    assert.equal(latest(p.alice).step, 3n, 'the copy holds step 3');
    const equivocations: string[] = [];
    p.bob.on((e) => void (e.type === 'error' && e.code === 'EQUIVOCATION' && equivocations.push(e.message)));
    const before = latest(p.bob);
    const again = waitForEvent(p.alice, 'log', (e) => /is made again as state/.test(e.message));
    again.catch(() => undefined);
    // Alice pays at once, before her partner is back: her payment waits for his answer (or, if he is not back
    // within a few seconds, it is kept unsent and made again after it): never a state at a step of his
    const paying = p.alice.send(TON('0.5')).catch((e: Error) => e);
    await connect(p.alice, p.bob);
    const v = await paying;
    assert.ok(!(v instanceof Error), String(v));
    if (v.step <= held) await again;
    else assert.equal(v.step, held + 1n);
    await until('Bob signs her payment', () => latest(p.bob).step > held && latest(p.bob).balanceA !== before.balanceA);
    assert.equal(latest(p.bob).balanceA, before.balanceA - TON('0.5'));
    assert.deepEqual(equivocations, []);
  } finally {
    await closePair(p);
  }
});

test('on an older copy with its partner offline, a payment is kept unsent as before; their answer superseded it: made again after their states', async () => {
  const p = await openPair();
  try {
    const held = await onOlderCopy(p, { bobStops: true }); // Bob holds step 5 signed by both
    const told: string[] = [];
    p.alice.on((e) => void (e.type === 'log' && e.code === 'PARTNER_OFFLINE' && told.push(e.message)));
    // Bob is not running: the send is answered as before a start (kept, told offline), nothing leaves
    const v = await p.alice.send(TON('0.5')); // not the 1 TON of Bob's step 4: another state of that step
    assert.equal(v.step, 4n);
    assert.deepEqual(told, ['partner offline: your new state reaches them when they reconnect']);
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    const equivocations: string[] = [];
    p.bob.on((e) => void (e.type === 'error' && e.code === 'EQUIVOCATION' && equivocations.push(e.message)));
    const before = latest(p.bob);
    await connect(p.alice, p.bob);
    const again = waitForEvent(p.alice, 'log', (e) => /made again as state 6/.test(e.message));
    await until('Bob signs her payment made again after his states', () => latest(p.bob).step > held);
    await again;
    assert.equal(latest(p.bob).balanceA, before.balanceA - TON('0.5'));
    assert.deepEqual(equivocations, []);
  } finally {
    await closePair(p);
  }
});

/** Alice restarted on a copy of her folder at step 3, Bob running and holding step 5 signed by both (returned). */
test('on an older copy, coalesced payments asked for as the partner connects go into a state after the ones the partner holds', async () => {
  const p = await openPair();
  try {
    const held = await onOlderCopy(p);
    const equivocations: string[] = [];
    p.bob.on((e) => void (e.type === 'error' && e.code === 'EQUIVOCATION' && equivocations.push(e.message)));
    const connected = waitForEvent(p.alice, 'partnerConnected');
    const linked = connect(p.alice, p.bob);
    await connected; // Alice's resync request is on its way: her payments wait for Bob's answer
    const paid = await Promise.all([p.alice.pay(TON('0.25')), p.alice.pay(TON('0.25'))]);
    await linked;
    for (const r of paid) assert.ok(r.step > held, `a payment in state ${r.step}, after step ${held} Bob holds`);
    assert.deepEqual(equivocations, []);
  } finally {
    await closePair(p);
  }
});

/**
 * On an older copy (Bob holds step 5 signed by both), Alice's payment of 0.5 TON is kept on disk unsent at step 4
 * (Bob is not running); both start again, her staged state reloaded from disk without the amount of the send, not
 * connected yet. Returns the step Bob holds.
 */
async function stagedThenRestart(p: Pair): Promise<bigint> {
  const held = await onOlderCopy(p, { bobStops: true });
  const v = await p.alice.send(TON('0.5'));
  assert.equal(v.step, 4n);
  await p.alice.stop();
  await restartAlice(p);
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  return held;
}

test('on an older copy, a payment kept unsent and reloaded at the next start that their answer superseded: the person is told it was dropped, with its amount', async () => {
  const p = await openPair();
  try {
    const held = await stagedThenRestart(p);
    const warned: string[] = [];
    p.alice.on((e) => void (e.type === 'log' && e.level === 'warn' && warned.push(e.message)));
    const before = latest(p.bob);
    await connect(p.alice, p.bob);
    await until('Alice takes in the states Bob holds', () => latest(p.alice).step >= held);
    const told = await until('Alice is told her payment was dropped', () => warned.find((m) => /state 4/.test(m) && /0\.5 TON/.test(m)), 10_000);
    assert.match(told, /not (sent|made)/);
    assert.match(told, /again/);
    assert.equal(latest(p.bob).balanceA, before.balanceA, 'nothing was paid: the person pays again');
  } finally {
    await closePair(p);
  }
});

test('on an older copy, a cooperative withdraw asked for right after the start proposes its close after the states the partner holds', async () => {
  // a short wait for the partner's signature of the close: a close state dropped unsent fails within it
  const p = await openPair({ closeTimeoutMs: 10_000 });
  try {
    const held = await onOlderCopy(p);
    const bobs = latest(p.bob);
    // Alice withdraws at once, before her partner is back: her close state waits for his answer, then follows it
    const closing = p.alice.withdraw({ mode: 'cooperative' }).catch((e: Error) => e);
    await connect(p.alice, p.bob);
    const r = await closing;
    assert.ok(!(r instanceof Error), String(r));
    assert.equal(r.mode, 'cooperative');
    assert.ok(r.step > held, `the close state is step ${r.step}, after step ${held} Bob holds`);
    assert.equal(r.payoutA, bobs.balanceA);
    assert.equal(r.payoutB, bobs.balanceB);
  } finally {
    await closePair(p);
  }
});

test('on an older copy, a payment kept unsent that their answer superseded does not come back at the next start: not pending, not proposed again', async () => {
  const p = await openPair();
  try {
    const held = await stagedThenRestart(p);
    const bobs = latest(p.bob);
    const dropped = waitForEvent(p.alice, 'log', (e) => /state 4/.test(e.message) && /was dropped/.test(e.message));
    await connect(p.alice, p.bob);
    await dropped;
    assert.equal(latest(p.alice).step, held);
    // the next start reads the journal: the dropped proposal is not Alice's latest, nor pending, nor sent again
    await p.alice.stop();
    await restartAlice(p);
    const ch = p.alice.currentChannel()!;
    assert.equal(ch.latest!.step, held, 'the latest state both signed is the one Bob holds');
    assert.ok(!ch.pending, `nothing pending: ${JSON.stringify(ch.pending, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x))}`);
    const equivocations: string[] = [];
    p.bob.on((e) => void (e.type === 'error' && e.code === 'EQUIVOCATION' && equivocations.push(e.message)));
    const paying = p.alice.send(TON('0.25')); // waits for Bob's answer, then pays after his states
    await connect(p.alice, p.bob);
    const r = await paying;
    assert.equal(r.step, held + 1n);
    await until('Bob signs her payment', () => latest(p.bob).step > held);
    assert.equal(latest(p.bob).balanceA, bobs.balanceA - TON('0.25'), 'only the new payment: the dropped one paid nothing');
    assert.deepEqual(equivocations, []);
  } finally {
    await closePair(p);
  }
});
