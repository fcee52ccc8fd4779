// Crash recovery: a node process is killed with SIGKILL right after each protocol step (its own signature
// persisted; before it countersigns; after it countersigns; during a close) and restarted on the same data
// folder. Both nodes converge on the same latest state, and the channel closes with it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTon } from '../../src/core/amounts.js';
import { buildOnce, CliProc, DevnetProc, type Json } from './cli-harness.js';

const TON = parseTon;
const big = (v: unknown) => BigInt(v as string);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe('crash recovery with kill -9 at each protocol step', () => {
  let dir: string;
  let devnet: DevnetProc;
  const procs: CliProc[] = [];

  before(async () => {
    buildOnce();
    dir = await mkdtemp(join(tmpdir(), 'synchannel-crash-'));
    devnet = new DevnetProc(join(dir, 'devnet'));
    await devnet.ready;
  });

  after(async () => {
    for (const p of procs) await p.exit().catch(() => undefined);
    await devnet?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('both nodes converge after each crash and close with the latest state', async () => {
    const port = await freePort();
    const common = ['--chain', 'devnet', '--devnet-url', devnet.url];
    const startA = async (crashAt?: string) => {
      const p = new CliProc([...common, '--data', join(dir, 'a'), '--period', '60'], crashAt ? { SYNCHANNEL_CRASH_AT: crashAt } : {});
      procs.push(p);
      await p.event('ready');
      await p.run(`serve ${port} 127.0.0.1`);
      return p;
    };
    const startB = async (crashAt?: string) => {
      const p = new CliProc([...common, '--data', join(dir, 'b')], crashAt ? { SYNCHANNEL_CRASH_AT: crashAt } : {});
      procs.push(p);
      await p.event('ready');
      return p;
    };
    const latestStep = async (p: CliProc) => ((await p.run('showLast')).state as Json | null)?.step;
    const converge = async (a: CliProc, b: CliProc, step: string) => {
      // Poll both until they agree on a latest state both signed, at or past `step` (60 s at most).
      const committed = async (p: CliProc) => {
        const ss = ((await p.run('showAll')).states as Json[]).filter((s) => s.sigA && s.sigB);
        return ss.length ? BigInt(ss[ss.length - 1]!.step as string) : -1n;
      };
      for (let i = 0; ; i++) {
        const [sa, sb] = [await committed(a), await committed(b)];
        if (sa === sb && sa >= BigInt(step)) break;
        if (i > 300) assert.fail(`no convergence at step ${step}: A ${sa}, B ${sb}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const all = async (p: CliProc) => ((await p.run('showAll')).states as Json[]).filter((s) => s.sigA && s.sigB).map((s) => [s.step, s.balanceA, s.balanceB, s.sigA, s.sigB]);
      assert.deepEqual(await all(a), await all(b));
      return all(a);
    };

    // A channel at step 0, both signed.
    let a = await startA();
    let b = await startB();
    await a.run('faucet 20');
    await b.run('faucet 20');
    const served = a.lines.find((j) => j.event === 'served')!;
    await b.run(`connect ${(served.lan as string[])[0]!}`);
    await a.run('open 3 4');
    await b.event('channelProposed');
    await b.run('deposit');
    await converge(a, b, '0');

    // 1. B (the payer) dies right after persisting its own signed proposal, before sending it.
    // The reconnection is looked for from before the restart: it may come before startB returns.
    let from = a.lines.length;
    await b.exit();
    b = await startB('proposal-persisted');
    await a.event('partnerConnected', () => true, 30_000, from);
    b.child.stdin.write('send 0.5\n');
    await b.exited;
    b = await startB();
    let states = await converge(a, b, '1');
    assert.equal(states[1]![1], TON('3.5').toString());

    // 2. A (the receiver) dies after persisting B's proposal, before countersigning it.
    from = b.lines.length;
    await a.exit();
    a = await startA('before-countersign');
    await b.event('partnerConnected', () => true, 30_000, from);
    await converge(a, b, String(states.length - 1));
    b.child.stdin.write('send 0.25\n');
    await a.exited;
    a = await startA();
    states = await converge(a, b, '3');
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
    states = await converge(a, b, String(stepNow + 1n));
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
    await fetch(`${devnet.url}/devnet/advanceTime`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 65 }) });
    const closedA = await a.event('closed', () => true, 60_000, 0);
    const closedB = await b.event('closed', () => true, 60_000, 0);
    assert.equal(big(closedB.payoutB), TON('3.15'));
    assert.equal(big(closedA.payoutB), TON('3.15'));
    assert.equal(big(closedA.payoutA), TON('3.85'));
  });
});
