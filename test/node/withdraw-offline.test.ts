// A cooperative withdraw with the partner offline says so at once: it waited for the turn the partner could not
// pass and then failed with a timeout that said "it may still land". Without a mode, a partner still reconnecting
// gets a moment before the node closes alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { closePair, fund, openPair, type Pair } from '../helpers/nodes.js';

/** A funded pair whose Bob has stopped (Alice has seen him go). */
async function withBobGone(fn: (p: Pair) => Promise<void>): Promise<void> {
  const p = await openPair();
  try {
    await fund(p);
    const gone = waitForEvent(p.alice, 'partnerDisconnected');
    await p.bob.stop();
    await gone;
    await fn(p);
  } finally {
    await closePair(p);
  }
}

test('withdraw --cooperative with the partner offline: PARTNER_OFFLINE, nothing sent, the channel stays open', () =>
  withBobGone(async (p) => {
    const before = await p.alice.balanceTon();
    await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), (e: Error & { code?: string }) => e.code === 'PARTNER_OFFLINE' && /withdraw --unilateral/.test(e.message));
    assert.equal(p.alice.currentChannel()!.phase, 'open');
    assert.equal(await p.alice.balanceTon(), before);
  }));

test('withdraw without a mode while the partner is still reconnecting (a node just started) waits a moment and closes cooperatively', () =>
  withBobGone(async (p) => {
    const withdrawn = p.alice.withdraw({});
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } }); // redials Alice
    const r = await withdrawn;
    assert.equal(r.mode, 'cooperative');
    assert.equal(r.fellBack, false);
  }));
