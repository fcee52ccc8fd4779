// Which connecting wallets are introduced (src/extension/introductions.ts): each once, of a bounded number
// remembered; strangers' connections go to the log within one shared budget per minute.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INTRODUCED_MAX, Introductions, STRANGER_LOG_BUDGET } from '../../src/extension/introductions.js';

describe('introductions of connecting wallets', () => {
  test('each wallet once; at most INTRODUCED_MAX remembered, the oldest forgotten first', () => {
    const intro = new Introductions();
    assert.equal(intro.first('w0'), true);
    assert.equal(intro.first('w0'), false, 'a reconnection is no news');
    for (let i = 1; i <= INTRODUCED_MAX + 500; i++) intro.first(`w${i}`);
    assert.equal(intro.size, INTRODUCED_MAX);
    assert.equal(intro.first(`w${INTRODUCED_MAX + 500}`), false, 'the newest is remembered');
    assert.equal(intro.first('w0'), true, 'the oldest was forgotten');
  });

  test("strangers share one budget per minute; the next minute says how many were left out", () => {
    let now = 1_000_000;
    const intro = new Introductions(() => now);
    const first = Array.from({ length: 100 }, () => intro.allowStranger());
    assert.equal(first.filter((b) => b.ok).length, STRANGER_LOG_BUDGET);
    assert.ok(first.every((b) => b.skipped === 0));
    assert.equal(first.filter((b) => b.first).length, 1, 'one toast a minute');
    now += 60_000;
    assert.deepEqual(intro.allowStranger(), { ok: true, skipped: 100 - STRANGER_LOG_BUDGET, first: true });
    assert.deepEqual(intro.allowStranger(), { ok: true, skipped: 0, first: false });
  });
});
