// A command waiting at a terminal (deposit waiting up to 20 minutes for the partner's deployment) could be left only
// by stopping the whole node with Ctrl+C, although its own words said "you may stop waiting". Now Ctrl+C stops that
// wait, the command says what already happened, and the node goes on; Ctrl+C at the prompt still stops the node.
// Also the read deposit makes first (the wallet's balance, said at a terminal) on an endpoint that never answers.
// Built CLIs on a devnet: Alice piped (--json), Bob at a terminal (script(1)); Alice proposes, Bob has the proposal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CliProc, CliText, DevnetProc } from '../e2e/cli-harness.js';

let dir: string;
let devnet: DevnetProc;
let alice: CliProc;
let bob: CliText;

before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-ctrl-c-wait-'));
  devnet = new DevnetProc(join(dir, 'devnet'));
  await devnet.ready;
  const common = ['--chain', 'devnet', '--devnet-url', devnet.url];
  alice = new CliProc([...common, '--data', join(dir, 'a')]);
  bob = new CliText([...common, '--data', join(dir, 'b')], { tty: true });
  await alice.event('ready');
  await bob.wait(/Type help for the commands/);
  await alice.run('faucet 20');
  await bob.run('faucet 20', /balance now: 20 TON/);
  const served = await alice.run('serve 0 127.0.0.1');
  await bob.run(`connect ${(served.lan as string[])[0]!}`, /Partner address: \S+/);
  await alice.run('open 3 4');
  await bob.wait(/Your partner proposes a channel/);
});
after(async () => {
  await alice?.exit().catch(() => undefined);
  bob?.child.kill('SIGKILL');
  devnet?.pause(false);
  await devnet?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('Ctrl+C while deposit reads the wallet on an endpoint that never answers stops it at once', { timeout: 120_000 }, async () => {
  devnet.pause();
  try {
    const mark = bob.type('deposit');
    await new Promise((r) => setTimeout(r, 1_000)); // its read of the wallet waits for the paused devnet
    bob.child.stdin.write('\x03');
    await bob.wait(/deposit: cancelled/, mark, 15_000);
    assert.doesNotMatch(bob.output(mark), /Stopping|Your account balance/, bob.output(mark));
  } finally {
    devnet.pause(false);
  }
});

test("Ctrl+C while deposit waits for the partner's deployment stops the wait only: the node goes on", { timeout: 240_000 }, async () => {
  // Alice stops before she can deploy: Bob's deposit accepts and waits for her deployment
  await alice.exit();
  const mark = bob.type('deposit');
  await bob.wait(/waiting for the channel contract to be deployed/, mark, 60_000);
  bob.child.stdin.write('\x03');
  await bob.wait(/deposit: you stopped waiting, but the proposal is accepted/, mark, 30_000);
  // the node goes on: the prompt takes commands, the channel is accepted
  const listed = await bob.run('channels', /you are B/, 30_000);
  assert.match(listed, /accepted/, listed);
  assert.doesNotMatch(bob.output(mark), /Stopping|deposit failed/, bob.output(mark));
  bob.child.stdin.write('\x03');
  assert.equal(await bob.exited, 130);
});
