// A withdraw whose close state the contract paid out already (the partner's send landed) while its payout
// transaction is not found yet (the watch keeps looking): the person is told the contract paid out, at once, and
// that the payout is shown once the chain shows its transaction; not, after a long wait, that it did not show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain } from '../../src/chain/types.js';
import { createNode } from '../../src/node/index.js';
import { closePair, connect, fund, openPair, until, type Pair } from '../helpers/nodes.js';
import { payOne } from '../helpers/reads.js';
import { dyingOnWay } from '../helpers/onway.js';
import { closeToSend } from '../../src/node/uiRules.js';

const restart = (p: Pair, who: 'alice' | 'bob', chain: Chain) => createNode({ ...p.common, chain, dataDir: join(p.dir, who), key: { keyPair: p.keys[who] } });

/**
 * A test on a pair whose Bob sends his cooperative close (signed by both) and dies with it on its way; its payout
 * transaction is then not found (the watch keeps looking), `before` runs, the close lands, and `fn` runs.
 */
function bobsCloseLanded(name: string, before: (p: Pair) => Promise<void>, fn: (p: Pair) => Promise<void>): void {
  test(name, async () => {
    const p = await openPair();
    const getPayout = p.chain.getPayout.bind(p.chain);
    try {
      await fund(p);
      await payOne(p);
      await p.bob.stop();
      const dying = dyingOnWay(p.chain, 'cooperativeClose');
      p.bob = await restart(p, 'bob', dying.chain);
      await connect(p.alice, p.bob);
      await until('Bob to read his channel', () => p.bob.currentChannel()?.phase === 'open');
      void p.bob.withdraw({ mode: 'cooperative' }).catch(() => undefined);
      await dying.marked; // Bob's close state, signed by both, on its way
      p.chain.getPayout = () => Promise.resolve(null); // its payout transaction is not found (the watch keeps looking)
      await before(p);
      await dying.land();
      await fn(p);
    } finally {
      p.chain.getPayout = getPayout;
      await closePair(p);
    }
  });
}

bobsCloseLanded('a withdraw of a close state the contract paid out while its payout transaction is not found yet says so', async () => undefined, async (p) => {
  const said: string[] = [];
  const r = await p.alice.withdraw({ mode: 'cooperative', onProgress: (m) => said.push(m) }).catch((e: Error) => e);
  assert.ok(!(r instanceof Error), `the withdraw ends with what happened, not: ${r instanceof Error ? r.message : ''}`);
  assert.equal(r.mode, 'cooperative');
  assert.ok(said.some((m) => /paid out.*shown once the chain shows its transaction/.test(m)), said.join(' | '));
});

let told = '';
bobsCloseLanded(
  'a close state both signed that the contract paid out, its payout transaction not found yet: told as paid out, never "withdraw sends it"',
  async (p) => {
    p.alice.on((e) => void (e.type === 'error' && e.code === 'PENDING' && /has paid out by step/.test(e.message) && (told = e.message)));
    await p.bob.stop(); // gone: nothing of his is on its way as far as Alice can tell
  },
  async (p) => {
    await until('Alice told the contract paid out', () => told !== '');
    assert.equal(closeToSend(p.alice.currentChannel()!), null, 'the contract paid out: nothing is left to send');
  },
);
