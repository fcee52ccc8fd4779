// The read of the chain's time at start is tried again after any failure (a 429 after its retries, a 5xx, a
// timeout), not only a refused key or an endpoint out of reach: else the skew is never measured by it and the
// views of a deposit that "may still land" are never told again by the chain's clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainError } from '../../src/chain/errors.js';
import { WatchHealth } from '../../src/node/blind.js';
import type { NodeContext } from '../../src/node/context.js';

test('a rate-limited read at start is read again: the skew is measured and the views told', async () => {
  let calls = 0;
  const ctx = {
    chainSkew: 0,
    o: { chain: { kind: 'testnet', now: () => (++calls === 1 ? Promise.reject(new ChainError('RATE_LIMITED', 'injected: 429')) : Promise.resolve(Date.now() / 1000 + 600)) } },
    emit: () => undefined,
    log: () => undefined,
  } as unknown as NodeContext;
  const h = new WatchHealth(ctx, 50);
  let told = 0;
  const done = h.checkAtStart(() => 1, () => void told++);
  await Promise.race([done, new Promise((r) => setTimeout(r, 2_000))]);
  h.stop();
  assert.ok(told > 0 && Math.round(ctx.chainSkew) === 600, `skew ${ctx.chainSkew}, views told ${told} times, reads ${calls}`);
});
