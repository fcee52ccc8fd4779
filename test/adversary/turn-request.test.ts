// A turn request names the latest step its sender held: one for a step the turn has since moved past (a request
// already answered, resent or replayed late) is ignored, so it never makes the node pass a turn nobody asks for now
// (a state signed and kept for nothing). A request for the current step is still answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endScene, malloryPasses, scene } from './scene.js';

test('a turn request for an old step is ignored; one for the latest step is answered with the pass', async () => {
  const s = await scene({ payments: 2 });
  try {
    const { vic, mallory, known, withMal } = s;
    const view = () => vic.node.channel(withMal)!;
    // Mallory holds the turn after the scene's payments (Vic passed it back): she passes it empty (no pass back).
    const latest = await malloryPasses(s);
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
