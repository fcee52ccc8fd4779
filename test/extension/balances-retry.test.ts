// A chain figure whose read failed ("not read: <reason>") stayed so until Refresh or the next change of the node:
// a transient failure (an endpoint's 503) never healed by itself. A failed read is now read again by itself, backing
// off (5 s, then twice as long each time, at most a minute apart), and the panel is told to draw again; a panel
// hidden or closed stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainReads, retryDelay } from '../../src/extension/balancesSnapshot.js';
import { figureText } from '../../webview/figures.js';

const DOWN = 'https://testnet.example/api/v2/jsonRPC gave an unexpected answer: 503 Service Unavailable';

/** `p`, or a failure saying `what` did not come within 5 s (it never comes on the old code). */
function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within 5 s`)), 5_000)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

test('a failed chain read is read again by itself and the panel told to draw again; once it answers, the figure shows', async () => {
  let calls = 0;
  let fail = true;
  let told: () => void = () => undefined;
  const reads = new ChainReads(() => undefined, { waitMs: 50, retryMs: 20, retry: () => told() });
  const read = () => (calls++, fail ? Promise.reject(new Error(DOWN)) : Promise.resolve(7n));
  try {
    let again = new Promise<void>((r) => (told = r));
    assert.equal(figureText((await reads.read('w', read)) as never).text, 'not read: testnet.example gave an unexpected answer');
    assert.equal(reads.retrying, 1, 'a read again is planned');
    await within(again, 'the panel told to read again');
    // still down: it fails again, and is planned again (later)
    again = new Promise<void>((r) => (told = r));
    assert.ok('notRead' in (await reads.read('w', read)));
    assert.equal(calls, 2, 'read again, not the failure kept');
    await within(again, 'the panel told to read again a second time');
    fail = false;
    assert.deepEqual(await reads.read('w', read), { value: 7n });
    assert.equal(calls, 3);
    assert.equal(reads.retrying, 0, 'nothing planned once it answered');
    assert.deepEqual(await reads.read('w', read), { value: 7n }, 'the answer is kept as before');
    assert.equal(calls, 3);
  } finally {
    reads.stop();
  }
});

test('a failed read is read again at most every few seconds, backing off to a minute; a panel hidden or closed stops it', async () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 50].map((n) => retryDelay(n)), [5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
  let told = 0;
  const reads = new ChainReads(() => undefined, { waitMs: 50, retry: () => told++ });
  assert.ok('notRead' in (await reads.read('w', () => Promise.reject(new Error(DOWN)))));
  assert.equal(reads.retrying, 1);
  reads.stop();
  assert.equal(reads.retrying, 0, 'hidden or closed: nothing planned');
  assert.equal(told, 0);
  // shown again: its snapshot reads the failed figure again (not the failure kept, which nothing would read again)
  assert.deepEqual(await reads.read('w', () => Promise.resolve(7n)), { value: 7n });
});

test('the cell of a failed read says it is read again by itself', () => {
  const cell = figureText({ notRead: 'failed', reason: 'testnet.example gave an unexpected answer', detail: DOWN });
  assert.equal(cell.title, `${DOWN}. It is read again by itself in a few seconds; Refresh reads it now.`);
});
