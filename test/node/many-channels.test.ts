// A node watching many channels on a rate-limited endpoint (toncenter's shape: a limit per second, 429 beyond)
// still sees a partner's stale unilateral close without a hint, lands its challenge inside the window, finishes the
// close alone after it, and its deposit is not held behind the watches' reads; at idle its watches use about half
// the limit (src/chain/base.ts). The scene: test/helpers/manychannels.ts; figures at 1 request a second:
// bench/watch-budget.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manyChannels } from '../helpers/manychannels.js';

const LIMIT = 4;
const PERIOD = 120;

test('40 channels on an endpoint of 4 requests a second: a stale close is challenged inside its window and finished after it; idle polls near half the limit', { timeout: 280_000 }, async (t) => {
  const r = await manyChannels({ limit: LIMIT, channels: 40, period: PERIOD, idleMs: 20_000 });
  t.diagnostic(JSON.stringify(r));
  // half the limit, with room for the watches that start one read more than their share in the span
  assert.ok(r.idleRps <= LIMIT * 0.75, `${r.idleRps.toFixed(2)} requests a second at idle`);
  assert.ok(r.challengeS < PERIOD, `the challenge landed ${r.challengeS} s after the close`);
});
