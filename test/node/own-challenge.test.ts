// Our own challenge, read on chain before its send returned (a poke, a partner's hint), was told as the partner's new
// close ("your partner sent the state to the smart contract (step 6)"), then as our challenge. Two real nodes on one
// SandboxChain; Bob's chain reads the contract once more between his challenge landing and its send returning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain } from '../../src/chain/types.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import type { NodeEvent } from '../../src/node/types.js';
import { TON, closePair, connect, fund, latest, openPair, until } from '../helpers/nodes.js';

test('our challenge read on chain before its send returns is told once, as ours, never as a close of the partner', { timeout: 120_000 }, async () => {
  const p = await openPair({ challengePeriod: 120 });
  try {
    await fund(p);
    await p.bob.createEmpty();
    await until('step 1', () => latest(p.alice).step === 1n);
    await p.alice.send(TON('1'), { waitMs: 15_000 });
    await until('step 3 at Bob', () => latest(p.bob).step === 3n && latest(p.alice).step === 3n);
    // Bob again, on a chain whose challenge reads the contract (as a poke would) before it returns
    await p.bob.stop();
    const inner = () => p.bob as unknown as { arbiter: { poke(c: unknown): Promise<void> }; ctx: { channels: Map<string, unknown> } };
    const chain = new Proxy(p.chain, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'challenge' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
        return async (...args: unknown[]) => {
          const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          await inner().arbiter.poke([...inner().ctx.channels.values()][0]);
          return r;
        };
      },
    }) as Chain;
    p.bob = await createNode({ ...p.common, chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await connect(p.alice, p.bob);
    const told: string[] = [];
    p.bob.on((e: NodeEvent) => {
      if (e.type === 'closeStarted') told.push(`closeStarted ${e.step} byPartner=${e.byPartner}`);
      if (e.type === 'challenged') told.push(`challenged ${e.step} byMe=${e.byMe}`);
    });
    const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 60_000);
    await p.alice.withdraw({ mode: 'unilateral', step: 1n, confirmStale: true });
    await challenged;
    await new Promise((r) => setTimeout(r, 1_000)); // the watch's polls after it
    assert.deepEqual(told, ['closeStarted 1 byPartner=true', 'challenged 3 byMe=true']);
  } finally {
    await closePair(p);
  }
});
