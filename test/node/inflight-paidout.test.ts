// A cooperative close of ours held back while it may still land, that lands while its payout transaction is not
// found yet (the watch keeps looking): once it could no longer land, the node sent it again, and the contract,
// paid out already, bounced it for a wallet fee. A contract read showing it paid out ends the wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain } from '../../src/chain/types.js';
import { createNode } from '../../src/node/index.js';
import { closePair, connect, fund, openPair, until, type Pair } from '../helpers/nodes.js';
import { payOne } from '../helpers/reads.js';
import { counting, dyingOnWay, telling } from '../helpers/onway.js';

const held = /sent before may still land/;
const paidOut = /has paid out already .*is not sent/;

const restart = (p: Pair, who: 'alice' | 'bob', chain: Chain) => createNode({ ...p.common, chain, dataDir: join(p.dir, who), key: { keyPair: p.keys[who] } });

test('a cooperative close held back that lands while its payout transaction is not found yet is not sent again', async () => {
  const p = await openPair();
  const getPayout = p.chain.getPayout.bind(p.chain);
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
    p.chain.getPayout = () => Promise.resolve(null); // its payout transaction is not found (the watch keeps looking)
    const again = counting(p.chain, 'cooperativeClose');
    p.alice = await restart(p, 'alice', again.chain);
    const alice = telling(p.alice);
    await until('Alice to hold her close back', () => again.calls() > 0 || alice.logs.some((l) => held.test(l)));
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    await dying.land();
    p.chain.advanceTime(300); // the first could no longer land now, had it not landed
    await until('Alice to send her close again or read it paid out', () => again.calls() > 0 || alice.logs.some((l) => paidOut.test(l)));
    assert.equal(again.calls(), 0, 'one close, one fee');
  } finally {
    p.chain.getPayout = getPayout;
    await closePair(p);
  }
});
