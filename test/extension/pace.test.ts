// A peer's repeatable reports reach the person as one toast per window (src/extension/pace.ts); the next shown
// says how many were held back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChallengeFailures, REPORT_TOAST_WINDOW_MS, ToastPace, heldWords, pacedKind, toldByChallenge } from '../../src/extension/pace.js';
import type { ChannelView, NodeEvent } from '../../src/node/types.js';

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

test('a challenge the node retries is one toast per channel and cause, not one per try; a new cause, the last try and a challenge that lands are told', () => {
  const ch = (id: string) => ({ id }) as ChannelView;
  const failed = (id: string, code: 'INSUFFICIENT_FUNDS' | 'ENDPOINT_UNREACHABLE', nextRetryMs: number | null = 30_000, stopped: 'deadline' | 'refused' | null = null): NodeEvent =>
    ({ type: 'challengeFailed', channel: ch(id), code, message: 'no', secondsLeft: 3_000, nextRetryMs, stopped });
  const f = new ChallengeFailures();
  // a wallet short of the fee: the node tries every 30 s for the whole window
  const tries = Array.from({ length: 100 }, () => f.take(failed('kQ1', 'INSUFFICIENT_FUNDS')));
  assert.deepEqual([tries[0], tries.filter(Boolean).length], [true, 1], '100 tries, one toast');
  assert.equal(f.take(failed('kQ2', 'INSUFFICIENT_FUNDS')), true, 'another channel has its own');
  assert.equal(f.take(failed('kQ1', 'ENDPOINT_UNREACHABLE')), true, 'a new cause is told');
  assert.equal(f.take(failed('kQ1', 'INSUFFICIENT_FUNDS')), true, 'and the first again once it comes back');
  assert.equal(f.take(failed('kQ1', 'INSUFFICIENT_FUNDS', null, 'deadline')), true, 'the last try (no time left) is told');
  assert.equal(f.take(failed('kQ1', 'INSUFFICIENT_FUNDS', null, 'deadline')), false);
  // a challenge that lands starts over: a later failure (the partner's next close) is told again
  assert.equal(f.take({ type: 'challenged', channel: ch('kQ2'), step: 4n, byMe: true }), true);
  assert.equal(f.take(failed('kQ2', 'INSUFFICIENT_FUNDS')), true);
  assert.equal(f.take({ type: 'channelLocked', channel: ch('kQ3') }), true, 'other events are not paced here');
});

test("a challenge's outcome while a person's Challenge runs on that channel is told by the command alone: not toasted again from the node's event", () => {
  const ch = { id: 'kQ1' } as ChannelView;
  const asking = new Set(['kQ1']);
  const landed: NodeEvent = { type: 'challenged', channel: ch, step: 5n, byMe: true };
  const failed: NodeEvent = { type: 'challengeFailed', channel: ch, code: 'INSUFFICIENT_FUNDS', message: 'no', secondsLeft: 300, nextRetryMs: 30_000, stopped: null };
  assert.equal(toldByChallenge(landed, asking), true, "the command says 'the contract now holds Step 5'");
  assert.equal(toldByChallenge(failed, asking), true, "the command's failure says it, with its next steps");
  // the partner's challenge, one told again after a restart, another channel, no Challenge running: toasted
  assert.equal(toldByChallenge({ ...landed, byMe: false }, asking), false);
  assert.equal(toldByChallenge({ ...landed, earlier: true }, asking), false);
  assert.equal(toldByChallenge({ ...landed, channel: { id: 'kQ2' } as ChannelView }, asking), false);
  assert.equal(toldByChallenge(landed, new Set()), false);
  assert.equal(toldByChallenge(failed, new Set()), false);
});
