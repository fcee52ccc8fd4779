// A lock read on a channel that already holds a state both signed (step 0) moved it to 'locked', not 'open': a dead
// end (send waits for the open channel, withdraw finds nothing signed by both). A state both signed implies the lock,
// as at load (recovery.ts): the lock's transition opens such a channel, whichever read saw it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChannelController } from '../../src/node/controller.js';
import { closePair, fund, openPair } from '../helpers/nodes.js';

type Inner = { ctx: { channels: Map<string, ChannelController> }; arbiter: { poke(ctl: ChannelController): Promise<void> } };

for (const left of ['funding', 'locked'] as const) {
  test(`a lock read on a channel holding step 0 signed by both, its record still saying ${left}, opens it`, async () => {
    const p = await openPair();
    try {
      await fund(p);
      const inner = p.bob.node as unknown as Inner;
      const ctl = [...inner.ctx.channels.values()][0]!;
      assert.equal(ctl.channel.latest?.state.step, 0n);
      // A record left behind its journal (a path that missed the open): the next read of the lock settles it.
      ctl.rec.life = left;
      await inner.arbiter.poke(ctl);
      assert.equal(p.bob.currentChannel()!.phase, 'open');
      assert.equal(p.bob.currentChannel()!.latest?.step, 0n);
    } finally {
      await closePair(p);
    }
  });
}
