// The time left of a close, as the views show it, goes by the chain's clock: a step of the local clock (an NTP
// correction, a clock set by hand) while a channel is closing does not change it. The watch reads the chain's time
// at each poll of a closing channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closePair, fund, openPair, until } from '../helpers/nodes.js';

test("a local clock step while a channel is closing leaves the time left shown as the chain's", async () => {
  const p = await openPair({ pollMs: 100, challengePeriod: 600 });
  const realNow = Date.now;
  const offset = (p.chain as unknown as { shared: { offset: number } }).shared;
  try {
    await fund(p);
    await p.alice.withdraw({ mode: 'unilateral' });
    await until('Bob sees the close', () => p.bob.currentChannel()?.phase === 'closing');
    const before = p.bob.currentChannel()!.close!.secondsLeft!;
    assert.ok(before > 590, `left ${before} s`);
    // the local clock jumps an hour ahead; the chain's does not
    Date.now = () => realNow() + 3600_000;
    offset.offset -= 3600;
    await new Promise((r) => setTimeout(r, 600)); // a few polls of the closing channel
    const after = p.bob.currentChannel()!.close!.secondsLeft!;
    assert.ok(after > 580 && after <= before, `left ${after} s after the step (${before} s before)`);
    assert.equal(p.bob.currentChannel()!.phase, 'closing');
  } finally {
    Date.now = realNow;
    offset.offset += 3600;
    await closePair(p);
  }
});
