// A node stopped while a send waited for its state in flight (the partner connected, not signing yet): the wait
// looped without yielding until the send's time was up, starving every timer and I/O of the process (the second
// Ctrl+C, the partner node in the same process), then refused the send as PENDING_STATE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import { TON, closePair, fund, openPair } from '../helpers/nodes.js';

test('a node stopped while a send waits stops at once, and the send says the node stopped', async () => {
  const p = await openPair({ autoMode: false, bob: { autoMode: true } }); // Alice signs by hand, and does not
  try {
    await fund(p);
    const got = waitForEvent(p.alice, 'stateReceived', (e) => e.state.step === 1n);
    await p.bob.send(TON('0.1'));
    await got;
    const second = p.bob.send(TON('0.1'), { waitMs: 10_000 }).then(() => 'resolved', (e: Error & { code?: string }) => `${e.code}: ${e.message}`);
    await new Promise((r) => setTimeout(r, 300));
    let last = Date.now();
    let worstGap = 0;
    const tick = setInterval(() => {
      worstGap = Math.max(worstGap, Date.now() - last);
      last = Date.now();
    }, 20);
    const t0 = Date.now();
    await p.bob.stop();
    const stopMs = Date.now() - t0;
    const outcome = await second;
    clearInterval(tick);
    assert.ok(worstGap < 2_000, `the event loop was blocked for ${worstGap} ms`);
    assert.ok(stopMs < 3_000, `stop took ${stopMs} ms`);
    assert.match(outcome, /^NODE_STOPPED: the node stopped while the send waited: nothing was paid/);
  } finally {
    await closePair(p);
  }
});
