// A piped `exit` stopped the node and the lines after it were dropped without a word: the built CLI (dist/cli.js)
// on the embedded sandbox now says how many were not run, and a script gets status 1 (--json: `notRun`).
// An exit with no channel said nothing at all: it now says that the node stops and there is nothing to close.
// A node that cannot start said, in text mode, its message alone: it now adds its code's next step, as --json does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CLI, ROOT } from '../e2e/cli-harness.js';

let dir: string;
const pipe = (input: string, ...flags: string[]) => spawnSync(process.execPath, [CLI, '--data', join(dir, 'data'), ...flags], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, input });

before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-exit-lines-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a piped exit with lines after it says how many were not run, and the run exits with status 1', () => {
  const text = pipe('getAccount\nexit\nbalanceTon\n\nsend 1\n');
  assert.match(text.stdout, /\nexit stopped the node: 2 lines after it were not run \(balanceTon, send 1\)\. Put exit last, or leave it out/, text.stdout);
  assert.doesNotMatch(text.stdout, /Your account balance now|send failed/, 'the lines after exit did not run');
  assert.equal(text.status, 1, text.stderr);
  const json = pipe('exit\ngetSeqno\n', '--json');
  const last = JSON.parse(json.stdout.trim().split('\n').at(-1)!) as { event: string; notRun?: number };
  assert.deepEqual([last.event, last.notRun], ['exit', 1], json.stdout);
  assert.equal(json.status, 1);
  // exit last: nothing to say, status 0
  const clean = pipe('getAccount\nexit\n\n');
  assert.doesNotMatch(clean.stdout, /not run/);
  assert.equal(clean.status, 0, clean.stderr);
});

test('exit (or quit) with no channel says in one line that the node stops and there is nothing to close (it printed nothing)', () => {
  for (const word of ['exit', 'quit']) {
    const text = pipe(`${word}\n`);
    const lines = text.stdout.split('\n').filter((l) => /stops/.test(l));
    assert.deepEqual(lines, ['The node stops: no channel here, nothing to close.'], text.stdout);
    assert.equal(text.status, 0, text.stderr);
  }
  // --json: the exit line, no text
  const json = pipe('quit\n', '--json');
  assert.doesNotMatch(json.stdout, /The node stops/);
  assert.equal((JSON.parse(json.stdout.trim().split('\n').at(-1)!) as { event: string }).event, 'exit');
});

test('a node that cannot start says what to do in text mode, as the --json fatal line does', () => {
  const json = pipe('getAccount\n', '--min-period', '0', '--json');
  const fatal = JSON.parse(json.stdout.trim()) as { event: string; code: string; message: string; hint?: string };
  assert.equal(fatal.event, 'fatal');
  assert.ok(fatal.hint, json.stdout);
  const text = pipe('getAccount\n', '--min-period', '0');
  assert.equal(text.status, 1);
  assert.match(text.stderr, /^synchannel could not start: --min-period 0 is outside 60\.\.\d+ seconds/m);
  assert.ok(text.stderr.includes(`. Next: ${fatal.hint}`), text.stderr);
  // a period proposed too short: its code's step names the flag
  assert.match(pipe('getAccount\n', '--period', '10').stderr, /could not start: --period 10 is outside .*\. Next: propose a longer challenge period \(--period\)$/m);
});
