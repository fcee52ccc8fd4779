// A new (or mistyped) --data folder gets a new key: the CLI says so once, at that start (it was created silently,
// and a typo in --data looked like an empty wallet).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CLI, ROOT } from './cli-harness.js';
import { SYNCHANNEL_VERSION } from '../../src/core/version.js';

let dir: string;
const pipe = (data: string, ...flags: string[]) => spawnSync(process.execPath, [CLI, '--data', data, ...flags], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, input: '' });

before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-key-created-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a new key is said once: in text, and as keyCreated in the --json ready event', () => {
  const text = join(dir, 'text');
  const first = pipe(text);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`Created a new key and wallet in ${text}`));
  assert.doesNotMatch(pipe(text).stdout, /Created a new key/);
  const json = join(dir, 'json');
  const ready = (r: ReturnType<typeof pipe>) => JSON.parse(r.stdout.split('\n')[0]!) as { event: string; keyCreated?: boolean };
  assert.equal(ready(pipe(json, '--json')).keyCreated, true);
  const again = ready(pipe(json, '--json')) as { keyCreated?: boolean; version?: string };
  assert.equal(again.keyCreated, undefined);
  assert.equal(again.version, SYNCHANNEL_VERSION, 'ready names the build, for a script');
});
