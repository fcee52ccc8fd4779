// What a partner says back reaches the reader right: a claim that this node signed two states for one step is
// weighed against what this node signed (not shown as an error any partner can raise), and the refusals a node
// answers a partner's state with read from the partner's side (not "the partner must …" about the reader).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endScene, scene } from './scene.js';
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
