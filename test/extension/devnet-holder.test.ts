// Start Devnet run twice before the first is up (a second click, the palette again): one devnet, not two on one
// chain file (the second took the first's lock; one of them was never stopped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevnetHolder } from '../../src/extension/devnetHolder.js';

test('two Start Devnet at once get the one devnet; a stop stops it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-holder-'));
  const holder = new DevnetHolder(() => dir, () => undefined, () => undefined);
  try {
    const [a, b] = await Promise.allSettled([holder.start(0), holder.start(0)]);
    assert.equal(a.status, 'fulfilled', a.status === 'rejected' ? String(a.reason) : '');
    assert.equal(b.status, 'fulfilled', b.status === 'rejected' ? String(b.reason) : '');
    assert.equal(a.value.url, b.value.url);
    assert.equal(holder.current, a.value);
    assert.equal(await holder.stop(), true);
    await assert.rejects(fetch(`${a.value.url}/devnet/info`), 'stopped');
  } finally {
    await holder.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
