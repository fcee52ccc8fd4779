// Crash recovery of a defense: A closes with a stale state that pays B less; B's node, challenging it, is killed
// with SIGKILL once its challenge is marked as sent (its message not gone), or while the challenge is on its way to
// the contract, and started again on the same data folder. The close is challenged once (one message from B's
// wallet), B's node says so, and the payout is the latest state both signed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTon } from '../../src/core/amounts.js';
import { onDevnet } from './crash-pair.js';

const big = (v: unknown) => BigInt(v as string);

describe('crash recovery with kill -9 during a challenge', () => {
  const net = onDevnet('synchannel-crash-challenge-');

  async function crashedChallenge(name: string, point: string): Promise<void> {
    const p = net.pair(name);
    await p.open();
    await p.a.run('send 0.5'); // A 2.5, B 4.5
    const states = await p.converge(2n);
    const last = states[states.length - 1]!;
    assert.deepEqual([last[1], last[2]], [parseTon('2.5').toString(), parseTon('4.5').toString()]);
    const contract = (await p.b.run('getSmartContractAccount')).address as string;
    const walletB = (await p.b.run('getAccount')).address as string;
    const before = await net.devnet().txsFrom(contract, walletB);

    // B runs again with the crash point; A submits step 0 (A 3, B 4), which B's node challenges.
    const from = p.a.lines.length;
    await p.b.exit();
    const b = await p.startB(point);
    await p.a.event('partnerConnected', () => true, 30_000, from);
    await p.a.run('withdraw 0 --unilateral --yes');
    assert.equal(await b.exited, null, `B was killed at ${point}`);
    assert.equal(b.child.signalCode, 'SIGKILL');

    await p.startB();
    const challenged = await p.b.event('challenged', () => true, 60_000);
    assert.equal(challenged.byMe, true, "B's node tells the challenge as its own");
    assert.equal(big(challenged.step), BigInt(last[0]!));
    await p.a.event('challenged', () => true, 60_000);
    assert.equal(await net.devnet().txsFrom(contract, walletB), before + 1, `${name}: one challenge from B's wallet`);

    await net.devnet().advanceTime(65);
    const closedA = await p.a.event('closed', () => true, 60_000);
    const closedB = await p.b.event('closed', () => true, 60_000);
    for (const c of [closedA, closedB]) assert.deepEqual([big(c.payoutA), big(c.payoutB)], [parseTon('2.5'), parseTon('4.5')], `${name}: the payout`);
  }

  test("B's node killed once its challenge is marked as sent, its message not gone: it challenges once after the restart", () =>
    crashedChallenge('marked', 'challenge-marked'));

  test("B's node killed while its challenge is on its way to the contract: not sent again, told as its own", () =>
    crashedChallenge('onway', 'during-challenge'));
});
