// `npm run demo -- --pause` (a teacher's review: the demo printed the whole story at once): one part at a time,
// on Enter; at the end of the input the rest runs on. Unknown arguments are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const MAIN = ['--import', 'tsx', 'src/cli/main.ts', 'demo'];

test('demo --pause waits for Enter before each part; at the end of the input it plays the rest', async () => {
  const child = spawn(process.execPath, [...MAIN, '--pause'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const until = async (what: string, cond: () => boolean) => {
    for (let i = 0; i < 1200 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(cond(), `waited for ${what}; the output:\n${out}`);
  };
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await until('the first pause', () => out.includes('press Enter for the next part'));
    await new Promise((r) => setTimeout(r, 500));
    assert.match(out, /\n1\. Alice serves/);
    assert.doesNotMatch(out, /\n2\. /, 'the second part waits for Enter');
    child.stdin.write('\n');
    await until('the second part', () => /\n2\. Alice proposes/.test(out));
    await until('the second pause', () => out.split('press Enter').length === 3);
    assert.doesNotMatch(out, /\n3\. /);
    child.stdin.end(); // no more input: the rest plays on
    assert.equal(await exited, 0, out);
    assert.match(out, /\n10\. /);
    assert.match(out, /Paid out: A /);
    assert.equal(out.split('press Enter').length, 3, 'no pause after the end of the input');
  } finally {
    child.kill();
  }
});

test('demo with an unknown argument says what it takes and runs nothing', async () => {
  const child = spawn(process.execPath, [...MAIN, '--paws'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 2);
  assert.match(err, /unknown argument --paws: the demo takes only --pause/);
  assert.doesNotMatch(out, /Loading the sandbox/);
});

test("demo --pause fed an endless input (yes '') reads it only as parts wait: the story plays to its end", { timeout: 20_000 }, async () => {
  const { Readable } = await import('node:stream');
  const { pauser } = await import('../../src/cli/demo.js');
  let read = 0;
  const endless = new Readable({ read() { read += 65536; this.push('\n'.repeat(65536)); } });
  const p = pauser(endless);
  try {
    for (let i = 0; i < 20; i++) await p.wait();
    // the event loop stays free: a timer fires, and the input was not read far ahead
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(read < 4 * 65536 * 16, `${read} bytes read`);
  } finally {
    p.close();
    endless.destroy();
  }
});
