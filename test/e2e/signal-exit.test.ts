// Ctrl+C (SIGINT) or SIGTERM stops the node with what `exit` says: the notes on what the stop leaves unwatched, and
// with --json the closing {"event":"exit"} line (a signal stopped it silently).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CLI, CliProc, ROOT } from './cli-harness.js';

let dir: string;
before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-signal-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} ends a --json run with the exit line`, async () => {
    const cli = new CliProc(['--data', join(dir, signal)]);
    await cli.event('ready');
    cli.child.kill(signal);
    const code = await cli.exited;
    assert.equal(code, signal === 'SIGINT' ? 130 : 143);
    const exit = cli.lines.find((l) => l.event === 'exit');
    assert.ok(exit, JSON.stringify(cli.lines.slice(-3)));
    assert.equal(exit.signal, signal);
  });
}

/**
 * Runs `count` processes at once and signals each the moment its stdout holds `first` (no line parsing in
 * between): the handlers must be in place before that output, or the signal's default kills the process.
 */
async function signalAtFirstOutput(args: (i: number) => string[], first: string, count: number): Promise<{ code: number | null; signal: string | null }[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const child = spawn(process.execPath, [CLI, ...args(i)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let sent = false;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!sent && out.includes(first)) {
          sent = true;
          child.kill('SIGTERM');
        }
      });
      const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
      return new Promise<{ code: number | null; signal: string | null }>((r) =>
        child.on('exit', (code, signal) => {
          clearTimeout(guard);
          r({ code, signal });
        }),
      );
    }),
  );
}

test('a signal sent the moment the first line is out stops node and devnet cleanly (the devnet saves)', async () => {
  const nodes = await signalAtFirstOutput((i) => ['--json', '--data', join(dir, `early-${i}`)], '"ready"', 4);
  assert.deepEqual(nodes, nodes.map(() => ({ code: 143, signal: null })));
  const devnets = await signalAtFirstOutput((i) => ['devnet', '--port', '0', '--data', join(dir, `devnet-${i}`)], 'devnet listening', 4);
  assert.deepEqual(devnets, devnets.map(() => ({ code: 0, signal: null })));
  for (let i = 0; i < 4; i++) await access(join(dir, `devnet-${i}`, 'devnet-chain.json'));
});
