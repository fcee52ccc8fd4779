// Crash recovery of a cooperative close: the node of A, which withdraws, is killed with SIGKILL at each instant of
// it (its close state persisted, not yet sent; the close marked as sent, its message not gone; the message gone,
// not yet seen on chain) and started again on the same data folder. The channel pays out the latest state both
// signed, both nodes say so, and the contract gets one cooperative close from A's wallet, not two.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTon } from '../../src/core/amounts.js';
import { onDevnet, type CrashPair } from './crash-pair.js';

const big = (v: unknown) => BigInt(v as string);

describe('crash recovery with kill -9 during a cooperative close', () => {
  const net = onDevnet('synchannel-crash-close-');

  /**
   * A channel where B paid A 0.5 (A 3.5, B 3.5); A withdraws cooperatively, killed at `point`, and is started
   * again: it pays out by itself, or its withdraw typed again does. `again`: what to do after the restart.
   */
  async function crashedClose(name: string, point: string, again: (p: CrashPair) => Promise<void>): Promise<void> {
    const p = net.pair(name);
    await p.open();
    const { a, contract, walletA, before } = await p.paidThenA(point);
    a.child.stdin.write('withdraw --cooperative --yes\n');
    assert.equal(await a.exited, null, `A was killed at ${point}`);
    assert.equal(a.child.signalCode, 'SIGKILL');

    await p.startA();
    await again(p);
    const closedA = await p.a.event('closed', () => true, 90_000);
    const closedB = await p.b.event('closed', () => true, 90_000);
    for (const c of [closedA, closedB]) {
      assert.equal(big(c.payoutA), parseTon('3.5'), `${name}: A's payout`);
      assert.equal(big(c.payoutB), parseTon('3.5'), `${name}: B's payout`);
    }
    assert.equal(await net.devnet().txsFrom(contract, walletA), before + 1, `${name}: one cooperative close from A's wallet`);
  }

  /**
   * As crashedClose, but B, whose node signs A's close state, is killed at `point` and started again while A's
   * withdraw waits for its signature: A's withdraw pays out, and B's wallet sends nothing.
   */
  async function signerCrashed(name: string, point: string): Promise<void> {
    const p = net.pair(name);
    await p.open();
    await p.b.run('send 0.5');
    await p.converge(1n);
    const contract = (await p.a.run('getSmartContractAccount')).address as string;
    const wallets = [(await p.a.run('getAccount')).address as string, (await p.b.run('getAccount')).address as string];
    const before = await Promise.all(wallets.map((w) => net.devnet().txsFrom(contract, w)));

    const from = p.a.lines.length;
    await p.b.exit();
    const b = await p.startB(point);
    await p.a.event('partnerConnected', () => true, 30_000, from);
    const withdrawn = p.a.run('withdraw --cooperative --yes', 180_000);
    assert.equal(await b.exited, null, `B was killed at ${point}`);
    assert.equal(b.child.signalCode, 'SIGKILL');
    await p.startB();
    const r = await withdrawn;
    assert.equal(r.mode, 'cooperative', `${name}: ${JSON.stringify(r)}`);
    const closedA = await p.a.event('closed', () => true, 90_000);
    const closedB = await p.b.event('closed', () => true, 90_000);
    for (const c of [closedA, closedB]) assert.deepEqual([big(c.payoutA), big(c.payoutB)], [parseTon('3.5'), parseTon('3.5')], `${name}: the payout`);
    const after = await Promise.all(wallets.map((w) => net.devnet().txsFrom(contract, w)));
    assert.deepEqual(after, [before[0]! + 1, before[1]!], `${name}: one cooperative close, from A's wallet`);
  }

  test("the partner's node killed as it gets the close state, before it signs: A's withdraw pays out after its restart", () =>
    signerCrashed('signer-before', 'before-countersign'));

  test("the partner's node killed once it signed the close state, its signature not sent: A's withdraw pays out after its restart", () =>
    signerCrashed('signer-after', 'after-countersign'));

  test('killed once its close state is persisted, before it leaves: the partner signs it after the restart and the node pays it out', () =>
    crashedClose('proposed', 'proposal-persisted', async () => undefined));

  test('killed once the cooperative close is marked as sent, its message not gone: sent once it can no longer land', () =>
    crashedClose('marked', 'coop-close-marked', async (p) => {
      await p.a.wait((j) => /may still land/.test(String(j.message ?? '')), 'the close held back', 60_000);
      await net.devnet().advanceTime(600);
    }));

  test('killed while its cooperative close is on its way to the contract: not sent again, the payout is read', () =>
    crashedClose('onway', 'during-coop-close', async () => undefined));
});
