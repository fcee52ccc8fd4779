// A challenge or a cooperative close of ours still on its way (sent, not landed) when the node died: the restart
// sent it once more, which the contract refuses once the first lands, and the wallet paid that fee (and the
// defense told a failed challenge). After a restart, one that may still land is waited for; one that can no
// longer land still goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain } from '../../src/chain/types.js';
import { createNode } from '../../src/node/index.js';
import { closePair, connect, fund, latest, openPair, until, type Pair } from '../helpers/nodes.js';
import { payOne } from '../helpers/reads.js';
import { counting, dyingOnWay, failingAfterMark, telling } from '../helpers/onway.js';

const held = /sent before may still land/;

const restart = (p: Pair, who: 'alice' | 'bob', chain: Chain) => createNode({ ...p.common, chain, dataDir: join(p.dir, who), key: { keyPair: p.keys[who] } });

/** Bob's challenge of Alice's stale close is on its way when his node dies; he restarts counting his challenges. */
async function challengeOnWay(p: Pair) {
  await fund(p);
  await payOne(p);
  const head = latest(p.bob).step;
  await p.bob.stop();
  const dying = dyingOnWay(p.chain, 'challenge');
  p.bob = await restart(p, 'bob', dying.chain);
  await connect(p.alice, p.bob);
  await until('Bob to read his channel', () => p.bob.currentChannel()?.phase === 'open');
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  await dying.marked;
  await p.bob.stop();
  const again = counting(p.chain, 'challenge');
  p.bob = await restart(p, 'bob', again.chain);
  const bob = telling(p.bob);
  await until('Bob to send his challenge again or hold it back', () => again.calls() > 0 || bob.logs.some((l) => held.test(l)));
  return { head, dying, again, bob };
}

test('a challenge on its way when the node died is not sent again after the restart while it may land, and is told as ours', async () => {
  const p = await openPair({ challengePeriod: 3600 });
  try {
    const { head, dying, again, bob } = await challengeOnWay(p);
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    await dying.land();
    await until('Bob to tell the challenge', () => bob.told.some((t) => t.startsWith('challenged')));
    assert.deepEqual(bob.told, ['closeStarted 0 byPartner=true', `challenged ${head} byMe=true`]);
    assert.equal(again.calls(), 0, 'one challenge, one fee');
  } finally {
    await closePair(p);
  }
});

test('a challenge on its way when the node died that can no longer land is sent again after the restart', async () => {
  const p = await openPair({ challengePeriod: 3600 });
  try {
    const { head, again, bob } = await challengeOnWay(p);
    p.chain.advanceTime(300); // its wallet message expired: it cannot land any more
    await until('Bob to tell his challenge', () => bob.told.some((t) => t.startsWith('challenged')));
    assert.deepEqual(bob.told, ['closeStarted 0 byPartner=true', `challenged ${head} byMe=true`]);
    assert.equal(again.calls(), 1, 'sent again once');
  } finally {
    await closePair(p);
  }
});

test('a cooperative close on its way when the node died is not sent again after the restart while it may land', async () => {
  const p = await openPair();
  try {
    await fund(p);
    await payOne(p);
    await p.alice.stop();
    const dying = dyingOnWay(p.chain, 'cooperativeClose');
    p.alice = await restart(p, 'alice', dying.chain);
    await connect(p.alice, p.bob);
    await until('Alice to read her channel', () => p.alice.currentChannel()?.phase === 'open');
    void p.alice.withdraw({ mode: 'cooperative' }).catch(() => undefined);
    await dying.marked;
    await p.alice.stop();
    const again = counting(p.chain, 'cooperativeClose');
    p.alice = await restart(p, 'alice', again.chain);
    const alice = telling(p.alice);
    await until('Alice to send her close again or hold it back', () => again.calls() > 0 || alice.logs.some((l) => held.test(l)));
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    await dying.land();
    await until('Alice to read the payout', () => p.alice.currentChannel()?.phase === 'closed');
    assert.equal(again.calls(), 0, 'one close, one fee');
  } finally {
    await closePair(p);
  }
});

test('a challenge the contract refused is not waited for after a restart (its mark went, saved)', async () => {
  const p = await openPair({ challengePeriod: 3600 });
  try {
    await fund(p);
    await payOne(p);
    await p.bob.stop();
    const refusing = failingAfterMark(p.chain, 'challenge', { refused: true, thenHang: true });
    p.bob = await restart(p, 'bob', refusing.chain);
    const first = p.bob;
    // Bob's node stops as the refusal is told: the record holds what the refusal left in it.
    const stopped = new Promise<void>((r) => first.on((e) => void (e.type === 'challengeFailed' && r(first.stop()))));
    await until('Bob to read his channel', () => p.bob.currentChannel()?.phase === 'open');
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    await stopped;
    const again = counting(p.chain, 'challenge');
    p.bob = await restart(p, 'bob', again.chain);
    const bob = telling(p.bob);
    await until('Bob to send his challenge or hold it back', () => again.calls() > 0 || bob.logs.some((l) => held.test(l)));
    assert.deepEqual(bob.logs.filter((l) => held.test(l)), [], 'the refused one cannot land: not waited for');
    await until('Bob to tell his challenge', () => bob.told.some((t) => t.startsWith('challenged')));
    assert.equal(again.calls(), 1);
  } finally {
    await closePair(p);
  }
});
