// A one-shot script exits at the end of its piped input, even on a data folder that served before (the node serves
// again by itself after a restart); only a run whose own input asked to serve keeps running for the partner.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, CLI, ROOT } from './cli-harness.js';

let dir: string;
const pipe = (data: string, input: string, ...flags: string[]) =>
  spawnSync(process.execPath, [CLI, '--data', data, ...flags], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, input });

before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-pipe-exit-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a piped run on a folder that served before exits at the end of its input (the restored listener closes with the node)', () => {
  const data = join(dir, 'served');
  const first = pipe(data, 'serve 0 127.0.0.1\nexit\n');
  assert.equal(first.status, 0, first.stderr);
  const text = pipe(data, 'getAccount\n');
  assert.equal(text.signal, null, `killed after 60 s: it did not exit\n${text.stdout}\n${text.stderr}`);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /Serving again \(as before the restart\)/);
  assert.match(text.stdout, /\n0Q[\w-]{46}\n/);
  assert.doesNotMatch(text.stderr, /still serving/);
  const json = pipe(data, 'getAccount\n', '--json');
  assert.equal(json.status, 0, json.stderr);
  const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event?: string });
  assert.equal(events.at(-1)?.event, 'exit');
  assert.ok(!events.some((e) => e.event === 'stdinEnded'), json.stdout);
});

test('a piped run whose own input has a serve line keeps serving after its input ends', async () => {
  const child = spawn(process.execPath, [CLI, '--data', join(dir, 'serving'), '--json'], { cwd: ROOT });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end('serve 0 127.0.0.1\n');
  const exited = new Promise((r) => child.on('exit', r));
  try {
    const deadline = Date.now() + 60_000;
    while (!/"event":"stdinEnded"/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    assert.match(out, /"event":"stdinEnded","serving":true/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(child.exitCode, null, 'the node still runs');
  } finally {
    child.kill('SIGINT');
    await exited;
  }
});

test('a piped run exits with status 1 when one of its commands failed, 0 when none did', () => {
  const data = join(dir, 'failing');
  const ok = pipe(data, 'getAccount\nbalanceTon\n');
  assert.equal(ok.status, 0, ok.stderr);
  const text = pipe(data, 'getAccount\nsend 1\nnosuchcommand\n');
  assert.equal(text.status, 1, `${text.stdout}\n${text.stderr}`);
  assert.match(text.stdout, /send failed: no channel yet/);
  const json = pipe(data, 'send 1\n', '--json');
  assert.equal(json.status, 1, json.stderr);
  const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event?: string; failed?: number });
  assert.equal(events.at(-1)?.event, 'exit');
  assert.equal(events.at(-1)?.failed, 1);
});
