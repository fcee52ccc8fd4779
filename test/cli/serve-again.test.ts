// `serve` a second time added a second listener (port 0 picked another free port), and every port ever served was
// served again at each start (a list that grew by one a run). Now serving again on an address already served says
// so, and a start serves again each address asked for. The built CLI (dist/cli.js) on the embedded sandbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CLI, ROOT } from '../e2e/cli-harness.js';

let dir: string;
const pipe = (input: string) => spawnSync(process.execPath, [CLI, '--data', join(dir, 'data')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, input });
/** The /tcp/<port> of every address in `lines`. */
const ports = (text: string) => new Set([...text.matchAll(/\/tcp\/(\d+)\//g)].map((m) => m[1]));

before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-serve-again-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('serve twice says the address is served already; a start serves again each address asked for, no more', { timeout: 240_000 }, () => {
  const first = pipe('serve 0 127.0.0.1\nserve 0 127.0.0.1\nexit\n');
  const [one, two] = first.stdout.split('To make connection use this address in LAN:').slice(1);
  assert.ok(one && two, first.stdout);
  assert.match(first.stdout, /Already serving on 127\.0\.0\.1: nothing new listens/, first.stdout);
  assert.deepEqual(ports(two), ports(one), 'one listener, the same port');
  // A second run serves again where the first served; its own serve 0 adds nothing.
  const second = pipe('serve 0 127.0.0.1\nexit\n');
  assert.match(second.stdout, /Serving again \(as before the restart\)/, second.stdout);
  assert.match(second.stdout, /Already serving on 127\.0\.0\.1/, second.stdout);
  assert.deepEqual(ports(second.stdout), ports(one), second.stdout);
  // Another address asked for: the next start serves both (a partner may have dialled either), one port each.
  const third = pipe('serve 0 127.0.0.2\nexit\n');
  assert.equal(third.status, 0, third.stderr);
  const fourth = pipe('exit\n');
  const again = /Serving again \(as before the restart\): (.*)/.exec(fourth.stdout)?.[1] ?? '';
  assert.match(again, /\/ip4\/127\.0\.0\.2\//, fourth.stdout);
  assert.match(again, /\/ip4\/127\.0\.0\.1\//, 'the address asked for before it is served again too');
  assert.equal(again.match(/\/ip4\//g)?.length, 2, `one address each, no third: ${again}`);
});
