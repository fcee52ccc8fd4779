// finish when the challenge window is over by this node's clock but the chain cannot be read: it said the window
// "is still open until" a time already past, when the answer is the chain's failure (CLI field test: the devnet was
// down). Real nodes on a SandboxChain; Bob's chain stops answering its clock reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { closePair, connect, fund, openPair } from '../helpers/nodes.js';

test("finish with the window over by this clock and the chain unreadable says the chain's failure, not 'still open until' a past time", { timeout: 120_000 }, async () => {
  const p = await openPair({ challengePeriod: 120 });
  try {
    await fund(p);
    let down = false;
    const chain = new Proxy(p.chain, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        if (prop === 'now') return () => (down ? Promise.reject(new ChainError('ENDPOINT_UNREACHABLE', 'cannot reach http://127.0.0.1:18081/jsonRPC (ECONNREFUSED)')) : (v as () => Promise<number>).call(target));
        return (v as (...a: unknown[]) => unknown).bind(target);
      },
    }) as Chain;
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await connect(p.alice, p.bob);
    const seen = waitForEvent(p.bob, 'closeStarted', () => true, 60_000);
    await p.alice.withdraw({ mode: 'unilateral' });
    await seen;
    down = true;
    // this node's clock says the window is over (as after a wait); the chain's clock cannot be read
    (p.bob as unknown as { ctx: { chainSkew: number } }).ctx.chainSkew = 1_000;
    await assert.rejects(p.bob.finish(), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ENDPOINT_UNREACHABLE', e.message);
      assert.match(e.message, /^the challenge window ended at \S+ \S+ UTC\S* by this node's clock, but the chain could not be read to confirm it: cannot reach/);
      assert.doesNotMatch(e.message, /still open/);
      return true;
    });
    // a challenge is not refused by that clock: only the contract's refusal is sure (here nothing pays Bob more)
    const c = await p.bob.challenge().catch((e: Error) => e);
    assert.ok(!(c instanceof Error) || !/finishes the close by itself/.test(c.message), String(c));
  } finally {
    await closePair(p);
  }
});
