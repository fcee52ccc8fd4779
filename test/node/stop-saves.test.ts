// A stop while the node deploys a channel (Ctrl+C as the partner accepts): the deployment's send ends with the stop,
// and its failure path saved the channel's record after the stop had closed the channel's storage, told as an error
// event (NODE_STOPPED: "the storage of channel … is closed"; INTERNAL before). A stop now refuses a save that comes
// after it sealed the channel, quietly: nothing is written or told as an error after the stop. Real nodes, sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForEvent } from '../../src/node/index.js';
import type { NodeEvent } from '../../src/node/types.js';
import { closePair, openPair, TON } from '../helpers/nodes.js';

test('a stop while the node deploys the channel tells no error: what comes after the stop is not saved', { timeout: 120_000 }, async () => {
  const p = await openPair();
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    const errors: NodeEvent[] = [];
    let stopping: Promise<void> | null = null;
    p.alice.on((e) => {
      if (e.type === 'error') errors.push(e);
      // Bob accepted: Alice's node deploys the contract now; she stops (Ctrl+C) as it starts
      if (e.type === 'channelUpdated' && e.channel.phase !== 'proposed' && !stopping) stopping = p.alice.stop();
    });
    void p.bob.deposit().catch(() => undefined);
    await waitForEvent(p.alice, 'channelUpdated', () => stopping !== null, 30_000);
    await stopping;
    // what the deployment's end does after the stop (its chain read, its record) has had time to run
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(errors.map((e) => e.type === 'error' && `${e.code}: ${e.message}`), [], 'no error told by the stop');
  } finally {
    await closePair(p);
  }
});

test('a run in a channel’s queue that never ends does not hang the stop: the channel is sealed after a bound', { timeout: 60_000 }, async () => {
  const p = await openPair();
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    const channels = (p.alice as unknown as { node: { ctx: { channels: Map<string, { run: (fn: () => unknown) => Promise<unknown> }> } } }).node.ctx.channels;
    assert.equal(channels.size, 1);
    for (const ctl of channels.values()) void ctl.run(() => new Promise(() => undefined)).catch(() => undefined);
    await p.alice.stop(); // ends (the test's timeout is the failure otherwise)
  } finally {
    await closePair(p);
  }
});
