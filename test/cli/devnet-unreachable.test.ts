// `synchannel --chain devnet` with no devnet at its URL and no command: the node started, greeted and stopped with
// status 0, not a word about the chain (it stopped before the node's read at start had failed). The built CLI now
// waits for that read, which says that the chain is out of reach and what to do, and the run ends with status 1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CLI, CliProc, ROOT } from '../e2e/cli-harness.js';
import { startDevnet } from '../../src/chain/devnet/server.js';

let dir: string;
let url: string;
const pipe = (input: string, ...flags: string[]) =>
  spawnSync(process.execPath, [CLI, '--data', join(dir, 'data'), '--chain', 'devnet', '--devnet-url', url, ...flags], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, input });

before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-devnet-down-'));
  // a port of 127.0.0.1 nobody listens on: taken, then freed
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  url = `http://127.0.0.1:${port}`;
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a node started on an unreachable devnet with no command says so and what to do, and exits with status 1', () => {
  const text = pipe('');
  assert.match(text.stdout, /ENDPOINT_UNREACHABLE\]: the node cannot read the chain \(cannot reach http:\/\/127\.0\.0\.1:\d+\/jsonRPC .*`synchannel devnet` is running there.*--devnet-url/, text.stdout);
  assert.equal(text.status, 1, text.stdout);
  const json = pipe('', '--json');
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; code?: string });
  assert.ok(lines.some((l) => l.event === 'error' && l.code === 'ENDPOINT_UNREACHABLE'), json.stdout);
  assert.equal(json.status, 1, json.stderr);
});

test("a partner's report with a chain code is its word: it does not end this run with status 1", async () => {
  // any partner may send a refusal with any code (the wire takes it): ENDPOINT_UNREACHABLE from them is not ours
  const { chainNotRead } = await import('../../src/cli/startup.js');
  const theirs = { type: 'error', code: 'ENDPOINT_UNREACHABLE', message: 'your partner reports: cannot reach', level: 'error', partner: true } as const;
  assert.equal(chainNotRead(theirs), false);
  assert.equal(chainNotRead({ ...theirs, partner: undefined, message: 'cannot reach http://127.0.0.1:9/jsonRPC' }), true);
  assert.equal(chainNotRead({ type: 'error', code: 'WATCH_FAILING', message: 'x', level: 'error' }), true);
  assert.equal(chainNotRead({ type: 'error', code: 'NOT_YOUR_TURN', message: 'x', level: 'error' }), false);
});

test('a chain out of reach at start that the node reads again before the run ends does not end it with status 1', async () => {
  const cli = new CliProc(['--data', join(dir, 'data-again'), '--chain', 'devnet', '--devnet-url', url]);
  let dn: Awaited<ReturnType<typeof startDevnet>> | null = null;
  try {
    await cli.event('error', (j) => j.code === 'ENDPOINT_UNREACHABLE');
    // the devnet comes up at that URL: the node reads the chain again (it tries every 15 s) and says so
    dn = await startDevnet({ dataDir: join(dir, 'devnet-again'), port: Number(new URL(url).port), log: () => undefined });
    await cli.event('log', (j) => /reads the chain again/.test(String(j.message)), 60_000);
    cli.child.stdin.end();
    assert.equal(await cli.exited, 0, 'the chain is read at the end: nothing failed that is still failing');
  } finally {
    if (cli.child.exitCode === null) await cli.kill9();
    await dn?.close();
  }
});
