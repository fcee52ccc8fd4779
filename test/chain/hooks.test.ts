// Async hooks with an init callback (what AsyncLocalStorage turns on in Node 20) slow every promise of the
// process, the node's payments included: a chain call may turn them on only while it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const ROOT = new URL('../..', import.meta.url).pathname;

test('chain calls with a signal leave no async hooks on, and a signal still cancels a call', { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, ['--expose-internals', '--import', 'tsx', 'test/chain/fixtures/hooks-child.ts'], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { afterSandbox: boolean; afterDevnet: boolean; aborted: string };
  assert.deepEqual(out, { afterSandbox: false, afterDevnet: false, aborted: 'CANCELLED' });
});
