// The order of the events a view follows when a node starts and finds a stale close on chain: it is told the
// close started before any challenge of it fails. Two real nodes on one SandboxChain; Bob's challenges fail.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain } from '../../src/chain/types.js';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { faultyChain } from '../helpers/faults.js';
import { payOne, withPair } from '../helpers/reads.js';
import { connect, fund, type Pair } from '../helpers/nodes.js';

/** Starts Bob again with every challenge failing; his reads of the chain wait until his events are listened to. */
async function restartBob(p: Pair): Promise<string[]> {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((r) => (open = r));
  const f = faultyChain(p.chain, [{ method: 'challenge', times: 1000, error: 'ENDPOINT_UNREACHABLE' }]);
  const chain = new Proxy(f.chain, {
    get(t, k) {
      const v = Reflect.get(t, k) as unknown;
      if (k !== 'getChannelStatus' || typeof v !== 'function') return v;
      return async (...a: unknown[]) => (await gate, (v as (...x: unknown[]) => unknown)(...a));
    },
  }) as Chain;
  p.bob = await createNode({ ...p.common, chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const seen: string[] = [];
  p.bob.on((e: NodeEvent) => void (['closeStarted', 'challengeFailed', 'challenged'].includes(e.type) && seen.push(e.type)));
  open();
  await waitForEvent(p.bob, 'challengeFailed', () => true, 30_000);
  return seen;
}

withPair('a node started after a stale close was made tells the close before its failed challenge', async (p) => {
  await fund(p);
  await payOne(p);
  await p.bob.stop();
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  const seen = await restartBob(p);
  assert.deepEqual(seen.slice(0, 2), ['closeStarted', 'challengeFailed']);
  assert.equal(seen.filter((t) => t === 'closeStarted').length, 1, 'told once');
});

withPair('a node started again during a stale close it saw tells the close before its failed challenge', async (p) => {
  await fund(p);
  await payOne(p);
  const f = faultyChain(p.chain, [{ method: 'challenge', times: 1000, error: 'ENDPOINT_UNREACHABLE' }]);
  await p.bob.stop();
  p.bob = await createNode({ ...p.common, chain: f.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await connect(p.alice, p.bob);
  const failed = waitForEvent(p.bob, 'challengeFailed', () => true, 30_000);
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  await failed;
  await p.bob.stop();
  const seen = await restartBob(p);
  assert.deepEqual(seen.slice(0, 2), ['closeStarted', 'challengeFailed']);
  assert.equal(seen.filter((t) => t === 'closeStarted').length, 1, 'told once');
});
