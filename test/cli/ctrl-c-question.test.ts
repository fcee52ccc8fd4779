// Ctrl+C at a command's own question ("Are you sure", an amount, a port) stopped the whole node, while Ctrl+D there
// cancelled the command only: a user waving a question away found the node, and the watch of their channels, gone.
// Now Ctrl+C at a question cancels that command and the node goes on; at the command prompt it stops the node, as
// before. The built CLI at a terminal (script(1) gives it a pseudo-terminal), on the embedded sandbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CliText } from '../e2e/cli-harness.js';

let dir: string;
before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-ctrl-c-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A CLI at a terminal on data folder `folder`, ready for commands; killed once `fn` is done. */
async function atTerminal(folder: string, fn: (cli: CliText) => Promise<void>): Promise<void> {
  const cli = new CliText(['--data', join(dir, folder)], { tty: true });
  try {
    await cli.wait(/Type help for the commands/);
    await fn(cli);
  } finally {
    cli.child.kill('SIGKILL');
  }
}

test("Ctrl+C at a command's question cancels that command; at the command prompt it stops the node", { timeout: 120_000 }, () =>
  atTerminal('a', async (cli) => {
    await cli.run('serve', /enter a source port/i);
    let mark = cli.mark();
    // half an answer typed, then Ctrl+C: the command is cancelled and what was typed is dropped
    cli.child.stdin.write('30');
    await cli.wait(/30$/, mark);
    cli.child.stdin.write('\x03');
    await cli.wait(/serve: cancelled/, mark, 30_000);
    cli.child.stdin.write('getAccount\n');
    await cli.wait(/getAccount\n\S+\n/, mark, 30_000);
    assert.match(cli.output(mark), /\^C\n/);
    assert.doesNotMatch(cli.output(mark), /Stopping|To make connection|30getAccount/, cli.output(mark));
    mark = cli.mark();
    cli.child.stdin.write('\x03');
    assert.equal(await cli.exited, 130);
  }));

test('Ctrl+D at a question cancels that command; the lines typed before are still found with the arrow keys', { timeout: 120_000 }, () =>
  atTerminal('b', async (cli) => {
    await cli.run('serve', /enter a source port/i);
    const mark = cli.mark();
    cli.child.stdin.write('\x04');
    await cli.wait(/serve: cancelled/, mark, 30_000);
    // the arrow up brings back "serve" (the prompt was made again after Ctrl+D closed it)
    cli.child.stdin.write('\x1b[A');
    await cli.wait(/serve$/, mark, 30_000);
    cli.child.stdin.write('\n');
    await cli.wait(/serve: cancelled[\s\S]*enter a source port/i, mark, 30_000);
  }));

test('at a terminal, help says what Ctrl+C stops: the waits of deposit, refund, send, withdraw and leave, or the node', { timeout: 120_000 }, () =>
  atTerminal('c', async (cli) => {
    await cli.run('help', /Ctrl\+C stops the wait of deposit, refund, send, withdraw, leave \(the node goes on\); at the prompt it stops the node\./);
    await cli.run('help deposit', /Ctrl\+C stops its wait \(what was sent still lands\); the node goes on\./);
    // a command with no wait to stop says nothing of it (help serve after it: its line follows all of getAccount's)
    const mark = cli.mark();
    await cli.run('help getAccount', /getAccount\s+\S.*\n/);
    await cli.run('help serve', /serve \[port\]/);
    assert.doesNotMatch(cli.output(mark), /Ctrl\+C/, cli.output(mark));
  }));
