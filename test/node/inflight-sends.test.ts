// The other sends of ours to the contract that a restart could send again while the first may still land (a second
// is refused once the first lands, and the wallet pays its fee): the finish of a close and our own unilateral close.
// And a cooperative close that failed before it left: its mark went in memory only, so a restart waited for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain } from '../../src/chain/types.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { TON, closePair, connect, fund, latest, openPair, until, type Pair } from '../helpers/nodes.js';
import { payOne } from '../helpers/reads.js';
import { counting, dyingOnWay, failingAfterMark, telling } from '../helpers/onway.js';

const held = /sent before may still land/;

const restart = (p: Pair, who: 'alice' | 'bob', chain: Chain) => createNode({ ...p.common, chain, dataDir: join(p.dir, who), key: { keyPair: p.keys[who] } });

test('a cooperative close that failed before it left is sent at once after a restart (no wait for it)', async () => {
  const p = await openPair();
  try {
    await fund(p);
    await payOne(p);
    await p.alice.stop();
    const failing = failingAfterMark(p.chain, 'cooperativeClose');
    p.alice = await restart(p, 'alice', failing.chain);
    await connect(p.alice, p.bob);
    await until('Alice to read her channel', () => p.alice.currentChannel()?.phase === 'open');
    await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), /injected/);
    await failing.failed;
    await p.alice.stop();
    const again = counting(p.chain, 'cooperativeClose');
    p.alice = await restart(p, 'alice', again.chain);
    const alice = telling(p.alice);
    await connect(p.alice, p.bob);
    await until('Alice to read her channel', () => p.alice.currentChannel()?.phase === 'open');
    void p.alice.withdraw({ mode: 'cooperative' }).catch(() => undefined);
    await until('Alice to send her close or hold it back', () => again.calls() > 0 || alice.logs.some((l) => held.test(l)));
    assert.deepEqual(alice.logs.filter((l) => held.test(l)), [], 'nothing of the first can land: not waited for');
    await until('Alice to read the payout', () => p.alice.currentChannel()?.phase === 'closed');
    assert.equal(again.calls(), 1);
  } finally {
    await closePair(p);
  }
});

test('a finish on its way when the node died is not sent again after the restart while it may land', async () => {
  const p = await openPair();
  try {
    await fund(p);
    await payOne(p);
    await p.alice.stop();
    const dying = dyingOnWay(p.chain, 'finishClose');
    p.alice = await restart(p, 'alice', dying.chain);
    await p.alice.withdraw({ mode: 'unilateral' });
    await p.bob.stop(); // Bob would finish it too (after a grace)
    p.chain.advanceTime((p.common.challengePeriod ?? 120) + 1);
    await dying.marked;
    await p.alice.stop();
    const again = counting(p.chain, 'finishClose');
    p.alice = await restart(p, 'alice', again.chain);
    const alice = telling(p.alice);
    await until('Alice to finish again or hold it back', () => again.calls() > 0 || alice.logs.some((l) => held.test(l)));
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    await dying.land();
    await until('Alice to read the payout', () => p.alice.currentChannel()?.phase === 'closed');
    assert.equal(again.calls(), 0, 'one finish, one fee');
  } finally {
    await closePair(p);
  }
});

test('our unilateral close on its way when the node died is not sent again by a withdraw after the restart while it may land', async () => {
  const p = await openPair();
  try {
    await fund(p);
    await payOne(p);
    const head = latest(p.alice).step;
    await p.alice.stop();
    const dying = dyingOnWay(p.chain, 'startClose');
    p.alice = await restart(p, 'alice', dying.chain);
    void p.alice.withdraw({ mode: 'unilateral' }).catch(() => undefined);
    await dying.marked;
    await p.alice.stop();
    const again = counting(p.chain, 'startClose');
    p.alice = await restart(p, 'alice', again.chain);
    const alice = telling(p.alice);
    await until('Alice to read her channel', () => p.alice.currentChannel()?.phase === 'open');
    const said: string[] = [];
    const withdraw = p.alice.withdraw({ mode: 'unilateral', onProgress: (m) => said.push(m) });
    withdraw.catch(() => undefined); // told by the await below
    await until('Alice to send her close again or hold it back', () => again.calls() > 0 || alice.logs.some((l) => held.test(l)));
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    assert.ok(said.some((m) => held.test(m)), 'the withdraw says why it waits');
    await dying.land();
    const r = await withdraw;
    assert.equal(r.step, head, 'the close that landed is the answer');
    assert.equal(again.calls(), 0, 'one close, one fee');
  } finally {
    await closePair(p);
  }
});

test('our exit on its way when the node died is not sent again by an exit after the restart while it may land', async () => {
  const p = await openPair({ initialTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    const offered = waitForEvent(p.alice, 'exitOffered', () => true, 60_000);
    await p.bob.deposit();
    await offered;
    await p.alice.stop();
    const dying = dyingOnWay(p.chain, 'startExit');
    p.alice = await restart(p, 'alice', dying.chain);
    await until('Alice to offer the exit', () => p.alice.currentChannel()?.actions.exit.ok);
    void p.alice.exit().catch(() => undefined);
    await dying.marked;
    await p.alice.stop();
    const again = counting(p.chain, 'startExit');
    p.alice = await restart(p, 'alice', again.chain);
    const alice = telling(p.alice);
    await until('Alice to offer the exit', () => p.alice.currentChannel()?.actions.exit.ok);
    const exit = p.alice.exit();
    exit.catch(() => undefined); // told by the await below
    await until('Alice to send her exit again or hold it back', () => again.calls() > 0 || alice.logs.some((l) => held.test(l)));
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    await dying.land();
    const r = await exit;
    assert.ok(r.deadline > 0, 'the exit that landed is the answer');
    assert.equal(again.calls(), 0, 'one exit, one fee');
  } finally {
    await closePair(p);
  }
});
