// A partner who connects after this node's start and never answers its resync request: the node proposes nothing
// in that channel meanwhile (its data folder may be older than what the partner holds), and a send is refused
// after a bounded wait, saying what to do, with nothing signed (restart-copy.test.ts has the honest partner).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mallory } from './mallory.js';
import { endScene, scene, TON } from './scene.js';
import { World } from './world.js';

test('a partner who never answers the resync after a start: the send is refused after a bounded wait, nothing signed', { timeout: 180_000 }, async () => {
  const s = await scene();
  try {
    await s.mallory.stop();
    const before = World.step(s.vic.node, s.withMal);
    await s.world.stop(s.vic);
    s.vic = await s.world.node('vic', { keyPair: s.vic.keyPair });
    const addr = (await s.vic.node.serve(0, '127.0.0.1')).lan[0]!;
    // Mallory comes back with the same wallet, reads everything and answers nothing
    s.mallory = await Mallory.connect(s.mallory.keyPair, s.mallory.address.toString(), addr);
    await s.mallory.nextOf('resync.request');
    const sent = s.vic.node.send(TON('0.01'), { channel: s.withMal });
    await assert.rejects(sent, (e: Error & { code?: string }) => e.code === 'RESTORE_PENDING' && /has not sent its latest states/.test(e.message) && /nothing was signed; try again/.test(e.message));
    assert.equal(World.step(s.vic.node, s.withMal), before);
    assert.equal(s.vic.node.channel(s.withMal)?.pending ?? null, null, 'no state of Vic awaits a signature');
    assert.equal(s.mallory.count('state.propose'), 0, 'no state of Vic reached Mallory');
  } finally {
    await endScene(s);
  }
});
