// Ctrl+C while a cooperative close is being sent to a chain endpoint that hangs: the stop said nothing of the close
// (its close state both signed, not on chain yet). It says now what state the close is in and what the next start
// does. The built CLI (dist/cli.js), its chain endpoint a proxy in front of a devnet.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpcProxy, type RpcHook } from '../helpers/rpc-hook.js';
import { buildOnce, CliProc, DevnetProc, type Json, proposedBetween } from '../e2e/cli-harness.js';

let dir: string;
let devnet: DevnetProc;
let proxy: Awaited<ReturnType<typeof rpcProxy>>;
const hook: { fn: RpcHook | null } = { fn: null };
const procs: CliProc[] = [];

before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-close-stop-'));
  devnet = new DevnetProc(join(dir, 'devnet'));
  await devnet.ready;
  proxy = await rpcProxy(devnet.url, hook);
});
after(async () => {
  for (const p of procs) await p.kill9().catch(() => undefined);
  await proxy?.close();
  await devnet?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('Ctrl+C during a cooperative close stuck at the chain says the close state is signed and the next start sends it', { timeout: 300_000 }, async () => {
  const a = new CliProc(['--chain', 'devnet', '--devnet-url', proxy.url, '--data', join(dir, 'a')]);
  const b = new CliProc(['--chain', 'devnet', '--devnet-url', devnet.url, '--data', join(dir, 'b')]);
  procs.push(a, b);
  await proposedBetween(a, b);
  await b.run('deposit');
  await a.event('stateSigned', (j) => (j.state as Json).step === '0', 60_000);
  // From now on Alice's messages to the chain hang at the endpoint.
  let reached!: () => void;
  const atChain = new Promise<void>((r) => (reached = r));
  hook.fn = async (m) => {
    if (m.method !== 'sendBoc') return null;
    reached();
    return new Promise(() => undefined);
  };
  a.child.stdin.write('withdraw --cooperative --yes\n');
  await atChain;
  const from = a.lines.length;
  a.child.kill('SIGINT');
  const exit = await a.event('exit', () => true, 30_000, from);
  const notes = ((exit.notes as string[] | undefined) ?? []).join('\n');
  assert.match(notes, /Stopping before the cooperative close of \S+ \(step \d+, signed by both\) is seen on chain: if it was sent, it may still land/, notes);
  assert.match(notes, /The next start reads the contract and, if it has not paid out, sends it again/, notes);
  await a.exited;
  // as said: the next start sends the close again once the one signed before can no longer land (a second that
  // found the first landed would cost a fee), and it pays out
  hook.fn = null;
  const again = new CliProc(['--chain', 'devnet', '--devnet-url', proxy.url, '--data', join(dir, 'a')]);
  procs.push(again);
  await again.event('log', (j) => /cooperative close with step \d+ sent before may still land/.test(String(j.message)), 60_000);
  const moved = await fetch(`${devnet.url}/devnet/advanceTime`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 300 }) });
  assert.equal(moved.status, 200, 'the devnet moves its clock past the wallet message\'s expiry');
  await again.event('closed', () => true, 90_000);
});
