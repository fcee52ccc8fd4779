// The shell's help: `synchannel help` (was "too many arguments") and `synchannel demo --help` (ran the demo).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
  assert.match(r.stdout, /^Usage: synchannel demo\n/);
  assert.doesNotMatch(r.stdout, /Loading the sandbox/);
});
