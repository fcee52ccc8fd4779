// A peer's repeatable reports reach the person as one toast per window (src/extension/pace.ts); the next shown
// says how many were held back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPORT_TOAST_WINDOW_MS, ToastPace } from '../../src/extension/pace.js';

test('one toast per window; the first of the next window says how many were held', () => {
  let now = 5_000_000;
  const pace = new ToastPace(REPORT_TOAST_WINDOW_MS, () => now);
  const burst = Array.from({ length: 60 }, () => pace.take());
  assert.deepEqual(burst[0], { show: true, held: 0 });
  assert.equal(burst.filter((d) => d.show).length, 1, 'two a second for 30 s would be 60 toasts');
  now += REPORT_TOAST_WINDOW_MS - 1;
  assert.equal(pace.take().show, false);
  now += 1;
  assert.deepEqual(pace.take(), { show: true, held: 60 });
  now += REPORT_TOAST_WINDOW_MS;
  assert.deepEqual(pace.take(), { show: true, held: 0 });
});
