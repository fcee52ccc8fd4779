// A partner's message refused by the channel's queue limit (MAX_WAITING) was acknowledged by the session already, so
// its sender never sends it again: a payment or a turn request of a partner in a burst was lost until the next
// reconnect. Once the queue drains, the node catches up as on a reconnect (it asks for what it lacks; an honest
// partner's answer resends its own proposal) and takes the newest refused turn request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { givesNextStep, nextStep } from '../../src/core/codes.js';
import { signedToJson } from '../../src/core/signed.js';
import { stateFromBase64 } from '../../src/core/state.js';
import type { AppMessage } from '../../src/core/wire.js';
import { MAX_WAITING } from '../../src/node/waiting.js';
import { endScene, malloryPasses, scene, TON, type Scene } from './scene.js';
import { until } from './world.js';

type Ctl = { run<T>(fn: () => Promise<T>): Promise<T> };

/**
 * Holds Vic's queue of Mallory's channel (a task of his own), sends MAX_WAITING catch-up requests behind it and then
 * `last`, which finds the queue full. Returns what lets the queue go.
 */
async function burst(s: Scene, last: Extract<AppMessage, { type: 'state.propose' | 'close.propose' | 'state.countersign' | 'turn.request' }>): Promise<() => void> {
  const { vic, mallory, known, withMal } = s;
  const ctl = (vic.node as unknown as { node: { ctx: { channels: Map<string, Ctl> } } }).node.ctx.channels.get(withMal)!;
  let release!: () => void;
  void ctl.run(() => new Promise<void>((r) => (release = r)));
  const step = mallory.latest(known).state.step;
  for (let i = 0; i < MAX_WAITING; i++) mallory.say({ type: 'resync.request', contract: known.contract, latestStep: step });
  mallory.say(last);
  await mallory.error(last.type, 'QUOTA_EXCEEDED');
  return release;
}

test("a partner's payment refused by a full channel queue is signed once the queue drains (no reconnect)", async () => {
  const s = await scene({ payments: 2 });
  try {
    const { vic, mallory, known, withMal } = s;
    assert.ok(!vic.node.channel(withMal)!.myTurn, 'Mallory holds the turn');
    // Vic's catch-up request at her reconnect, answered as an honest node does (nothing newer, nothing in flight).
    // Left unanswered, it could still await its acknowledgement when the queue drains, and the drain's request,
    // the same one, is not sent twice (unacked.ts): the test would wait for an answer it held back itself.
    await mallory.nextOf('resync.request');
    mallory.say({ type: 'resync.response', contract: known.contract, states: [] });
    const latest = mallory.latest(known).state;
    const pay = mallory.next(known, { balanceA: latest.balanceA - 1_000_000n, balanceB: latest.balanceB + 1_000_000n });
    const proposal = mallory.propose(known, pay);
    const release = await burst(s, proposal);
    // What the refused partner's node shows: the report, and the code's next step when the report gives none
    const report = mallory.received.find((m): m is Extract<AppMessage, { type: 'error' }> => m.type === 'error' && m.code === 'QUOTA_EXCEEDED')!;
    const hint = givesNextStep(report.message) ? '' : nextStep(report.code)!;
    assert.doesNotMatch(hint, /your partner is sending/, `the refused side is told its partner sends too much: ${report.message} / ${hint}`);
    assert.match(`${report.message} ${hint}`, /nothing to do|wait .*try again/, 'it says what to do');
    // Mallory answers like an honest node: Vic's catch-up request gets the states he lacks (none) and her proposal
    // in flight, sent again.
    mallory.session.on('message', (m) => {
      if (m.type !== 'resync.request') return;
      mallory.say({ type: 'resync.response', contract: known.contract, states: [] });
      mallory.say(proposal);
    });
    release();
    await mallory.nextOf('state.countersign', (m) => m.step === pay.step, 30_000);
    await until(() => vic.node.channel(withMal)!.latest?.step === pay.step, "Vic's record of the payment");
    assert.equal(vic.node.channel(withMal)!.latest?.balanceB, pay.balanceB);
  } finally {
    await endScene(s);
  }
});

test("a partner's countersignature refused by a full channel queue reaches the node once the queue drains", async () => {
  const s = await scene({ payments: 2 });
  try {
    const { vic, mallory, known, withMal } = s;
    const view = () => vic.node.channel(withMal)!;
    // Mallory passes the turn to Vic (empty: he keeps it); Vic pays her.
    const passed = await malloryPasses(s);
    void vic.node.send(TON('0.5'), { channel: withMal }).catch(() => undefined);
    const proposed = await mallory.nextOf('state.propose', (m) => stateFromBase64(m.state).step === passed + 1n);
    const pay = stateFromBase64(proposed.state);
    known.states.push({ state: pay, sigA: mallory.sig(pay), sigB: Buffer.from(proposed.signature, 'hex') });
    // Her countersignature finds Vic's queue full.
    const release = await burst(s, { type: 'state.countersign', contract: known.contract, step: pay.step, signature: mallory.sig(pay).toString('hex') });
    // Mallory answers like an honest node: Vic's catch-up request gets the states both signed that he lacks.
    mallory.session.on('message', (m) => {
      if (m.type !== 'resync.request') return;
      const states = known.states.filter((x) => x.state.step > m.latestStep).map((x) => signedToJson(x) as { state: string; sigA: string; sigB: string });
      mallory.say({ type: 'resync.response', contract: known.contract, states });
    });
    assert.equal(view().latest?.step, passed, 'the payment is not signed by both at Vic yet');
    release();
    await until(() => view().latest?.step === pay.step, "Vic's record of his payment signed by both", 30_000);
    assert.equal(view().latest?.balanceB, pay.balanceB);
  } finally {
    await endScene(s);
  }
});

test("a partner's turn request refused by a full channel queue is answered with the pass once the queue drains", async () => {
  const s = await scene({ payments: 2 });
  try {
    const { mallory, known } = s;
    // Mallory passes the turn to Vic (empty: he keeps it), then asks for it back in a burst.
    const passed = await malloryPasses(s);
    const release = await burst(s, { type: 'turn.request', contract: known.contract, step: passed });
    release();
    const pass = await mallory.nextOf('state.propose', () => true, 30_000);
    assert.ok(pass, "Vic's pass");
  } finally {
    await endScene(s);
  }
});
