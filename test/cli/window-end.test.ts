// A challenge window's end was printed in raw UTC (2027-01-15T08:00:00.000Z): it is told in the operator's local
// time, to the second with its UTC offset, and the time left in words (the user check of the CLI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventFormatter, windowEnd } from '../../src/cli/format.js';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi, ChannelView, NodeEvent } from '../../src/node/types.js';

// the operator's zone: India, 5 h 30 min ahead of UTC (read by Date at each use)
process.env.TZ = 'Asia/Kolkata';
const DEADLINE = 1_800_000_000; // 2027-01-15T08:00:00Z
const close = { step: 3n, deadline: DEADLINE, secondsLeft: 600, byMe: true, challengeWith: null };
const view = { id: 'kQC', contract: 'kQC', me: 'A', partnerAddress: '0QB', close } as unknown as ChannelView;

test('a close tells when its window ends in local time with the offset, and the time left by the chain in words', () => {
  const f = new EventFormatter();
  assert.equal(f.format({ type: 'closeStarted', channel: view, step: 3n, byPartner: false, deadline: DEADLINE } as NodeEvent), 'Close started with step 3. The challenge window ends at 2027-01-15 13:30:00 UTC+05:30, 10 min from now; the node finishes the close then.');
  const partner = new EventFormatter().format({ type: 'closeStarted', channel: view, step: 2n, byPartner: true, deadline: DEADLINE } as NodeEvent)!;
  assert.match(partner, /\(step 2; challenge window until 2027-01-15 13:30:00 UTC\+05:30, 10 min from now\)$/);
  assert.doesNotMatch(partner, /T08:00|000Z/);
  // no view of that close: the time left by this clock; a window over says so
  assert.match(windowEnd(Math.round(Date.now() / 1000) + 7500), /, 2 h 5 min from now$/);
  assert.match(windowEnd(Math.round(Date.now() / 1000) - 60), /UTC\+05:30, already past$/);
  process.env.TZ = 'UTC';
  assert.match(windowEnd(DEADLINE, close), /^2027-01-15 08:00:00 UTC, 10 min from now$/);
  process.env.TZ = 'America/New_York';
  assert.match(windowEnd(DEADLINE, close), /^2027-01-15 03:00:00 UTC-05:00, 10 min from now$/);
  process.env.TZ = 'Asia/Kolkata';
});

test('balanceChan during a close tells the window the same way', async () => {
  const out: string[] = [];
  const node = {
    currentChannel: () => ({ ...view, phase: 'closing', closeStep: 3n, deadline: DEADLINE }),
    channels: () => [],
    balanceChan: () => ({ balanceA: 2_500_000_000n, balanceB: 1_500_000_000n, step: 3n }),
  } as unknown as ChannelNodeApi;
  const io: Io = { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine('balanceChan', node, io);
  assert.deepEqual(out, ['A [2.5 1.5] B (step 3; you are A; closing: the contract holds step 3, challenge window until 2027-01-15 13:30:00 UTC+05:30, 10 min from now)']);
});

test('a close of ours whose window is over when it is told (a restart after it) says it ended and the node finishes now, not "ends at …, already past … then"', () => {
  const over = { ...close, secondsLeft: 0 };
  const ended = { ...view, close: over } as unknown as ChannelView;
  const f = new EventFormatter();
  assert.equal(f.format({ type: 'closeStarted', channel: ended, step: 3n, byPartner: false, deadline: DEADLINE } as NodeEvent), 'Close started with step 3. The challenge window ended at 2027-01-15 13:30:00 UTC+05:30; the node finishes the close now.');
  assert.equal(new EventFormatter().format({ type: 'closeStarted', channel: ended, step: null, byPartner: false, deadline: DEADLINE } as NodeEvent), 'Exit started. The challenge window ended at 2027-01-15 13:30:00 UTC+05:30; the node finishes it now.');
});

test("before the node's first read of the chain's time a close's time left is said to be read, with no figure of the local clock", () => {
  const unknown = { ...close, secondsLeft: null };
  assert.match(windowEnd(DEADLINE, unknown), /^2027-01-15 13:30:00 UTC\+05:30, the time left is being read \(the node reads the chain's time first\)$/);
  const told = new EventFormatter().format({ type: 'closeStarted', channel: { ...view, close: unknown }, step: 3n, byPartner: false, deadline: DEADLINE } as NodeEvent)!;
  assert.match(told, /The challenge window ends at 2027-01-15 13:30:00 UTC\+05:30, the time left is being read/);
  assert.doesNotMatch(told, /already past|from now|ended/);
});
