// `synchannel devnet --help` and `synchannel demo --help` say, as the main --help does, how the subcommand is
// typed, what it does and each of its options (devnet's said "Usage: devnet"; demo's had no options list).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devnetMain } from '../../src/chain/devnet/main.js';
import { demoHelp } from '../../src/cli/subhelp.js';

async function devnet(...argv: string[]): Promise<{ out: string; err: string; status: number | string | undefined }> {
  const out: string[] = [];
  const err: string[] = [];
  const before = process.exitCode;
  const server = await devnetMain(argv, { out: (l) => out.push(l), err: (l) => err.push(l), handleSignals: false });
  assert.equal(server, undefined, 'nothing is served');
  const status = process.exitCode;
  process.exitCode = before;
  return { out: out.join('\n'), err: err.join('\n'), status };
}

test('devnet --help names the command as typed, what it does, its options and how a node uses it', async () => {
  const { out, status } = await devnet('--help');
  assert.ok(!status, 'exits 0');
  assert.match(out, /^Usage: synchannel devnet \[options\]\n/);
  assert.match(out, /Serve one local TON sandbox chain/);
  for (const flag of ['--port <n>', '--host <host>', '--data <dir>', '--version', '--help']) assert.ok(out.includes(flag), flag);
  // how to use it: the nodes' flags, and its two extra endpoints
  assert.match(out, /--chain devnet --devnet-url http:\/\/127\.0\.0\.1:8081/);
  assert.match(out, /\/devnet\/faucet/);
  assert.match(out, /\/devnet\/advanceTime/);
});

test('a devnet flag mistake says where its options are', async () => {
  for (const argv of [['--bogus'], ['extra'], ['--port', 'abc']]) {
    const { err, status } = await devnet(...argv);
    assert.equal(status, 1, argv.join(' '));
    assert.match(err, /see synchannel devnet --help/, argv.join(' '));
  }
});

test('demo --help is laid out as the main --help: usage, what it does, then its options', () => {
  const text = demoHelp();
  assert.match(text, /^Usage: synchannel demo \[--pause\]\n\n/);
  assert.match(text, /two nodes \(Alice and Bob\)/);
  assert.match(text, /\nOptions:\n\s+--pause\s+wait for Enter before each part/);
  assert.match(text, /-h, --help\s+/);
});

test('a devnet --data that is a file, or a --host not of this machine, says what to give instead', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-devnet-args-'));
  try {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const data = await devnet('--port', '0', '--data', file);
    assert.equal(data.status, 1);
    assert.match(data.err, /is a file, not a folder: give --data a folder/);
    assert.doesNotMatch(data.err, /EEXIST/);
    // 198.51.100.7 (TEST-NET-2) is no address of this machine
    const host = await devnet('--port', '0', '--host', '198.51.100.7', '--data', join(dir, 'chain'));
    assert.equal(host.status, 1);
    assert.match(host.err, /Cannot listen on 198\.51\.100\.7:0: .*--host takes an address of this machine: leave it out for 127\.0\.0\.1/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
