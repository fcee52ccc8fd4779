// What a partner says back reaches the reader right: a claim that this node signed two states for one step is
// weighed against what this node signed (not shown as an error any partner can raise), and the refusals a node
// answers a partner's state with read from the partner's side (not "the partner must …" about the reader).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppMessage } from '../../src/core/wire.js';
import { REPORT_BURST, REPORT_PER_SECOND } from '../../src/node/handlers.js';
import { endScene, malloryPasses, scene } from './scene.js';
import { until } from './world.js';

test("a partner's EQUIVOCATION claim is weighed against this node's own records: not an error, and says what to check", async () => {
  const s = await scene();
  try {
    const { vic, mallory: m } = s;
    await until(() => vic.node.channel(s.withMal)!.partnerOnline, 'Vic to see Mallory online');
    const from = vic.events.length;
    const step = m.latest(s.known).state.step;
    m.say({ type: 'error', code: 'EQUIVOCATION', message: `you signed two different states for step ${step}: their node keeps the evidence; the state both of you signed stand`, ref: 'state.propose' });
    const told = () => vic.events.slice(from).find((e): e is Extract<typeof e, { type: 'log' | 'error' }> => (e.type === 'log' || e.type === 'error') && /two different states/.test(e.message));
    await until(() => told() !== undefined, 'the claim told');
    const e = told()!;
    assert.notEqual(e.level, 'error', `a claim any partner can make is shown as an error: ${e.message}`);
    assert.match(e.message, /this node signed one state for each step/i, e.message);
    assert.match(e.message, /keeps/, e.message);
  } finally {
    await endScene(s);
  }
});

test('refusals of a state read from the proposer\'s side: no "the partner must …", no "ours to create"', async () => {
  const s = await scene();
  try {
    const { mallory: m, known: k } = s;
    const latest = await malloryPasses(s);
    const bad: [string, AppMessage][] = [
      ['STEP_GAP', m.propose(k, m.next(k, { step: latest + 3n }))],
      ['NOT_YOUR_TURN', m.propose(k, m.next(k))],
      ['UNEXPECTED_CLOSE', m.propose(k, m.next(k, { tag: 'close' }))],
    ];
    for (const [code, msg] of bad) {
      m.say(msg);
      await m.error('state.propose', code);
    }
    const answers = m.received.filter((x): x is Extract<AppMessage, { type: 'error' }> => x.type === 'error' && x.ref === 'state.propose').map((x) => x.message);
    assert.equal(answers.length, bad.length);
    for (const a of answers) assert.doesNotMatch(a, /the partner|partner's|ours to create|from us/i, a);
    assert.match(answers[0]!, /your state for step \d+/, answers[0]);
    assert.match(answers[1]!, /is theirs to create/, answers[1]);
  } finally {
    await endScene(s);
  }
});

test("a partner's refusal as paid out (ALREADY_CLOSED) of a channel open here is told as its claim, not as a payout", async () => {
  const s = await scene();
  try {
    const { vic, mallory: m } = s;
    await until(() => vic.node.channel(s.withMal)!.partnerOnline, 'Vic to see Mallory online');
    const from = vic.events.length;
    m.say({ type: 'error', code: 'ALREADY_CLOSED', message: 'the channel is closed and paid out: no state is signed in it any more', ref: 'state.propose' });
    const told = () => vic.events.slice(from).find((e): e is Extract<typeof e, { type: 'log' }> => e.type === 'log' && /paid out/.test(e.message));
    await until(() => told() !== undefined, 'the claim told');
    assert.doesNotMatch(told()!.message, /\(the contract has paid out\)|nothing to do/, told()!.message);
    assert.match(told()!.message, /this node has not seen the payout on chain/i, told()!.message);
    assert.equal(vic.node.channel(s.withMal)!.phase, 'open');
  } finally {
    await endScene(s);
  }
});

test("a partner's report names the channel it is about: the one waiting for that answer, else the partner's only one", async () => {
  const s = await scene();
  try {
    const { vic, mallory: m } = s;
    await until(() => vic.node.channel(s.withMal)!.partnerOnline, 'Vic to see Mallory online');
    const from = vic.events.length;
    m.say({ type: 'error', code: 'INTERNAL', message: 'something failed on their side', ref: 'state.propose' });
    const told = () => vic.events.slice(from).find((e): e is Extract<typeof e, { type: 'error' }> => e.type === 'error' && e.code === 'INTERNAL');
    await until(() => told() !== undefined, 'the report told');
    assert.equal(told()!.channel?.channelId, s.withMal, 'the report carries no channel');
    assert.match(told()!.message, /^your partner reports: something failed on their side \(channel \S+\)$/);
  } finally {
    await endScene(s);
  }
});

test("a partner repeating that its channel is closing costs a bounded number of scans of the channels: the report budget comes first", async () => {
  const s = await scene();
  try {
    const { vic, mallory: m } = s;
    await until(() => vic.node.channel(s.withMal)!.partnerOnline, 'Vic to see Mallory online');
    // every scan of Vic's channels, counted (reportedOn and storedPartner each walk them all)
    const channels = (vic.node as unknown as { node: { ctx: { channels: Map<string, unknown> } } }).node.ctx.channels;
    const values = channels.values.bind(channels);
    let scans = 0;
    channels.values = () => (scans++, values());
    const n = 400;
    const t0 = Date.now();
    await m.flood(n, () => ({ type: 'error', code: 'CHANNEL_CLOSING', message: 'the channel is closing', ref: 'state.propose' }), 800);
    await m.delivered();
    const seconds = (Date.now() - t0) / 1000;
    channels.values = values;
    // the reports the budget lets through (REPORT_BURST, then REPORT_PER_SECOND), a few scans each, and what else ran meanwhile
    const bound = 3 * (REPORT_BURST + Math.ceil(seconds * REPORT_PER_SECOND)) + 40;
    assert.ok(scans <= bound, `${scans} scans of the channels for ${n} reports in ${seconds.toFixed(1)} s (at most ${bound})`);
  } finally {
    await endScene(s);
  }
});
