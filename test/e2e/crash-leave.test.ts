// Crash recovery of a close alone: A's node is killed with SIGKILL once its unilateral close is marked as sent (its
// wallet message signed, its expiry saved) but before the message left. After the restart, a withdraw sends no
// second close while the first may still land (by the chain's clock) and says so; once it can no longer land, the
// close goes, once, with the latest state both signed, and the channel pays out by it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTon } from '../../src/core/amounts.js';
import type { Json } from './cli-harness.js';
import { onDevnet } from './crash-pair.js';

const big = (v: unknown) => BigInt(v as string);

describe('crash recovery with kill -9 during a close alone', () => {
  const net = onDevnet('synchannel-crash-leave-');

  test('killed once its close is marked as sent, its message not gone: a withdraw after the restart says it may still land and sends nothing; once it can no longer land it goes, once', async () => {
    const p = net.pair('marked');
    await p.open();
    const { a, contract, walletA, before } = await p.paidThenA('close-marked');
    a.child.stdin.write('withdraw --unilateral --yes\n');
    assert.equal(await a.exited, null, 'A was killed at close-marked');
    assert.equal(a.child.signalCode, 'SIGKILL');

    await p.startA();
    const held = await p.a.run('withdraw --unilateral --yes').then(() => null, (e: { result?: Json }) => e.result?.error as Json | undefined);
    assert.equal(held?.code, 'WITHDRAW_UNDER_WAY', JSON.stringify(held));
    assert.match(String(held?.message), /may still land/);
    assert.equal(await net.devnet().txsFrom(contract, walletA), before, 'nothing sent yet');

    // Once it can no longer land (the chain's clock read again as the node starts: advanceTime moved it), it goes.
    await net.devnet().advanceTime(600);
    await p.a.exit();
    await p.startA();
    // (the views judge by the chain's clock once the node's start-up read of it is in: a moment after ready)
    for (let i = 0; !(((await p.a.run('channels')).channels as Json[])[0]!.actions as { withdraw: { ok: boolean } }).withdraw.ok; i++) {
      assert.ok(i < 100, 'withdraw is offered again once the close can no longer land');
      await new Promise((r) => setTimeout(r, 200));
    }
    const r = await p.a.run('withdraw --unilateral --yes', 120_000);
    assert.deepEqual([r.mode, r.step], ['unilateral', '2'], JSON.stringify(r));
    await p.b.event('closeStarted', () => true, 60_000);
    assert.equal(await net.devnet().txsFrom(contract, walletA), before + 1, 'one close from A');
    await net.devnet().advanceTime(65);
    const closedA = await p.a.event('closed', () => true, 90_000);
    const closedB = await p.b.event('closed', () => true, 90_000);
    for (const c of [closedA, closedB]) assert.deepEqual([big(c.payoutA), big(c.payoutB)], [parseTon('3.5'), parseTon('3.5')]);
  });
});
