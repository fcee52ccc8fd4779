// What a command acts on (commands.ts notes it for Run Again) rides on the command's async context: each run sees
// its own while it runs, also across awaits and timers; the mark is off once no command runs, and so are the async
// hooks it needs on Node 20 (they slow every promise of the extension host, the node's payments too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Acting } from '../../src/extension/acting.js';

const ROOT = new URL('../..', import.meta.url).pathname;

interface Acted {
  resolved?: string;
}

test('each running command sees its own mark across awaits and timers, and none once the commands settled', async () => {
  const acting = new Acting<Acted>();
  const one: Acted = {};
  const two: Acted = {};
  let later: Promise<Acted | undefined> | undefined;
  let releaseOne!: () => void;
  const oneWaits = new Promise<void>((r) => (releaseOne = r));
  let releaseLater!: () => void;
  const laterWaits = new Promise<void>((r) => (releaseLater = r));
  const runOne = acting.run(one, async () => {
    await sleep(5);
    // what a command starts and leaves running (a background continuation) reads the mark after it settled
    later = laterWaits.then(() => acting.current());
    await oneWaits;
    await new Promise((r) => setImmediate(r));
    const seen = acting.current();
    if (seen) seen.resolved = 'one';
    return 'done one';
  });
  const runTwo = acting.run(two, async () => {
    await sleep(1);
    const seen = acting.current();
    if (seen) seen.resolved = 'two';
    releaseOne();
    throw new Error('two failed');
  });
  await assert.rejects(runTwo, /two failed/);
  assert.equal(await runOne, 'done one');
  assert.deepEqual([one, two], [{ resolved: 'one' }, { resolved: 'two' }]);
  assert.equal(acting.current(), undefined, 'no mark outside a command');
  releaseLater();
  assert.equal(await later, undefined, 'a continuation a command left behind reads no mark once no command runs');
  // A run after the others settled has its mark again.
  assert.deepEqual(await acting.run({ resolved: 'three' }, async () => {
    await sleep(1);
    return acting.current();
  }), { resolved: 'three' });
});

test('the mark leaves no async hooks on once its commands settled (resolved or failed)', { timeout: 60_000 }, () => {
  const r = spawnSync(process.execPath, ['--expose-internals', '--import', 'tsx', 'test/extension/fixtures/acting-child.ts'], { cwd: ROOT, encoding: 'utf8', timeout: 50_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, boolean>;
  assert.deepEqual(out, { before: false, during: true, afterOne: false, afterFailed: false });
});
