// Crash recovery: a node process is killed with SIGKILL right after each protocol step (its own signature
// persisted; before it countersigns; after it countersigns; during a close) and restarted on the same data
// folder. Both nodes converge on the same latest state, and the channel closes with it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTon } from '../../src/core/amounts.js';
import type { CliProc, Json } from './cli-harness.js';
import { onDevnet } from './crash-pair.js';

const TON = parseTon;
const big = (v: unknown) => BigInt(v as string);

describe('crash recovery with kill -9 at each protocol step', () => {
  const net = onDevnet('synchannel-crash-');

  test('both nodes converge after each crash and close with the latest state', async () => {
    const pair = net.pair('pair');
    const startA = (crashAt?: string) => pair.startA(crashAt);
    const startB = (crashAt?: string) => pair.startB(crashAt);
    const latestStep = async (p: CliProc) => ((await p.run('showLast')).state as Json | null)?.step;

    // A channel at step 0, both signed.
    await pair.open();
    let a = pair.a;
    let b = pair.b;

    // 1. B (the payer) dies right after persisting its own signed proposal, before sending it.
    // The reconnection is looked for from before the restart: it may come before startB returns.
    let from = a.lines.length;
    await b.exit();
    b = await startB('proposal-persisted');
    await a.event('partnerConnected', () => true, 30_000, from);
    b.child.stdin.write('send 0.5\n');
    await b.exited;
    b = await startB();
    let states = await pair.converge(1n);
    assert.equal(states[1]![1], TON('3.5').toString());

    // 2. A (the receiver) dies after persisting B's proposal, before countersigning it.
    from = b.lines.length;
    await a.exit();
    a = await startA('before-countersign');
    await b.event('partnerConnected', () => true, 30_000, from);
    await pair.converge(BigInt(states.length - 1));
    b.child.stdin.write('send 0.25\n');
    await a.exited;
    a = await startA();
    states = await pair.converge(3n);
    assert.ok(states.some((s) => s[2] === TON('3.25').toString()), 'B paid 0.25 after the crash');

    // 3. A dies right after countersigning (persisted, not yet sent).
    from = b.lines.length;
    await a.exit();
    a = await startA('after-countersign');
    await b.event('partnerConnected', () => true, 30_000, from);
    const stepNow = BigInt((await latestStep(b)) as string);
    if ((await b.run('showLast')).state && (stepNow % 2n === 0n)) {
      // B's turn is odd steps: pay now.
      b.child.stdin.write('send 0.1\n');
    } else {
      await b.run('requestEmpty');
      await b.event('stateSigned', (j) => BigInt((j.state as Json).step as string) > stepNow, 30_000, 0);
      b.child.stdin.write('send 0.1\n');
    }
    await a.exited;
    a = await startA();
    states = await pair.converge(stepNow + 1n);
    const last = states[states.length - 1]!;
    assert.equal(last[2], TON('3.15').toString(), 'B holds 4 - 0.5 - 0.25 - 0.1');

    // 4. A dies while its unilateral close is on its way to the contract; after the restart the node finishes it.
    from = b.lines.length;
    await a.exit();
    a = await startA('during-close');
    await b.event('partnerConnected', () => true, 30_000, from);
    a.child.stdin.write('withdraw --unilateral --yes\n');
    await a.exited;
    a = await startA();
    await b.event('closeStarted', () => true, 60_000, 0);
    await net.devnet().advanceTime(65);
    const closedA = await a.event('closed', () => true, 60_000, 0);
    const closedB = await b.event('closed', () => true, 60_000, 0);
    assert.equal(big(closedB.payoutB), TON('3.15'));
    assert.equal(big(closedA.payoutB), TON('3.15'));
    assert.equal(big(closedA.payoutA), TON('3.85'));
  });
});
