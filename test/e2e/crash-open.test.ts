// Crash recovery at the opening of a channel: the initial state (step 0) is where the journal's first state both
// signed and the record's move to open are written one after the other. A (who proposes it) is killed with SIGKILL
// once it persisted it, before it left; B once it countersigned it, before its signature left and before its record
// says open. After the restart both hold step 0 signed by both, a payment goes, and the channel pays out by it.
// B killed during its deposit (marked, its message not gone; on its way): deposited once, and the channel opens.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTon } from '../../src/core/amounts.js';
import type { CliProc, Json } from './cli-harness.js';
import { onDevnet, type CrashPair } from './crash-pair.js';

const big = (v: unknown) => BigInt(v as string);

describe('crash recovery with kill -9 at the initial state', () => {
  const net = onDevnet('synchannel-crash-open-');

  async function crashedOpen(name: string, who: 'a' | 'b', point: string): Promise<void> {
    const p = net.pair(name);
    await p.startA(who === 'a' ? point : undefined);
    await p.startB(who === 'b' ? point : undefined);
    await p.a.run('faucet 20');
    await p.b.run('faucet 20');
    await p.connect();
    await p.a.run('open 3 4');
    await p.b.event('channelProposed');
    const victim: CliProc = p[who];
    p.b.child.stdin.write('deposit\n');
    assert.equal(await victim.exited, null, `${who} was killed at ${point}`);
    assert.equal(victim.child.signalCode, 'SIGKILL');

    const other = who === 'a' ? p.b : p.a;
    const from = other.lines.length;
    await (who === 'a' ? p.startA() : p.startB());
    await other.event('partnerConnected', () => true, 30_000, from);
    await p.converge(0n);
    for (const q of [p.a, p.b]) {
      const ch = (await q.run('channels')).channels as { phase: string }[];
      assert.deepEqual(ch.map((c) => c.phase), ['open'], `${name}: the channel is open`);
    }
    await p.b.run('send 0.5');
    await p.converge(1n);
    await p.a.run('withdraw --cooperative --yes');
    const closedA = await p.a.event('closed', () => true, 90_000);
    const closedB = await p.b.event('closed', () => true, 90_000);
    for (const c of [closedA, closedB]) assert.deepEqual([big(c.payoutA), big(c.payoutB)], [parseTon('3.5'), parseTon('3.5')], `${name}: the payout`);
  }

  /**
   * B killed during its deposit at `point` and started again (`then`: what it does after): the contract gets one
   * deposit from B's wallet, the channel locks and opens with step 0 signed by both.
   */
  async function crashedDeposit(name: string, point: string, then: (p: CrashPair) => Promise<void>): Promise<void> {
    const p = net.pair(name);
    await p.startA();
    await p.startB(point);
    await p.a.run('faucet 20');
    await p.b.run('faucet 20');
    await p.connect();
    await p.a.run('open 3 4');
    await p.b.event('channelProposed');
    p.b.child.stdin.write('deposit\n');
    assert.equal(await p.b.exited, null, `B was killed at ${point}`);
    const contract = (await p.a.run('getSmartContractAccount')).address as string;
    await p.startB();
    await then(p);
    await p.converge(0n);
    const walletB = (await p.b.run('getAccount')).address as string;
    assert.equal(await net.devnet().txsFrom(contract, walletB), 1, `${name}: one deposit from B's wallet`);
    const views = [((await p.a.run('channels')).channels as Json[])[0]!, ((await p.b.run('channels')).channels as Json[])[0]!];
    for (const v of views) assert.deepEqual([v.phase, big(v.depositA), big(v.depositB)], ['open', parseTon('3'), parseTon('4')], `${name}: the deposits`);
  }

  test("B killed while its deposit is on its way to the contract: the node reads it there after the restart, nothing is sent again", () =>
    crashedDeposit('deposit-onway', 'during-deposit', async () => undefined));

  test('B killed once its deposit is marked, its message not gone: refused while it may land, sent once when it can no longer', () =>
    crashedDeposit('deposit-marked', 'deposit-marked', async (p) => {
      const held = await p.b.run('deposit').then(() => null, (e: { result?: Json }) => e.result?.error as Json | undefined);
      assert.equal(held?.code, 'DEPOSIT_UNDER_WAY', JSON.stringify(held));
      await net.devnet().advanceTime(600);
      await p.b.exit();
      await p.startB();
      // (the views judge by the chain's clock once the node's start-up read of it is in: a moment after ready)
      for (let i = 0; !(((await p.b.run('channels')).channels as Json[])[0]!.actions as { deposit: { ok: boolean } }).deposit.ok; i++) {
        assert.ok(i < 100, 'deposit is offered again once the first can no longer land');
        await new Promise((r) => setTimeout(r, 200));
      }
      await p.b.run('deposit', 120_000);
    }));

  test('A killed once its initial state is persisted, before it leaves', () => crashedOpen('a-proposed', 'a', 'proposal-persisted'));

  test('B killed once it countersigned the initial state, before its signature leaves and its record says open', () =>
    crashedOpen('b-signed', 'b', 'after-countersign'));
});
