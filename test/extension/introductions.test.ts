// Which connecting wallets are introduced (src/extension/introductions.ts): each once, of a bounded number
// remembered; strangers (no channel here) share one budget per minute, with one toast a minute.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INTRODUCED_MAX, Introductions, STRANGER_LOG_BUDGET } from '../../src/extension/introductions.js';

describe('introductions of connecting wallets', () => {
  test('each wallet once, with a toast when it has a channel here; at most INTRODUCED_MAX remembered, the oldest forgotten first', () => {
    const intro = new Introductions();
    assert.deepEqual(intro.connected('w0', true), { log: true, toast: true, skipped: 0 });
    assert.deepEqual(intro.connected('w0', true), { log: false, toast: false, skipped: 0 }, 'a reconnection is no news');
    for (let i = 1; i <= INTRODUCED_MAX + 500; i++) intro.connected(`w${i}`, true);
    assert.equal(intro.size, INTRODUCED_MAX);
    assert.equal(intro.connected(`w${INTRODUCED_MAX + 500}`, true).log, false, 'the newest is remembered');
    assert.equal(intro.connected('w0', true).log, true, 'the oldest was forgotten');
  });

  test('strangers share one budget per minute and one toast; the next minute says how many were left out', () => {
    let now = 1_000_000;
    const intro = new Introductions(() => now);
    const first = Array.from({ length: 100 }, (_, i) => intro.connected(`s${i}`, false));
    assert.equal(first.filter((d) => d.log).length, STRANGER_LOG_BUDGET);
    assert.equal(first.filter((d) => d.toast).length, 1, 'one toast a minute');
    assert.ok(first.every((d) => d.skipped === 0));
    // a partner with a channel is introduced whatever strangers did
    assert.deepEqual(intro.connected('partner', true), { log: true, toast: true, skipped: 0 });
    now += 60_000;
    assert.deepEqual(intro.connected('s100', false), { log: true, toast: true, skipped: 100 - STRANGER_LOG_BUDGET });
    assert.deepEqual(intro.connected('s101', false), { log: true, toast: false, skipped: 0 });
  });

  test('a wallet left out during a flood of strangers is introduced on its next connection (not marked as seen)', () => {
    const intro = new Introductions(() => 0);
    for (let i = 0; i < STRANGER_LOG_BUDGET; i++) intro.connected(`s${i}`, false);
    assert.equal(intro.connected('newPartner', false).log, false, 'over the budget');
    // it opened a channel meanwhile and reconnects
    assert.deepEqual(intro.connected('newPartner', true), { log: true, toast: true, skipped: 0 });
  });
});
