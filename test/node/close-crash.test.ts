// A node that stops (a crash) while its own stale close is on its way, and comes back after the partner challenged
// that close: it was told only "your close, with the partner's newer step", never that its close was challenged
// (what it was sent was known in memory only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain } from '../../src/chain/types.js';
import { ChainError } from '../../src/chain/errors.js';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { closePair, fund, latest, openPair, until } from '../helpers/nodes.js';
import { payOne } from '../helpers/reads.js';

/** The real chain, except that startClose lands and then fails as if the process died while it waited. */
function dyingAfterClose(real: Chain): Chain {
  return new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'startClose' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
      return async (...args: unknown[]) => {
        await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        throw Object.assign(new ChainError('TIMEOUT', 'the process died while it waited'), { sent: true });
      };
    },
  });
}

test('our own stale close that the partner challenged while this node was down is told as a challenge of it after the restart', async () => {
  const p = await openPair({ bob: { pollMs: 100 } });
  try {
    await fund(p);
    await payOne(p);
    const head = latest(p.alice).step;
    // Alice comes back reading the chain rarely (no read of hers between her close and her "crash").
    const aliceAt = { ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } };
    await p.alice.stop();
    p.alice = await createNode({ ...aliceAt, chain: dyingAfterClose(p.chain), pollMs: 60_000 });
    await until('Alice to read her channel', () => p.alice.currentChannel()?.phase === 'open');
    const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
    await assert.rejects(p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true }), /died/);
    assert.equal((await challenged).step, head, 'Bob challenged her close of step 0 with the latest');
    await p.alice.stop();
    // Back after the challenge: what is she told?
    p.alice = await createNode({ ...aliceAt, chain: p.chain });
    const told: string[] = [];
    p.alice.on((e: NodeEvent) => {
      if (e.type === 'closeStarted') told.push(`closeStarted ${e.step} byPartner=${e.byPartner}`);
      if (e.type === 'challenged') told.push(`challenged ${e.step} byMe=${e.byMe}`);
    });
    await until('Alice learns of the close', () => told.length >= 2 || p.alice.currentChannel()?.phase === 'closing', 15_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(told, ['closeStarted 0 byPartner=false', `challenged ${head} byMe=false`]);
  } finally {
    await closePair(p);
  }
});
