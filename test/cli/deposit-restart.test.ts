// After kill -9 in the middle of a deposit (its mark saved, the message as good as sent), the restarted node holds a
// deposit that may still land: `channels` and `showLast` said nothing of it. Also what a start says with the chain
// endpoint unreachable. Built CLIs (dist/cli.js) on a devnet.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CLI, CliProc, DevnetProc, ROOT, proposedBetween } from '../e2e/cli-harness.js';

let dir: string;
let devnet: DevnetProc;
const procs: CliProc[] = [];
const bobData = () => join(dir, 'b');
const pipe = (input: string, url: string, ...more: string[]) =>
  spawnSync(process.execPath, [CLI, '--data', bobData(), '--chain', 'devnet', '--devnet-url', url, ...more], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, input });

/** A port on 127.0.0.1 that was free a moment ago: nothing listens there. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-deposit-restart-'));
  devnet = new DevnetProc(join(dir, 'devnet'));
  await devnet.ready;
  const common = ['--chain', 'devnet', '--devnet-url', devnet.url];
  const a = new CliProc([...common, '--data', join(dir, 'a')]);
  const b = new CliProc([...common, '--data', bobData()], { SYNCHANNEL_CRASH_AT: 'deposit-marked' });
  procs.push(a, b);
  await proposedBetween(a, b);
  // Bob's deposit: accepted, Alice deploys, then Bob's own deposit is marked and the process dies (kill -9)
  b.child.stdin.write('deposit\n');
  await b.exited;
  await a.exit();
});
after(async () => {
  for (const p of procs) await p.exit().catch(() => undefined);
  await devnet?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('after kill -9 mid-deposit, channels and showLast say that the deposit may still land', { timeout: 300_000 }, () => {
  const r = pipe('channels\nshowLast\n', devnet.url);
  const out = r.stdout;
  const lines = out.split('\n');
  const listed = lines.find((l) => / funding, you are B/.test(l)) ?? '';
  assert.match(listed, /deposit .*sent earlier .*may still land/, out);
  const last = lines.findIndex((l) => /^No states yet/.test(l));
  assert.ok(last >= 0, out);
  assert.match(lines[last]!, /deposit .*sent earlier .*may still land/, out);
});

test('after kill -9 mid-deposit, showLast --json carries the deposit that may still land, as channels --json does', { timeout: 300_000 }, () => {
  const r = pipe('channels\nshowLast\n', devnet.url, '--json');
  const results = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { command?: string; result?: Record<string, unknown> });
  type Action = { ok: boolean; code?: string; why?: string };
  const listed = (results.find((x) => x.command === 'channels')?.result?.channels as { actions: { deposit: Action } }[] | undefined)?.[0]?.actions.deposit;
  assert.equal(listed?.code, 'MAY_STILL_LAND', r.stdout);
  const last = results.find((x) => x.command === 'showLast')?.result;
  assert.ok(last, r.stdout);
  assert.equal(last.state, null, r.stdout);
  const deposit = (last.actions as { deposit: Action } | undefined)?.deposit;
  assert.equal(deposit?.code, 'MAY_STILL_LAND', r.stdout);
  assert.match(deposit.why ?? '', /deposit .*sent earlier .*may still land/, r.stdout);
});

test('an unreachable chain endpoint at start is said once, with what to do, not once more for the channel', { timeout: 300_000 }, async () => {
  // a port nothing listens on (not one fetch refuses to dial, like 9: that is said apart)
  const r = pipe('channels\n', `http://127.0.0.1:${await closedPort()}`);
  const said = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /cannot reach/.test(l));
  assert.equal(said.length, 1, said.join('\n'));
  assert.match(said[0]!, /WATCH_FAILING.*check that `synchannel devnet` is running there.*--devnet-url/, said[0]);
});
