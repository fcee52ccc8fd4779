// A locked channel (no state signed by both) that the partner's exit paid out while this node was down, its payout
// transaction not found (the watch keeps looking): the node says the contract paid out, and offers no exit, which
// the paid-out contract would refuse for a wallet fee.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitForEvent } from '../../src/node/index.js';
import { counting, exitOffered, onPair, restartOn } from '../helpers/onway.js';
import { until } from '../helpers/nodes.js';

test("the partner's exit paid out unseen (its payout transaction not found): no exit is offered or sent", () =>
  onPair({ initialTimeoutMs: 1500, bob: { autoMode: false } }, async (p) => {
    await exitOffered(p);
    await p.alice.stop();
    await p.bob.exit();
    p.chain.advanceTime(200); // past the window (120 s)
    await until("Bob's exit paid out", () => p.bob.currentChannel()?.phase === 'closed', 60_000);
    p.chain.getPayout = () => Promise.resolve(null); // its payout transaction is not found (buried)
    const exits = counting(p.chain, 'startExit');
    p.alice = await restartOn(p, 'alice', exits.chain);
    await waitForEvent(p.alice, 'error', (e) => e.code === 'PENDING' && /has paid out/.test(e.message), 30_000);
    const shown = p.alice.currentChannel()!.actions.exit;
    assert.equal(shown.ok, false, 'no Leave offered on a contract that paid out');
    await assert.rejects(p.alice.exit(), (e: { code?: string }) => e.code === 'ALREADY_CLOSING');
    assert.equal(exits.calls(), 0, 'no exit sent to the paid-out contract');
  }));
