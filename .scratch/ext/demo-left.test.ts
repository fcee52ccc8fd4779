import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTeachingDemo } from '../../src/node/demo.js';

test('a stopped demo leaves its data folder behind', async () => {
  const base = mkdtempSync(join(tmpdir(), 'demo-left-'));
  const dir = join(base, 'demo', 'run1');
  const demo = await createTeachingDemo({ dataDir: dir });
  await demo.runStep('connect');
  await demo.stop();
  const left = readdirSync(dir, { recursive: true }) as string[];
  console.log('left after stop:', left.length, 'entries, e.g.', left.slice(0, 8));
  assert.ok(left.length > 0);
});
