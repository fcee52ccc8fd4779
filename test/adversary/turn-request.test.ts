// A turn request names the latest step its sender held: one for a step the turn has since moved past (a request
// already answered, resent or replayed late) is ignored, so it never makes the node pass a turn nobody asks for now
// (a state signed and kept for nothing). A request for the current step is still answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endScene, scene } from './scene.js';
import { until } from './world.js';

test('a turn request for an old step is ignored; one for the latest step is answered with the pass', async () => {
  const s = await scene({ payments: 2 });
  try {
    const { vic, mallory, known, withMal } = s;
    const view = () => vic.node.channel(withMal)!;
    // Mallory holds the turn after the scene's payments (Vic passed it back): she passes it empty (no pass back).
    const st = mallory.next(known);
    mallory.say(mallory.propose(known, st));
    const cs = await mallory.nextOf('state.countersign', (m) => m.step === st.step);
    known.states.push({ state: st, sigA: mallory.sig(st), sigB: Buffer.from(cs.signature, 'hex') });
    const latest = st.step;
    await until(() => view().latest?.step === latest && view().myTurn && !view().pending, `Vic to hold the turn: ${JSON.stringify({ v: view().latest?.step, t: view().myTurn, p: view().pending?.step, a: view().pending?.awaiting, l: latest }, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))}`, 5_000);
    // Asked at latest - 2 (answered by Vic's pass at latest - 1, then used by Mallory's payment at latest).
    mallory.say({ type: 'turn.request', contract: known.contract, step: latest - 2n });
    // Queued behind it in the channel's queue: its answer says the request was handled.
    mallory.say({ type: 'state.countersign', contract: known.contract, step: latest + 1n, signature: '00'.repeat(64) });
    await mallory.nextOf('error', (m) => m.ref === 'state.countersign');
    assert.equal(view().pending, null, 'no pass for a request the turn has moved past');
    assert.equal(mallory.count('state.propose'), 0);
    mallory.say({ type: 'turn.request', contract: known.contract, step: latest });
    const pass = await mallory.nextOf('state.propose');
    assert.ok(pass, 'the current request is answered');
  } finally {
    await endScene(s);
  }
});
