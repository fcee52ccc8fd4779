// A node that cannot start says, in text mode too, the next step its code names: --json's fatal line carried the
// hint ("check the value you entered") and text mode printed the message alone, with nothing to do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CLI, ROOT } from '../e2e/cli-harness.js';

let dir: string;
const start = (...flags: string[]) => spawnSync(process.execPath, [CLI, '--data', join(dir, 'data'), ...flags], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, input: 'getAccount\n' });

before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-start-hint-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a node that cannot start says what to do in text mode, as the --json fatal line does', () => {
  const json = start('--min-period', '0', '--json');
  const fatal = JSON.parse(json.stdout.trim()) as { event: string; code: string; message: string; hint?: string };
  assert.equal(fatal.event, 'fatal');
  assert.ok(fatal.hint, json.stdout);
  const text = start('--min-period', '0');
  assert.equal(text.status, 1);
  assert.match(text.stderr, /^synchannel could not start: --min-period 0 is outside 60\.\.\d+ seconds/m);
  assert.ok(text.stderr.includes(`(${fatal.hint})`), text.stderr);
  // a period proposed too short: its code's step names the flag
  assert.match(start('--period', '10').stderr, /could not start: --period 10 is outside .*\(propose a longer challenge period \(--period\)\)/);
});
