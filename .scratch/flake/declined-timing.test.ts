// Times test/node/declined.test.ts's first test: Alice's deployment "times out" and really lands 1500 ms later
// (slowDeployer(p, 1500)); everything up to the `kept` checks must happen before that. Prints the margin used.
import assert from 'node:assert/strict';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { join } from 'node:path';
import { withPair } from '../../test/helpers/reads.js';
import { TON, connect, type Pair } from '../../test/helpers/nodes.js';

withPair('declined while the deployment may still land: how much of the 1500 ms is used', async (p: Pair) => {
  let t0 = 0;
  const chain = new Proxy(p.chain, {
    get(target, prop, receiver) {
      if (prop === 'deployChannel') return async () => { t0 = Date.now(); throw new ChainError('TIMEOUT', 'injected'); };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
  await p.alice.stop();
  p.alice = await createNode({ ...p.common, chain, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  await connect(p.alice, p.bob);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('1') });
  await proposed;
  const timedOut = waitForEvent(p.alice, 'error', (e) => e.code === 'TIMEOUT', 30_000);
  void p.bob.deposit().catch(() => undefined);
  await timedOut;
  const told = waitForEvent(p.alice, 'log', (e) => /declined channel .* your deployment .* may still land/.test(e.message), 30_000);
  await p.bob.decline();
  await told;
  assert.ok(p.alice.channel(view.channelId));
  console.log(`DECLINED: deploy attempt -> decline told and checked: ${Date.now() - t0} ms (the real deployment lands at 1500 ms)`);
});
