// The other sends of ours to the contract that a restart could send again while the first may still land (a second
// is refused once the first lands, and the wallet pays its fee): the finish of a close and our own unilateral close.
// And a cooperative close that failed before it left: its mark went in memory only, so a restart waited for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fund, until } from '../helpers/nodes.js';
import type { NodeContext } from '../../src/node/context.js';
import { closeLanded, onItsWay } from '../../src/node/inflight.js';
import { counting, dyingOnWay, exitOffered, failingAfterMark, held, onPair, paidThenRestartedOn, readingOpen, restartCounting, restartOn, sentOrHeld, telling } from '../helpers/onway.js';

test('a cooperative close that failed before it left is sent at once after a restart (no wait for it)', () =>
  onPair({}, async (p) => {
    const failing = await paidThenRestartedOn(p, 'alice', (c) => failingAfterMark(c, 'cooperativeClose'));
    await readingOpen(p, 'alice');
    await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), /injected/);
    await failing.failed;
    const { again, logs } = await restartCounting(p, 'alice', 'cooperativeClose');
    await readingOpen(p, 'alice');
    void p.alice.withdraw({ mode: 'cooperative' }).catch(() => undefined);
    await sentOrHeld('Alice to send her close or hold it back', again, logs);
    assert.deepEqual(logs.filter((l) => held.test(l)), [], 'nothing of the first can land: not waited for');
    await until('Alice to read the payout', () => p.alice.currentChannel()?.phase === 'closed');
    assert.equal(again.calls(), 1);
  }));

test('a finish on its way when the node died is not sent again after the restart while it may land', () =>
  onPair({}, async (p) => {
    const { dying, again, logs } = await finishOnWayAtRestart(p);
    await sentOrHeld('Alice to finish again or hold it back', again, logs);
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    await dying.land();
    await until('Alice to read the payout', () => p.alice.currentChannel()?.phase === 'closed');
    assert.equal(again.calls(), 0, 'one finish, one fee');
  }));

test('our unilateral close on its way when the node died is not sent again by a withdraw after the restart while it may land', () =>
  onPair({}, async (p) => {
    const dying = await paidThenRestartedOn(p, 'alice', (c) => dyingOnWay(c, 'startClose'));
    void p.alice.withdraw({ mode: 'unilateral' }).catch(() => undefined);
    await dying.marked;
    const { again, logs } = await restartCounting(p, 'alice', 'startClose');
    await until('Alice to read her channel', () => p.alice.currentChannel()?.phase === 'open');
    const said: string[] = [];
    const withdraw = p.alice.withdraw({ mode: 'unilateral', onProgress: (m) => said.push(m) });
    withdraw.catch(() => undefined); // told by the await below
    await sentOrHeld('Alice to send her close again or hold it back', again, logs);
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    assert.ok(said.some((m) => held.test(m)), 'the withdraw says why it waits');
    await dying.land();
    const r = await withdraw;
    assert.equal(r.step, dying.head, 'the close that landed is the answer');
    assert.equal(again.calls(), 0, 'one close, one fee');
  }));

test('our unilateral close on its way when the node died: a withdraw with the partner after the restart waits for it and answers with it (no cooperative close beside it)', () =>
  onPair({}, async (p) => {
    const dying = await paidThenRestartedOn(p, 'alice', (c) => dyingOnWay(c, 'startClose'));
    void p.alice.withdraw({ mode: 'unilateral' }).catch(() => undefined);
    await dying.marked;
    const { again, logs } = await restartCounting(p, 'alice', 'cooperativeClose');
    await readingOpen(p, 'alice'); // Bob connected: a cooperative close is possible but for the close on its way
    const withdraw = p.alice.withdraw({});
    withdraw.catch(() => undefined); // told by the await below
    await sentOrHeld('Alice to send a cooperative close or hold back for her close', again, logs);
    assert.equal(again.calls(), 0, 'no cooperative close while her close may land');
    await dying.land();
    const r = await withdraw;
    assert.equal(r.mode, 'unilateral', 'answered by the close that landed');
    assert.equal(r.step, dying.head);
    assert.equal(again.calls(), 0, 'one close, one fee');
  }));

test('our exit on its way when the node died is not sent again by an exit after the restart while it may land', () =>
  onPair({ initialTimeoutMs: 1500, bob: { autoMode: false } }, async (p) => {
    await exitOffered(p);
    await p.alice.stop();
    const dying = dyingOnWay(p.chain, 'startExit');
    p.alice = await restartOn(p, 'alice', dying.chain);
    await until('Alice to offer the exit', () => p.alice.currentChannel()?.actions.exit.ok);
    void p.alice.exit().catch(() => undefined);
    await dying.marked;
    const { again, logs } = await restartCounting(p, 'alice', 'startExit');
    // not offered while it may land, saying so; the node's exit asked anyway waits for it
    await until('Alice to say her exit is on its way', () => (p.alice.currentChannel()?.actions.exit as { code?: string } | undefined)?.code === 'EXIT_UNDER_WAY');
    const exit = p.alice.exit();
    exit.catch(() => undefined); // told by the await below
    await sentOrHeld('Alice to send her exit again or hold it back', again, logs);
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    await dying.land();
    const r = await exit;
    assert.ok(r.deadline > 0, 'the exit that landed is the answer');
    assert.equal(again.calls(), 0, 'one exit, one fee');
  }));

