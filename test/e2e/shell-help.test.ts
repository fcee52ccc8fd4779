// The shell's help: `synchannel help` (was "too many arguments") and `synchannel demo --help` (ran the demo); a
// reader that goes away (`| head`) does not crash the CLI with EPIPE.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CLI, ROOT } from './cli-harness.js';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, input: '' });

before(() => buildOnce());

test('synchannel help prints the usage, as --help', () => {
  const r = run('help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: synchannel \[options\]/);
  assert.match(r.stdout, /synchannel demo/);
});

test('synchannel demo --help says what the demo does and does not run it', () => {
  const r = run('demo', '--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: synchannel demo \[--pause\]\n/);
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
