// A cooperative close sent to a contract that has paid out already, while its payout transaction is not found
// yet (the watch keeps looking): the contract bounced it for a wallet fee. One held back while it may still land
// was sent again once it could no longer land; one never marked (a close by the partner, or another controller's)
// went at once. A contract read showing it paid out ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain } from '../../src/chain/types.js';
import { createNode } from '../../src/node/index.js';
import { closePair, connect, fund, openPair, until, type Pair } from '../helpers/nodes.js';
import { payOne } from '../helpers/reads.js';
import { counting, dyingOnWay, hanging, telling } from '../helpers/onway.js';

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

test("a close state both signed that the partner paid out while the node was stopped is not sent after the restart while its payout transaction is not found", async () => {
  const p = await openPair();
  const getPayout = p.chain.getPayout.bind(p.chain);
  try {
    await fund(p);
    await payOne(p);
    await p.alice.stop();
    const stuck = hanging(p.chain, 'cooperativeClose'); // signed by both, never sent: no mark
    p.alice = await restart(p, 'alice', stuck.chain);
    await connect(p.alice, p.bob);
    await until('Alice to read her channel', () => p.alice.currentChannel()?.phase === 'open');
    void p.alice.withdraw({ mode: 'cooperative' }).catch(() => undefined);
    await stuck.called;
    await p.alice.stop();
    await p.bob.withdraw({ mode: 'cooperative' }); // Bob pays out with Alice's close state
    p.chain.getPayout = () => Promise.resolve(null); // its payout transaction is not found (the watch keeps looking)
    const again = counting(p.chain, 'cooperativeClose');
    p.alice = await restart(p, 'alice', again.chain);
    const alice = telling(p.alice);
    await until('Alice to send her close or read it paid out', () => again.calls() > 0 || alice.logs.some((l) => paidOut.test(l)));
    assert.equal(again.calls(), 0, 'the paid-out contract would bounce it for a fee');
  } finally {
    p.chain.getPayout = getPayout;
    await closePair(p);
  }
});
