// Ctrl+C (SIGINT) or SIGTERM stops the node with what `exit` says: the notes on what the stop leaves unwatched, and
// with --json the closing {"event":"exit"} line (a signal stopped it silently).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CliProc } from './cli-harness.js';

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
