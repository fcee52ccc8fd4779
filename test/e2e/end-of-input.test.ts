// Ctrl-D at a terminal: at a command's own prompt it cancels that command, and the prompt comes back and reads (it
// ended the input, and so stopped the node with money in its channels: a field test); at the command prompt it ends
// the input, and the node says that it stops, rather than quitting without a word (a review).
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

test('Ctrl-D at a prompt of serve cancels serve only; at the command prompt the node says it stops at the end of input', async () => {
  const cli = new CliText(['--data', join(dir, 'a')], { tty: true });
  try {
    await cli.wait(/Type help for the commands/);
    await cli.run('serve', /enter a source port/i);
    let mark = cli.mark();
    cli.child.stdin.write('\x04');
    await cli.wait(/serve: cancelled/, mark, 30_000);
    cli.child.stdin.write('getAccount\n');
    await cli.wait(/getAccount\n\S+\n/, mark, 30_000);
    assert.doesNotMatch(cli.output(mark), /end of input/);
    mark = cli.mark();
    cli.child.stdin.write('\x04');
    await cli.wait(/end of input/i, mark, 30_000);
    assert.equal(await cli.exited, 0);
    const after = cli.output(mark);
    assert.match(after, /end of input: the node stops/);
    assert.doesNotMatch(after.split('end of input')[1] ?? '', /^> /m, 'no prompt that reads nothing');
  } finally {
    cli.child.kill('SIGKILL');
  }
});
