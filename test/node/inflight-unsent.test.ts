// A challenge or a cooperative close signed (its expiry marked in the record) and then refused before it left (an
// endpoint's clear refusal: nothing of it can land): the mark went from memory but stayed on disk, so a restart
// held the same message back for up to its expiry and a minute, as if it might still land.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain } from '../../src/chain/types.js';
import { createNode } from '../../src/node/index.js';
import { closePair, connect, fund, latest, openPair, until, type Pair } from '../helpers/nodes.js';
import { payOne } from '../helpers/reads.js';
import { counting, refusedBeforeLeaving, telling } from '../helpers/onway.js';

const held = /sent before may still land/;

const restart = (p: Pair, who: 'alice' | 'bob', chain: Chain) => createNode({ ...p.common, chain, dataDir: join(p.dir, who), key: { keyPair: p.keys[who] } });

test('a challenge refused before it left is sent again at once after a restart (no mark of it left on disk)', async () => {
  const p = await openPair({ challengePeriod: 3600 });
  try {
    await fund(p);
    await payOne(p);
    const head = latest(p.bob).step;
    await p.bob.stop();
    p.bob = await restart(p, 'bob', refusedBeforeLeaving(p.chain, 'challenge'));
    const first = telling(p.bob);
    await connect(p.alice, p.bob);
    await until('Bob to read his channel', () => p.bob.currentChannel()?.phase === 'open');
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    await until('Bob to be told his challenge failed', () => first.told.includes('challengeFailed WALLET_REJECTED'));
    await p.bob.stop();
    const again = counting(p.chain, 'challenge');
    p.bob = await restart(p, 'bob', again.chain);
    const bob = telling(p.bob);
    await until('Bob to send his challenge again or hold it back', () => again.calls() > 0 || bob.logs.some((l) => held.test(l)));
    assert.deepEqual(bob.logs.filter((l) => held.test(l)), [], 'nothing of it can land: not held back');
    await until('Bob to tell his challenge', () => bob.told.some((t) => t.startsWith('challenged')));
    assert.deepEqual(bob.told, ['closeStarted 0 byPartner=true', `challenged ${head} byMe=true`]);
  } finally {
    await closePair(p);
  }
});

test('a cooperative close refused before it left is sent again at once after a restart (no mark of it left on disk)', async () => {
  const p = await openPair();
  try {
    await fund(p);
    await payOne(p);
    await p.alice.stop();
    p.alice = await restart(p, 'alice', refusedBeforeLeaving(p.chain, 'cooperativeClose'));
    await connect(p.alice, p.bob);
    await until('Alice to read her channel', () => p.alice.currentChannel()?.phase === 'open');
    await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), /injected: the endpoint refused/);
    await p.alice.stop();
    const again = counting(p.chain, 'cooperativeClose');
    p.alice = await restart(p, 'alice', again.chain);
    const alice = telling(p.alice);
    await until('Alice to send her close again or hold it back', () => again.calls() > 0 || alice.logs.some((l) => held.test(l)));
    assert.deepEqual(alice.logs.filter((l) => held.test(l)), [], 'nothing of it can land: not held back');
    await until('Alice to read the payout', () => p.alice.currentChannel()?.phase === 'closed');
    assert.equal(again.calls(), 1, 'sent again once');
  } finally {
    await closePair(p);
  }
});
