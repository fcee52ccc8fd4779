// A cooperative close sent to a contract that has paid out already, while its payout transaction is not found
// yet (the watch keeps looking): the contract bounced it for a wallet fee. One held back while it may still land
// was sent again once it could no longer land; one never marked (a close by the partner, or another controller's)
// went at once. A contract read showing it paid out ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until, type Pair } from '../helpers/nodes.js';
import { dyingOnWay, hanging, onPair, paidThenRestartedOn, readingOpen, restartCounting, sentOrHeld } from '../helpers/onway.js';

const paidOut = /has paid out already .*is not sent/;

/** Runs `fn` on a pair whose chain finds no payout transaction once `notFound()` is called (the watch keeps looking). */
const withPayoutHidden = (fn: (p: Pair, notFound: () => void) => Promise<void>) =>
  onPair({}, async (p) => {
    const getPayout = p.chain.getPayout.bind(p.chain);
    try {
      await fn(p, () => void (p.chain.getPayout = () => Promise.resolve(null)));
    } finally {
      p.chain.getPayout = getPayout;
    }
  });

test('a cooperative close held back that lands while its payout transaction is not found yet is not sent again', () =>
  withPayoutHidden(async (p, notFound) => {
    const dying = await paidThenRestartedOn(p, 'alice', (c) => dyingOnWay(c, 'cooperativeClose'));
    await readingOpen(p, 'alice');
    void p.alice.withdraw({ mode: 'cooperative' }).catch(() => undefined);
    await dying.marked;
    const { again, logs } = await restartCounting(p, 'alice', 'cooperativeClose', notFound);
    await sentOrHeld('Alice to hold her close back', again, logs);
    assert.equal(again.calls(), 0, 'not sent again while the first may land');
    await dying.land();
    p.chain.advanceTime(300); // the first could no longer land now, had it not landed
    await until('Alice to send her close again or read it paid out', () => again.calls() > 0 || logs.some((l) => paidOut.test(l)));
    assert.equal(again.calls(), 0, 'one close, one fee');
  }));

test("a close state both signed that the partner paid out while the node was stopped is not sent after the restart while its payout transaction is not found", () =>
  withPayoutHidden(async (p, notFound) => {
    const stuck = await paidThenRestartedOn(p, 'alice', (c) => hanging(c, 'cooperativeClose')); // signed by both, never sent: no mark
    await readingOpen(p, 'alice');
    void p.alice.withdraw({ mode: 'cooperative' }).catch(() => undefined);
    await stuck.called;
    const { again, logs } = await restartCounting(p, 'alice', 'cooperativeClose', async () => {
      await p.bob.withdraw({ mode: 'cooperative' }); // Bob pays out with Alice's close state
      notFound();
    });
    await until('Alice to send her close or read it paid out', () => again.calls() > 0 || logs.some((l) => paidOut.test(l)));
    assert.equal(again.calls(), 0, 'the paid-out contract would bounce it for a fee');
  }));
