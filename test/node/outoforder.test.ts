// Liveness when messages cross a crash: the partner's next proposal can arrive before the countersignature of
// our own proposal (which the partner wrote, then lost to a kill -9 before sending). The node must ask for a
// resync; the partner's answer (the state both signed, then its proposal again) settles both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signedToJson } from '../../src/core/signed.js';
import { stateFromBase64 } from '../../src/core/state.js';
import { waitForEvent } from '../../src/node/index.js';
import { endScene, scene, TON } from '../adversary/scene.js';
import { World, until } from '../adversary/world.js';
import { slowWrites } from '../helpers/slow-disk.js';

test('a proposal that arrives before the countersignature of ours makes the node resync, and both settle', async () => {
  const s = await scene();
  try {
    const { mallory: m, known: k } = s;
    // Mallory passes the turn: Vic pays next.
    const passed = waitForEvent(s.vic.node, 'stateSigned', (e) => e.channel.channelId === s.withMal && e.state.step === m.latest(k).state.step + 1n);
    const pass = m.next(k);
    m.say(m.propose(k, pass));
    await passed;
    k.states.push({ state: pass, sigA: m.sig(pass), sigB: null });
    await s.vic.node.send(TON('0.3'), { channel: s.withMal });
    const proposal = await m.nextOf('state.propose', (x) => stateFromBase64(x.state).step === pass.step + 1n);
    const paid = stateFromBase64(proposal.state);
    // Mallory signs Vic's payment but that countersignature is "lost"; her own next state (a pass) arrives.
    const both = { state: paid, sigA: m.sig(paid), sigB: Buffer.from(proposal.signature, 'hex') };
    const next = { ...paid, step: paid.step + 1n };
    const from = m.received.length;
    m.say(m.propose(k, next));
    await until(() => m.received.slice(from).some((x) => x.type === 'resync.request'), 'a resync request from Vic');
    const asked = m.received.slice(from).find((x) => x.type === 'resync.request') as { latestStep: bigint };
    assert.equal(asked.latestStep, pass.step, 'Vic asks for what follows its latest state');
    const j = signedToJson(both);
    m.say({ type: 'resync.response', contract: k.contract, states: [{ state: j.state, sigA: j.sigA!, sigB: j.sigB! }] });
    m.say(m.propose(k, next));
    const countersigned = await m.nextOf('state.countersign', (x) => x.step === next.step);
    assert.ok(countersigned);
    assert.equal(World.step(s.vic.node, s.withMal), next.step);
    assert.equal(s.vic.node.channel(s.withMal)!.pending, null);
  } finally {
    await endScene(s);
  }
});

test('a resync answer waits for the state being written: it carries the state both just signed', async () => {
  const s = await scene();
  try {
    const { mallory: m, known: k } = s;
    await slowWrites(s.vic.node, s.withMal, 400);
    // Mallory passes the turn and, her copy lost at once, asks what follows her latest state both signed.
    const pass = m.next(k);
    const from = m.received.length;
    m.say(m.propose(k, pass));
    m.say({ type: 'resync.request', contract: k.contract, latestStep: pass.step - 1n });
    const answer = await m.nextOf('resync.response', () => true);
    assert.deepEqual(
      answer.states.map((x) => stateFromBase64(x.state).step),
      [pass.step],
      'Vic holds the pass signed by both (its write under way): a short answer would tell Mallory she is up to date',
    );
    assert.ok(m.received.slice(from).some((x) => x.type === 'state.countersign'));
  } finally {
    await endScene(s);
  }
});
