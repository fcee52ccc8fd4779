// `synchannel devnet --json` printed no JSON (commander refused --json as an unknown option, in text): now each line
// it says in text is one JSON line, as every other --json output of the CLI: listening (its URL), the data folder,
// a log line, the stop on SIGTERM; a bad flag is one `fatal` line (USAGE), as the shell's own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildOnce, CLI, ROOT } from '../e2e/cli-harness.js';

let dir: string;
before(async () => {
  buildOnce();
  dir = await mkdtemp(join(tmpdir(), 'synchannel-devnet-json-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('devnet --json prints one JSON line per line it says: listening, data, log, stopping', async () => {
  const data = join(dir, 'chain');
  const child = spawn(process.execPath, [CLI, 'devnet', '--port', '0', '--data', data, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = once(child, 'exit');
  const started = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no data line in 60 s: ${lines.join('\n')} ${stderr}`)), 60_000);
    createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(l);
      if (l.includes('"event":"data"')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  try {
    await started;
    const url = (JSON.parse(lines[0]!) as { url: string }).url;
    // a change the devnet logs (a faucet grant), then the stop
    const r = await fetch(`${url}/devnet/faucet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address: '0QCxgSScvsaTiQ2boMuRTE7wGvKZTmHtjY5WzknICvXTeorO', amount: '1000000000' }) });
    assert.equal(r.status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await exited;
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '');
  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.match(String(events[0]!.url), /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(events.slice(0, 2).map((e) => e.event), ['listening', 'data']);
  assert.equal(events[0]!.nodeFlags, `--chain devnet --devnet-url ${String(events[0]!.url)}`);
  assert.equal(events[1]!.dataDir, data);
  assert.ok(events.some((e) => e.event === 'log' && typeof e.message === 'string' && typeof e.time === 'string'), lines.join('\n'));
  assert.ok(events.some((e) => e.event === 'stopping' && e.signal === 'SIGTERM'), lines.join('\n'));
  assert.match(String(events.at(-1)!.message), /devnet stopped; the chain is saved in/);
});

test('devnet --json with a bad flag prints one fatal line (USAGE) and exits 1', () => {
  const r = spawnSync(process.execPath, [CLI, 'devnet', '--port', 'nope', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  const e = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(e.event, 'fatal');
  assert.equal(e.code, 'USAGE');
  assert.match(String(e.message), /port/);
  assert.equal(e.hint, 'see synchannel devnet --help');
  assert.equal(r.stderr, '');
});
