// A peer's repeatable reports reach the person as one toast per window (src/extension/pace.ts); the next shown
// says how many were held back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPORT_TOAST_WINDOW_MS, ToastPace, heldWords, pacedKind } from '../../src/extension/pace.js';

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

test("a partner's messages refused here are paced as its reports are (each kind on its own): the node tells up to two a second", () => {
  assert.equal(pacedKind({ type: 'error', code: 'BAD_SIGNATURE', level: 'warning', message: 'refused a new state from your partner 0QAbcd…wxyz: …', refused: true, wire: 'state.propose' }), 'refusal');
  assert.equal(pacedKind({ type: 'error', code: 'OK', level: 'warning', message: 'your partner reports: x', partner: true }), 'report');
  // this side's own failures, and other events, are not paced
  assert.equal(pacedKind({ type: 'error', code: 'DISK_WRITE_FAILED', level: 'error', message: 'the disk is full' }), null);
  assert.equal(pacedKind({ type: 'log', level: 'info', message: 'x' }), null);
  assert.equal(heldWords('refusal', 0), '');
  assert.equal(heldWords('refusal', 12), " (and 12 more partners' messages refused since the last shown: see the SynChannel output)");
  assert.equal(heldWords('report', 3), ' (and 3 more reports from partners since the last shown: see the SynChannel output)');
});