test("a person's finish waits, as the node's own does, for a finish of ours on its way when the node died", () =>
  onPair({}, async (p) => {
    const { dying, again, logs } = await finishOnWayAtRestart(p);
    await until('Alice to hold her own finish back', () => logs.some((l) => held.test(l)));
    const said: string[] = [];
    const finish = p.alice.finish({ onProgress: (m) => said.push(m) });
    finish.catch(() => undefined); // told by the await below
    await until('Alice to finish again or say why not', () => again.calls() > 0 || said.some((m) => held.test(m)));
    assert.equal(again.calls(), 0, "a person's finish is not sent while the first may land (a second would bounce)");
    await dying.land();
    const r = await finish;
    assert.equal(r.phase, 'closed', 'the finish that landed is the answer');
    assert.equal(again.calls(), 0, 'one finish, one fee');
  }));

test('our unilateral close the contract refused is sent at once by a later withdraw after a restart (no wait for it)', () =>
  onPair({}, async (p) => {
    const failing = await paidThenRestartedOn(p, 'alice', (c) => failingAfterMark(c, 'startClose', { refused: true }));
    await assert.rejects(p.alice.withdraw({ mode: 'unilateral' }), /injected/);
    await failing.failed;
    const { again, logs } = await restartCounting(p, 'alice', 'startClose');
    await until('Alice to read her channel', () => p.alice.currentChannel()?.phase === 'open');
    const withdraw = p.alice.withdraw({ mode: 'unilateral' });
    withdraw.catch(() => undefined); // told by the await below
    await sentOrHeld('Alice to send her close or hold it back', again, logs);
    assert.deepEqual(logs.filter((l) => held.test(l)), [], 'the refused close cannot land: not waited for');
    assert.equal((await withdraw).step, failing.head);
    assert.equal(again.calls(), 1);
  }));

test('a unilateral close asked while our cooperative close may still land waits for it (a close is refused once it pays out)', () =>
  onPair({}, async (p) => {
    const { calls } = await paidThenRestartedOn(p, 'alice', (c) => counting(failingAfterMark(c, 'cooperativeClose', { mayLand: true }).chain, 'startClose'));
    await readingOpen(p, 'alice');
    await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), /may still land/);
    const said: string[] = [];
    p.alice.withdraw({ mode: 'unilateral', onProgress: (m) => said.push(m) }).catch(() => undefined);
    await until('Alice to send her close or say why not', () => calls() > 0 || said.some((m) => held.test(m)));
    assert.equal(calls(), 0, 'not sent while the cooperative close may land');
    assert.ok(said.some((m) => /cooperative close with step/.test(m)), 'the withdraw says which send it waits for');
  }));

test("a wait for a send of this controller's own on its way does not say an earlier controller sent it", () =>
  onPair({}, async (p) => {
    await fund(p);
    const { ctx } = p.alice as unknown as { ctx: NodeContext };
    const [ctl] = [...ctx.channels.values()];
    assert.ok(ctl, 'Alice has her channel');
    const { logs } = telling(p.alice);
    const { end } = onItsWay(ctl, 'close', 7n); // as sendClose marks its own
    const landed = closeLanded(ctx, ctl, 7n);
    await until('Alice to wait for her close on its way', () => logs.some((l) => /step 7 .*is on its way/.test(l)));
    end();
    assert.equal(await landed, false, 'the channel is open: a close is to be sent');
    const line = logs.find((l) => /step 7 .*is on its way/.test(l)) ?? '';
    assert.doesNotMatch(line, /earlier controller/, 'this controller sent it');
    assert.match(line, /this controller sent/);
  }));

/** Alice's unilateral close, its window over, her finish signed and on its way as her node dies; restarted, counting finishes. */
async function finishOnWayAtRestart(p: Parameters<Parameters<typeof onPair>[1]>[0]) {
  const dying = await paidThenRestartedOn(p, 'alice', (c) => dyingOnWay(c, 'finishClose'));
  await p.alice.withdraw({ mode: 'unilateral' });
  await p.bob.stop(); // Bob would finish it too (after a grace)
  p.chain.advanceTime((p.common.challengePeriod ?? 120) + 1);
  await dying.marked;
  return { dying, ...(await restartCounting(p, 'alice', 'finishClose')) };
}
