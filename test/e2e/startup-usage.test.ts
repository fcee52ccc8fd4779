// Mistakes on the shell's command line (an unknown flag, a bad --chain, an extra argument): with --json one JSON line
// with the code USAGE, the message and the next step, like every other error; in text the message says to see --help.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildOnce, CLI, ROOT } from './cli-harness.js';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, input: '' });

before(() => buildOnce());

test('--json: a flag the CLI does not know, a chain it does not have, an extra argument are one JSON line (USAGE)', () => {
  for (const args of [['--bogus'], ['--chain', 'mainnet'], ['extra'], ['--data']]) {
    const r = run('--json', ...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr, '', `${args.join(' ')}: nothing in plain text`);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    const j = JSON.parse(lines[0]!) as { event: string; code: string; message: string; hint?: string };
    assert.equal(j.event, 'fatal');
    assert.equal(j.code, 'USAGE');
    assert.ok(j.message.length > 10 && !/^error:/.test(j.message), j.message);
    assert.ok(j.hint, 'the next step');
  }
  assert.match((JSON.parse(run('--json', '--chain', 'mainnet').stdout) as { message: string }).message, /mainnet.*sandbox, devnet, testnet/);
});

test('text: an unknown option or an extra argument says to see --help', () => {
  for (const args of [['--bogus'], ['extra'], ['--chain', 'mainnet']]) {
    const r = run(...args);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /see synchannel --help/, r.stderr);
  }
  assert.match(run('getAccount').stderr, /getAccount/);
});

test('devnet or demo after a flag: says they come first, not that the CLI takes no arguments', () => {
  const j = JSON.parse(run('--json', 'devnet', 'extra').stdout) as { code: string; message: string };
  assert.equal(j.code, 'USAGE');
  assert.match(j.message, /devnet comes first: synchannel devnet/);
  assert.doesNotMatch(j.message, /takes no arguments/);
  assert.match(run('--data', '/tmp/x', 'demo').stderr, /demo comes first: synchannel demo/);
});

test("a network's own flag without that network is refused (the node would have run on the sandbox unasked)", () => {
  const j = JSON.parse(run('--json', '--devnet-url', 'http://127.0.0.1:18081').stdout.trim().split('\n')[0]!) as { event: string; code: string; message: string };
  assert.deepEqual([j.event, j.code], ['fatal', 'USAGE']);
  assert.match(j.message, /^--devnet-url is for --chain devnet, and this node would run on the embedded sandbox: add --chain devnet/);
  const t = run('--chain', 'devnet', '--api-key', 'k');
  assert.equal(t.status, 1);
  assert.match(t.stderr, /--api-key is for --chain testnet, and this node would run on devnet: add --chain testnet/);
});

test('number flags take decimal digits and say what was typed (0x10 was 16 seconds, abc was "got NaN")', () => {
  for (const [flag, value] of [['--period', '0x10'], ['--min-period', '1e3'], ['--min-free-mib', 'abc'], ['--requests-per-second', '0x5'], ['--period', '']]) {
    const r = run('--json', flag!, value!);
    assert.equal(r.status, 1, `${flag} ${value}: ${r.stdout}${r.stderr}`);
    const j = JSON.parse(r.stdout.trim().split('\n')[0]!) as { event: string; code: string; message: string };
    assert.equal(j.event, 'fatal');
    assert.equal(j.code, 'USAGE', j.message);
    assert.ok(j.message.includes(`${flag}`) && j.message.includes(`"${value}"`), j.message);
    assert.doesNotMatch(j.message, /NaN/);
  }
});

test("a bad --announce says it is your own public address (BAD_MULTIADDR's hint spoke of your partner's serve)", async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-announce-'));
  try {
    const r = run('--json', '--data', dir, '--announce', '/ip4/203.0.113.7/tcp/x');
    const j = JSON.parse(r.stdout.trim().split('\n')[0]!) as { event: string; code: string; message: string; hint?: string };
    assert.equal(j.event, 'fatal', r.stdout);
    assert.match(j.message, /announce address/);
    assert.match(j.hint ?? '', /your own public address/);
    assert.doesNotMatch(`${j.message} ${j.hint}`, /partner/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
