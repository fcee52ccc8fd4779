// Ctrl-D at a terminal ends the input: at a command's own prompt it cancels that command, and the node says that it
// stops, rather than printing a prompt that no longer reads anything and quitting without a word (a review).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CliText } from './cli-harness.js';

let dir: string;
before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-eof-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('Ctrl-D at a prompt of serve cancels it, and the node says it stops at the end of input', async () => {
  const cli = new CliText(['--data', join(dir, 'a')], { tty: true });
  try {
    await cli.wait(/Type help for the commands/);
    const from = cli.run('serve', /enter a source port/i);
    await from;
    const mark = cli.mark();
    cli.child.stdin.write('\x04');
    await cli.wait(/end of input/i, mark, 30_000);
    assert.equal(await cli.exited, 0);
    const after = cli.output(mark);
    assert.match(after, /serve: cancelled/);
    assert.match(after, /end of input: the node stops/);
    assert.doesNotMatch(after.split('serve: cancelled')[1] ?? '', /^> /m, 'no prompt that reads nothing');
  } finally {
    cli.child.kill('SIGKILL');
  }
});
