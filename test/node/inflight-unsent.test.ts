// A challenge or a cooperative close signed (its expiry marked in the record) and then refused before it left (an
// endpoint's clear refusal: nothing of it can land): the mark went from memory but stayed on disk, so a restart
// held the same message back for up to its expiry and a minute, as if it might still land.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../helpers/nodes.js';
import { held, onPair, paidThenRestartedOn, readingOpen, refusedBeforeLeaving, restartCounting, sentOrHeld, telling } from '../helpers/onway.js';

test('a challenge refused before it left is sent again at once after a restart (no mark of it left on disk)', () =>
  onPair({ challengePeriod: 3600 }, async (p) => {
    const { head } = await paidThenRestartedOn(p, 'bob', (c) => ({ chain: refusedBeforeLeaving(c, 'challenge') }));
    const first = telling(p.bob);
    await readingOpen(p, 'bob');
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    await until('Bob to be told his challenge failed', () => first.told.includes('challengeFailed WALLET_REJECTED'));
    const { again, told, logs } = await restartCounting(p, 'bob', 'challenge');
    await sentOrHeld('Bob to send his challenge again or hold it back', again, logs);
    assert.deepEqual(logs.filter((l) => held.test(l)), [], 'nothing of it can land: not held back');
    await until('Bob to tell his challenge', () => told.some((t) => t.startsWith('challenged')));
    assert.deepEqual(told, ['closeStarted 0 byPartner=true', `challenged ${head} byMe=true`]);
  }));

test('a cooperative close refused before it left is sent again at once after a restart (no mark of it left on disk)', () =>
  onPair({}, async (p) => {
    await paidThenRestartedOn(p, 'alice', (c) => ({ chain: refusedBeforeLeaving(c, 'cooperativeClose') }));
    await readingOpen(p, 'alice');
    await assert.rejects(p.alice.withdraw({ mode: 'cooperative' }), /injected: the endpoint refused/);
    const { again, logs } = await restartCounting(p, 'alice', 'cooperativeClose');
    await sentOrHeld('Alice to send her close again or hold it back', again, logs);
    assert.deepEqual(logs.filter((l) => held.test(l)), [], 'nothing of it can land: not held back');
    await until('Alice to read the payout', () => p.alice.currentChannel()?.phase === 'closed');
    assert.equal(again.calls(), 1, 'sent again once');
  }));
