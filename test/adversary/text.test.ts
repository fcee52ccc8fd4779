// What a partner writes reaches the user only as plain text, and only so often: its free text cannot forge lines
// of ours in a terminal or a notification, and a flood of claims cannot flood the log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { EventFormatter, jsonEvent } from '../../src/cli/format.js';
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

test("a partner's EQUIVOCATION report is told once, in this node's words: not signed here (or a restored copy), what to check, no next step of the code's", async () => {
  const s = await scene();
  try {
    const from = s.vic.events.length;
    for (let i = 0; i < 3; i++) s.mallory.say({ type: 'error', code: 'EQUIVOCATION', message: 'you signed two different states for step 4: their node keeps the evidence; the state both of you signed stands' });
    s.mallory.say({ type: 'error', code: 'OK', message: 'after' });
    await until(() => s.vic.events.slice(from).some((e) => e.type === 'error' && e.code === 'OK'), 'the later error');
    // EQUIVOCATION's next step ("keep the evidence; close the channel…") is for the node that caught it: the
    // partner's, who may also say it of an honest node. It is told as information, not as the code's error.
    assert.deepEqual(s.vic.events.slice(from).filter((e) => e.type === 'error' && e.code === 'EQUIVOCATION'), []);
    const told = s.vic.events.slice(from).filter((e): e is Extract<(typeof s.vic.events)[number], { type: 'log' }> => e.type === 'log' && /two different states/.test(e.message));
    assert.equal(told.length, 1);
    assert.equal(told[0]!.level, 'warn', 'a warning line (the CLI shows it), not an error');
    assert.match(told[0]!.message, /This node signed one state for each step .*: check that your key runs from no other data folder/);
    assert.doesNotMatch(told[0]!.message, /your partner signed/);
  } finally {
    await endScene(s);
  }
});

test("a partner's message refused here is told to this node's user from its side: the partner's words go to the partner only", async () => {
  const s = await scene();
  try {
    const from = s.vic.events.length;
    const fake = Address.parse(`0:${randomBytes(32).toString('hex')}`).toString();
    s.mallory.say({ type: 'deposit', contract: fake, party: 'A', amount: 1n });
    await s.mallory.error('deposit', 'UNKNOWN_CHANNEL');
    // the partner's answer is unchanged: in its words
    const answer = s.mallory.received.find((m): m is Extract<typeof m, { type: 'error' }> => m.type === 'error' && m.ref === 'deposit')!;
    assert.match(answer.message, /^no channel \S+ with you here$/);
    await until(() => s.vic.events.slice(from).some((e) => e.type === 'error'), 'the refusal told');
    const ev = s.vic.events.slice(from).find((e) => e.type === 'error') as Extract<(typeof s.vic.events)[number], { type: 'error' }>;
    assert.equal(ev.code, 'UNKNOWN_CHANNEL');
    const short = `${s.mallory.address.toString({ testOnly: true, bounceable: false }).slice(0, 6)}…`;
    // what was refused in words (not the wire type "deposit"), which --json keeps as `wire`
    assert.ok(ev.message.startsWith(`refused a notice of a deposit from your partner ${short}`), ev.message);
    assert.equal(ev.wire, 'deposit');
    assert.equal(jsonEvent(ev).wire, 'deposit');
    assert.match(ev.message, /: it names channel \S+, which is no channel of yours with them: nothing changed \(nothing to do here; if it repeats, check with them which channel they mean\)$/);
    assert.doesNotMatch(ev.message, /with you here/);
    // the code's next step ("check the channel id") is the partner's: no hint of it here
    assert.equal(ev.refused, true);
    assert.equal(jsonEvent(ev).hint, undefined);
    // an acceptance of a channel this node did not propose (Mallory proposed it): "not a proposal of yours" here
    s.mallory.say({ type: 'channel.accept', channelId: s.known.channelId });
    await s.mallory.error('channel.accept', 'UNKNOWN_CHANNEL');
    const acceptance = () => s.vic.events.slice(from).find((e) => e.type === 'error' && /^refused an acceptance of a channel proposal from your partner /.test(e.message)) as { message: string } | undefined;
    await until(() => acceptance() !== undefined, 'the refusal of the acceptance told');
    assert.match(acceptance()!.message, /: they accepted channel \d+, which is not a proposal of yours: nothing changed \(nothing to do here\)$/);
  } finally {
    await endScene(s);
  }
});
