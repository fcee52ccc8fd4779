// A close state both signed whose cooperative send failed before a stop: "the next start reads the contract and, if
// it has not paid out, sends it again". The start's only trigger was the watch's first poll of the deposits; once a
// locked channel's deposit reads were no longer taken (they cannot change after the lock), nothing paid it out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { closePair, fund, openPair } from '../helpers/nodes.js';

test('a close state both signed whose cooperative send failed is paid out by the next start, the partner offline', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 4000 });
  try {
    await fund(p);
    const real = p.chain.cooperativeClose.bind(p.chain);
    (p.chain as { cooperativeClose: typeof real }).cooperativeClose = async () => {
      throw Object.assign(new Error('injected: connect ECONNREFUSED 127.0.0.1:8081'), { code: 'ENDPOINT_UNREACHABLE' });
    };
    await assert.rejects(p.alice.withdraw({}), (e: { code?: string }) => e.code === 'ENDPOINT_UNREACHABLE');
    const closeStep = p.alice.currentChannel()!.latest!;
    assert.equal(closeStep.tag, 'close');
    await p.bob.stop(); // nothing from the partner wakes the channel after the restart
    await p.alice.stop();
    (p.chain as { cooperativeClose: typeof real }).cooperativeClose = real;
    p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    const closed = await waitForEvent(p.alice, 'closed', () => true, 30_000);
    assert.equal(closed.payout.step, closeStep.step, 'paid by the close state both signed');
  } finally {
    await closePair(p);
  }
});
