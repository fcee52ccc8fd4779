// The shell's help: `synchannel help` (was "too many arguments") and `synchannel demo --help` (ran the demo); a
// reader that goes away (`| head`) does not crash the CLI with EPIPE.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CLI, ROOT } from './cli-harness.js';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, input: '' });

before(() => buildOnce());

test('synchannel help prints the usage, as --help', () => {
  const r = run('help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: synchannel \[options\]/);
  assert.match(r.stdout, /synchannel demo \[--pause\]/); // its flag, as devnet's
});

test('synchannel demo --help says what the demo does and does not run it', () => {
  const r = run('demo', '--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: synchannel demo \[--pause\]\n/);
  assert.match(r.stdout, /\nOptions:\n\s+--pause\s+wait for Enter/); // laid out as the main --help
  assert.doesNotMatch(r.stdout, /Loading the sandbox/);
});

test('output piped into a reader that stops early (| head -1): no EPIPE crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synchannel-epipe-'));
  try {
    const r = spawnSync('bash', ['-c', `printf 'help\\nhelp\\nhelp\\n' | "${process.execPath}" "${CLI}" --data "${dir}" | head -1`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Chain: embedded sandbox/);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('synchannel --version (-V) names this build and the contract it opens channels on; --json says it in one line', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const text = run('--version');
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout, `synchannel ${pkg.version} (opens channels on channel contract v4)\n`);
  const json = run('--data', 'never-made', '-V', '--json');
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), { event: 'version', version: pkg.version, contractVersion: 4 });
  assert.equal(existsSync(join(ROOT, 'never-made')), false, 'no node started: no data folder made');
});

test('--json --help and `synchannel help` with --json print the usage as one JSON line, other commands included', () => {
  for (const args of [['--json', '--help'], ['help', '--json'], ['--json', 'help']]) {
    const r = run(...args);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    const line = JSON.parse(lines[0]!) as { event: string; usage: string };
    assert.equal(line.event, 'help');
    assert.match(line.usage, /^Usage: synchannel \[options\][\s\S]*--version[\s\S]*synchannel demo/);
  }
});

// `synchannel devnet --help --json` printed the plain text: the subcommands' help is one JSON line too.
test('devnet and demo --help with --json print their usage as one JSON line, as the main --help --json', () => {
  for (const [args, usage] of [[['devnet', '--help', '--json'], /^Usage: synchannel devnet \[options\][\s\S]*--data <dir>/], [['devnet', '--json', '-h'], /^Usage: synchannel devnet/], [['demo', '--help', '--json'], /^Usage: synchannel demo \[--pause\]/]] as const) {
    const r = run(...args);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    const line = JSON.parse(lines[0]!) as { event: string; usage: string };
    assert.equal(line.event, 'help');
    assert.match(line.usage, usage);
  }
});
