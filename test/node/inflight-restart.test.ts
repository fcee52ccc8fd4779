// A challenge or a cooperative close of ours still on its way (sent, not landed) when the node died: the restart
// sent it once more, which the contract refuses once the first lands, and the wallet paid that fee (and the
// defense told a failed challenge). After a restart, one that may still land is waited for; one that can no
// longer land still goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until, type Pair } from '../helpers/nodes.js';
import { dyingOnWay, failingAfterMark, held, onPair, paidThenRestartedOn, readingOpen, restartCounting, sentOrHeld } from '../helpers/onway.js';

/** Bob's challenge of Alice's stale close is on its way when his node dies; he restarts counting his challenges. */
async function challengeOnWay(p: Pair) {
  const dying = await paidThenRestartedOn(p, 'bob', (c) => dyingOnWay(c, 'challenge'));
  await readingOpen(p, 'bob');
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  await dying.marked;
  const { again, told, logs } = await restartCounting(p, 'bob', 'challenge');
  await sentOrHeld('Bob to send his challenge again or hold it back', again, logs);
  return { head: dying.head, dying, again, bob: { told, logs } };
}

test('a challenge on its way when the node died is not sent again after the restart while it may land, and is told as ours', () =>
  onPair({ challengePeriod: 3600 }, async (p) => {
    const { head, dying, again, bob } = await challengeOnWay(p);
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    await dying.land();
    await until('Bob to tell the challenge', () => bob.told.some((t) => t.startsWith('challenged')));
    assert.deepEqual(bob.told, ['closeStarted 0 byPartner=true', `challenged ${head} byMe=true`]);
    assert.equal(again.calls(), 0, 'one challenge, one fee');
  }));

test('a challenge on its way when the node died that can no longer land is sent again after the restart', () =>
  onPair({ challengePeriod: 3600 }, async (p) => {
    const { head, again, bob } = await challengeOnWay(p);
    p.chain.advanceTime(300); // its wallet message expired: it cannot land any more
    await until('Bob to tell his challenge', () => bob.told.some((t) => t.startsWith('challenged')));
    assert.deepEqual(bob.told, ['closeStarted 0 byPartner=true', `challenged ${head} byMe=true`]);
    assert.equal(again.calls(), 1, 'sent again once');
  }));

test('a cooperative close on its way when the node died is not sent again after the restart while it may land', () =>
  onPair({}, async (p) => {
    const dying = await paidThenRestartedOn(p, 'alice', (c) => dyingOnWay(c, 'cooperativeClose'));
    await readingOpen(p, 'alice');
    void p.alice.withdraw({ mode: 'cooperative' }).catch(() => undefined);
    await dying.marked;
    const { again, logs } = await restartCounting(p, 'alice', 'cooperativeClose');
    await sentOrHeld('Alice to send her close again or hold it back', again, logs);
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    await dying.land();
    await until('Alice to read the payout', () => p.alice.currentChannel()?.phase === 'closed');
    assert.equal(again.calls(), 0, 'one close, one fee');
  }));

test('a challenge the contract refused is not waited for after a restart (its mark went, saved)', () =>
  onPair({ challengePeriod: 3600 }, async (p) => {
    await paidThenRestartedOn(p, 'bob', (c) => failingAfterMark(c, 'challenge', { refused: true, thenHang: true }));
    const first = p.bob;
    // Bob's node stops as the refusal is told: the record holds what the refusal left in it.
    const stopped = new Promise<void>((r) => first.on((e) => void (e.type === 'challengeFailed' && r(first.stop()))));
    await until('Bob to read his channel', () => p.bob.currentChannel()?.phase === 'open');
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    await stopped;
    const { again, told, logs } = await restartCounting(p, 'bob', 'challenge');
    await sentOrHeld('Bob to send his challenge or hold it back', again, logs);
    assert.deepEqual(logs.filter((l) => held.test(l)), [], 'the refused one cannot land: not waited for');
    await until('Bob to tell his challenge', () => told.some((t) => t.startsWith('challenged')));
    assert.equal(again.calls(), 1);
  }));
