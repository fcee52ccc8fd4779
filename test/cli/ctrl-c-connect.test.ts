// Ctrl+C at a terminal while `connect` dials (a command whose wait Ctrl+C does not stop: it stops the node) said
// "connect failed: … The operation was aborted (check the address and that your partner runs SynChannel)", blaming
// the address for the person's own Ctrl+C, and drew the prompt again after the stop had begun. The built CLI at a
// terminal (script(1)), on the embedded sandbox; the partner's port is a listener on 127.0.0.1 that never answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CliText } from '../e2e/cli-harness.js';

let dir: string;
before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-ctrl-c-connect-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('Ctrl+C while connect dials stops the node: no failure that blames the address, no prompt drawn after the ^C', { timeout: 120_000 }, async () => {
  const held: Socket[] = [];
  let dialled!: () => void;
  const reached = new Promise<void>((r) => (dialled = r));
  const silent = createServer((s) => {
    held.push(s);
    dialled();
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  const cli = new CliText(['--data', join(dir, 'a')], { tty: true });
  try {
    await cli.wait(/Type help for the commands/);
    const mark = cli.mark();
    cli.child.stdin.write(`connect /ip4/127.0.0.1/tcp/${port}/p2p/12D3KooWEijmtEAtABswpS4TYnSAEpdCgTsSRKZRdXBXLyJZGBLB\n`);
    await reached;
    cli.child.stdin.write('\x03');
    assert.equal(await cli.exited, 130);
    const said = cli.output(mark).slice(cli.output(mark).indexOf('^C'));
    assert.doesNotMatch(said, /check the address|operation was aborted/, said);
    assert.doesNotMatch(said, /^> /m, said);
  } finally {
    cli.child.kill('SIGKILL');
    for (const s of held) s.destroy();
    silent.close();
  }
});
