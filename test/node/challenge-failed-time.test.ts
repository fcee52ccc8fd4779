// A failed challenge's time left, before the node has read the chain's time: it said a figure of this computer's
// clock (a devnet's or a resumed VM's may be far off), where views and close info say null ("not known yet").
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { faultyChain } from '../helpers/faults.js';
import { payOne, withPair } from '../helpers/reads.js';
import { connect, fund } from '../helpers/nodes.js';

withPair("a challenge that fails before the node's first read of the chain's time says no time left (null), not the local clock's", async (p) => {
  await fund(p);
  await payOne(p);
  await p.bob.stop();
  // Bob starts again, and his every read of the chain's time fails (his watches' too: they read through the chain
  // object itself): he has not read it yet when his challenge fails.
  const noTime = Object.create(p.chain, { now: { value: () => Promise.reject(new ChainError('ENDPOINT_UNREACHABLE', 'injected fault: now failed')), writable: true, configurable: true } }) as Chain;
  const f = faultyChain(noTime, [{ method: 'challenge', error: 'ENDPOINT_UNREACHABLE' }]);
  p.bob = await createNode({ ...p.common, chain: f.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await connect(p.alice, p.bob);
  const failed = waitForEvent(p.bob, 'challengeFailed', () => true, 30_000);
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  const e = await failed;
  assert.equal(e.secondsLeft, null, 'the time left is not known yet');
  assert.ok(e.nextRetryMs !== null, 'retried');
  assert.equal(e.stopped, null);
});
