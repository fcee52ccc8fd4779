import { test } from 'node:test';
import assert from 'node:assert/strict';

test('Promise.withResolvers exists after the polyfill (libp2p 3 needs it on Node 20)', async () => {
  const { promise, resolve } = Promise.withResolvers<number>();
  resolve(42);
  assert.equal(await promise, 42);
});
