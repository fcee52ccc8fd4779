// A partner that asks for the turn and passes it back without paying (or pays 1 nanoton a round) makes the node
// sign and keep two states a round for (next to) nothing: its disk is the cost, every channel's. After
// FREE_IDLE_STATES such states in a row the node passes the turn only when asked and after a delay that grows,
// told once; a payment of DUST or more ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { DUST } from '../../src/node/controller.js';
import { FREE_IDLE_STATES } from '../../src/node/turns.js';
import { TON } from './scene.js';
import { World, until, type NodeHandle } from './world.js';

/** Mal passes the turn to Vic empty (when it holds it), asks for it back and waits for Vic's pass. */
async function round(mal: NodeHandle, ch: string): Promise<void> {
  let step = World.step(mal.node, ch);
  if (mal.node.channel(ch)!.myTurn) {
    const back = waitForEvent(mal.node, 'stateSigned', (e) => e.state.step === step + 1n, 30_000);
    await mal.node.createEmpty({ channel: ch });
    await back;
    step++;
  }
  const passed = waitForEvent(mal.node, 'stateSigned', (e) => e.state.step === step + 1n, 30_000);
  await mal.node.requestEmpty({ channel: ch });
  await passed;
}

/** How many rounds `round` makes in 4 s. */
async function roundsIn4s(round: () => Promise<void>): Promise<number> {
  const t0 = Date.now();
  let rounds = 0;
  while (Date.now() - t0 < 4_000) {
    await round();
    rounds++;
  }
  return rounds;
}

// Free: FREE_IDLE_STATES / 2 rounds at once; then 0.5 s, 0.5 s, 1 s, 1 s, 2 s… In 4 s a few more at most.
const held = (rounds: number) => rounds >= FREE_IDLE_STATES / 2 - 2 && rounds <= FREE_IDLE_STATES / 2 + 6;
const told = (h: NodeHandle) => h.events.filter((e) => e.type === 'log' && /passes turns back and forth with little or no payment .*: the node now passes the turn only when asked and after a delay/.test(e.message)).length;

/** Vic and Mal with an open channel (Mal is A, 5 TON each); the world is closed after `fn`. */
async function withChannel(fn: (w: World, vic: NodeHandle, mal: NodeHandle, ch: string) => Promise<void>): Promise<void> {
  const w = await World.create();
  try {
    const vic = await w.node('vic');
    const mal = await w.node('mal');
    await w.link(vic, mal);
    await fn(w, vic, mal, (await w.open(mal, vic, TON('5'), TON('5'))).channelId);
  } finally {
    await w.close();
  }
}

/** How long `fn` takes (ms). */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = Date.now();
  await fn();
  return Date.now() - t;
}

test('turns taken and given back empty, round after round: past a free run the node passes only after a delay; a payment ends it', () =>
  withChannel(async (w, vic, mal, ch) => {
    const rounds = await roundsIn4s(() => round(mal, ch));
    assert.ok(held(rounds), `${rounds} rounds in 4 s: the free ones at once, then held back`);
    assert.equal(told(vic), 1, 'told once');
    // A real payment ends the idle run: its countersignature carries the pass again, and a turn request is
    // answered at once.
    assert.ok(mal.node.channel(ch)!.myTurn);
    await mal.node.send(TON('0.1'), { channel: ch });
    await until(() => mal.node.channel(ch)!.myTurn, 'the pass with the countersignature, unasked', 2_000);
    assert.ok((await timed(() => round(mal, ch))) < 3_000, 'answered without the delay');
  }));

test('1-nanoton payments (one of DUST now and then), one a round: the same free run, then the turn comes back only when asked, late', () =>
  withChannel(async (w, vic, mal, ch) => {
    // pay() asks for the turn when no pass comes with the countersignature
    let i = 0;
    const rounds = await roundsIn4s(async () => void (await mal.node.pay(i++ % 15 === 0 ? DUST : 1n, { channel: ch })));
    assert.ok(held(rounds), `${rounds} dust payments in 4 s: the free ones at once, then held back`);
    assert.equal(told(vic), 1, 'told once');
    await w.pay(mal, ch, TON('0.1')); // a real payment: the run ends
    assert.ok((await timed(() => mal.node.pay(DUST, { channel: ch }))) < 3_000, 'a payment of DUST is answered at once after it');
  }));

test('a quiet spell of 10 s ends an idle run: a user who passed turns for a while then pays is not held', () =>
  withChannel(async (_w, _vic, mal, ch) => {
    // Round after round until a pass is held for seconds (the delay has doubled up to 4 s).
    while ((await timed(() => round(mal, ch))) < 3_000);
    await new Promise((r) => setTimeout(r, 10_500));
    const took = await timed(() => round(mal, ch));
    assert.ok(took < 2_000, `answered at once after the quiet spell (${took} ms)`);
  }));
