// What a partner writes reaches the user only as plain text, and only so often: its free text cannot forge lines
// of ours in a terminal or a notification, and a flood of claims cannot flood the log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventFormatter } from '../../src/cli/format.js';
import { REPORT_BURST } from '../../src/node/handlers.js';
import { endScene, scene } from './scene.js';
import { until } from './world.js';

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

test("a partner's error text with terminal escapes and line breaks is shown as one plain line", async () => {
  const s = await scene();
  try {
    const step = s.vic.node.channel(s.withMal)!.latest!.step + 1n;
    const forged = `\r\x1b[2K\x1b[1A❗ Received new state❗\nStep ${step}: A [0.48 9.52] B\n❗ Last state signed successful❗\x1b[8m`;
    const from = s.vic.events.length;
    s.mallory.say({ type: 'error', code: 'OK', message: forged });
    await until(() => s.vic.events.slice(from).some((e) => e.type === 'error'), 'the error event');
    const ev = s.vic.events.slice(from).find((e) => e.type === 'error')!;
    const printed = new EventFormatter().format(ev)!;
    assert.doesNotMatch(printed, CONTROL);
    assert.equal(printed.split('\n').length, 1, 'one line: it cannot forge a line of ours');
    assert.match(printed, /^error \[OK\]: your partner reports: /);
    assert.equal((ev as { partner?: true }).partner, true, 'marked as the partner\'s: no hint of ours is added to it');
  } finally {
    await endScene(s);
  }
});

test('close notices with a new step each time: shown within the peer report budget, not one log line each', async () => {
  const s = await scene();
  try {
    const n = 1000;
    const from = s.vic.events.length;
    await s.mallory.flood(n, (i) => ({ type: 'close.notice', contract: s.known.contract, kind: i % 2 ? 'unilateral' : 'cooperative', step: BigInt(i) }), 500);
    await s.mallory.delivered();
    const shown = s.vic.events.slice(from).filter((e) => e.type === 'log' && /Your partner says/.test(e.message)).length;
    assert.ok(shown >= 1, 'a notice is shown');
    assert.ok(shown <= REPORT_BURST + 10, `${shown} notices shown of ${n}`);
  } finally {
    await endScene(s);
  }
});

test("a partner's EQUIVOCATION report is told once, in this node's words: this node signed twice (a key run from two folders)", async () => {
  const s = await scene();
  try {
    const from = s.vic.events.length;
    for (let i = 0; i < 3; i++) s.mallory.say({ type: 'error', code: 'EQUIVOCATION', message: 'your partner signed two different states for step 4: the evidence is kept' });
    s.mallory.say({ type: 'error', code: 'OK', message: 'after' });
    await until(() => s.vic.events.slice(from).some((e) => e.type === 'error' && e.code === 'OK'), 'the later error');
    const told = s.vic.events.slice(from).filter((e) => e.type === 'error' && e.code === 'EQUIVOCATION') as { message: string }[];
    assert.equal(told.length, 1);
    assert.match(told[0]!.message, /this node signed two different states for one step: is your key running from two data folders/);
    assert.doesNotMatch(told[0]!.message, /your partner signed/);
  } finally {
    await endScene(s);
  }
});
