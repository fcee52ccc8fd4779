// The story the CLI tells about a close (a review): a unilateral withdraw said twice that the close started, and a
// partner's challenge of your close was told as "Close started with step 2"; `channels` ran the phase and "you are"
// together ("… closed you are A, partner …").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventFormatter } from '../../src/cli/format.js';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi, ChannelView, NodeEvent } from '../../src/node/types.js';
import { oneChannelNode } from './withdraw-node.js';

// the window's end is told in local time (window-end.test.ts): UTC here
process.env.TZ = 'UTC';
const DEADLINE = 1_800_000_000;
const view = { id: 'kQC', contract: 'kQC', me: 'A', partnerAddress: '0QB', close: null } as unknown as ChannelView;
const started = (step: bigint | null, byPartner = false): NodeEvent => ({ type: 'closeStarted', channel: view, step, byPartner, deadline: DEADLINE });

/** A node with one open channel at step 3 whose withdraw and exit start a close alone (as the node does). */
function closingNode(): ChannelNodeApi {
  const latest = { step: 3n, sender: 'A', balanceA: 1n, balanceB: 2n, sigA: 'AA', sigB: 'BB', committed: true };
  const ch = { ...view, latest, count: 4n, challengePeriod: 600, closeStep: null, restorePending: false, depositA: 1n, depositB: 2n, actions: { withdraw: { ok: true }, exit: { ok: true } } };
  return oneChannelNode(ch, {
    withdraw: async () => ({ mode: 'unilateral', step: 3n, deadline: DEADLINE, fellBack: false, fallbackReason: null }),
    exit: async () => ({ deadline: DEADLINE }),
  });
}

async function said(line: string, n: ChannelNodeApi): Promise<string[]> {
  const out: string[] = [];
  const io: Io = { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, n, io);
  return out;
}

test('a unilateral withdraw (or leave) says once that the close started and when it can be finished', async () => {
  for (const [line, event, what] of [
    ['withdraw --unilateral --yes', started(3n), /^Close started with step 3\. The challenge window ends at 2027-01-15 08:00:00 UTC, [^;]+; the node finishes the close then\.$/],
    ['leave --yes', started(null), /^Exit started\. The challenge window ends at 2027-01-15 08:00:00 UTC, [^;]+; the node finishes it then\.$/],
  ] as const) {
    // what the command prints, then what the node's event prints (both reach the same screen)
    const lines = [...(await said(line, closingNode())), new EventFormatter().format(event)!];
    const text = lines.join('\n');
    assert.equal(text.match(/(Close|Exit) started/g)?.length, 1, text);
    assert.equal(text.match(/2027-01-15 08:00:00/g)?.length, 1, text);
    assert.match(lines.at(-1)!, what);
  }
});

test("a partner's challenge of your close says the partner challenged, with their step", () => {
  const f = new EventFormatter();
  assert.match(f.format(started(1n))!, /^Close started with step 1\./);
  const text = f.format(started(2n))!;
  assert.match(text, /Your partner challenged your close with step 2/);
  assert.doesNotMatch(text, /Close started/);
  // the same told by the chain's challenge event
  const mine = { ...view, close: { step: 2n, submitter: 'A', deadline: DEADLINE, byMe: true, secondsLeft: 600 } } as unknown as ChannelView;
  assert.match(new EventFormatter().format({ type: 'challenged', channel: mine, step: 2n, byMe: false })!, /Your partner challenged your close with step 2/);
  // our own node's challenge of our close, seen again in a read of the contract: told once
  const g = new EventFormatter();
  g.format(started(1n));
  assert.match(g.format({ type: 'challenged', channel: mine, step: 4n, byMe: true })!, /your node challenged it with step 4/);
  assert.equal(g.format(started(4n)), null);
});

test('channels separates the phase from who you are', async () => {
  const c = { contract: 'kQAAA', phase: 'closed', me: 'A', partnerAddress: '0QBBB', latest: { step: 3n, balanceA: 1_000_000_000n, balanceB: 2_000_000_000n }, legacy: false, actions: { deposit: { ok: false, code: 'ALREADY_CLOSED', why: 'closed' } } };
  const n = { channels: () => [c], brokenChannels: () => [], otherNetworks: () => [] } as unknown as ChannelNodeApi;
  assert.deepEqual(await said('channels', n), ['kQAAA closed, you are A, partner 0QBBB: A [1 2] B step 3']);
});

test('channels, while the contract holds an older state than the latest: says which, and the challenge coming (a close of our own restored from a backup)', async () => {
  const latest = { step: 6n, balanceA: 2_700_000_000n, balanceB: 1_300_000_000n };
  const close = { step: 3n, submitter: 'A', deadline: DEADLINE, byMe: true, challengeWith: 6n, secondsLeft: 500 };
  const c = { contract: 'kQAAA', phase: 'closing', me: 'A', partnerAddress: '0QBBB', latest, close, legacy: false, actions: { deposit: { ok: false, code: 'ALREADY_CLOSING', why: 'closing' }, send: { ok: false, code: 'ALREADY_CLOSING', why: 'closing' } } };
  const n = { channels: () => [c], brokenChannels: () => [], otherNetworks: () => [] } as unknown as ChannelNodeApi;
  assert.deepEqual(await said('channels', n), ['kQAAA closing, you are A, partner 0QBBB: A [2.7 1.3] B step 6 (the contract holds step 3: your node challenges it with step 6)']);
  const same = { ...c, close: { ...close, step: 6n, challengeWith: null } };
  assert.deepEqual(await said('channels', { channels: () => [same], brokenChannels: () => [], otherNetworks: () => [] } as unknown as ChannelNodeApi), ['kQAAA closing, you are A, partner 0QBBB: A [2.7 1.3] B step 6']);
});

test('channels says a channel restored from a backup takes no payment, whatever else stands in the way of a send now', async () => {
  const latest = { step: 4n, balanceA: 1_000_000_000n, balanceB: 2_000_000_000n };
  const c = { contract: 'kQAAA', phase: 'open', me: 'B', partnerAddress: '0QBBB', latest, close: null, restored: true, legacy: false, actions: { deposit: { ok: false, code: 'NOT_FUNDING', why: 'locked' }, send: { ok: false, code: 'PENDING_STATE', why: 'a state awaits' } } };
  const n = { channels: () => [c], brokenChannels: () => [], otherNetworks: () => [] } as unknown as ChannelNodeApi;
  assert.deepEqual(await said('channels', n), ['kQAAA open, you are B, partner 0QBBB: A [1 2] B step 4 (restored from a backup: it takes no payment; close it with withdraw)']);
});

test('withdraw of a channel restored from a backup says so and, once confirmed, closes with its latest state (the node asked for that confirmation)', async () => {
  const n = closingNode();
  const ch = { ...n.currentChannel()!, restorePending: true } as ChannelView;
  let opts: { confirmStale?: boolean } | null = null;
  const restored = { ...n, currentChannel: () => ch, channel: () => ch, channels: () => [ch], withdraw: async (o: { confirmStale?: boolean }) => ((opts = o), { mode: 'unilateral', step: 3n, deadline: DEADLINE, fellBack: false, fallbackReason: null }) } as unknown as ChannelNodeApi;
  const text = (await said('withdraw --unilateral --yes', restored)).join('\n');
  assert.match(text, /restored from a backup/);
  assert.equal(opts!.confirmStale, true);
});

test('decline names the channel by its contract address, as channels and every other command do (not the numeric id)', async () => {
  const proposed = { id: '17', channelId: 17n, contract: 'kQDDD', me: 'B', phase: 'proposed', actions: { decline: { ok: true } } };
  const n = {
    currentChannel: () => proposed,
    channel: () => proposed,
    channels: () => [proposed],
    decline: async () => ({ ...proposed, phase: 'rejected' }),
  } as unknown as ChannelNodeApi;
  assert.deepEqual(await said('decline', n), ['Declined channel kQDDD']);
});

test('withdraw of an older step with --cooperative is refused before the plan and the confirmation (it described a unilateral close, then refused)', async () => {
  let asked = 0;
  const n = { ...closingNode(), withdraw: async () => (asked++, {}) } as unknown as ChannelNodeApi;
  const lines = await said('withdraw 1 --cooperative --yes', n);
  assert.equal(asked, 0, 'the node is not asked');
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /a cooperative close uses the latest state \(step 3\), not step 1: withdraw with the latest, or close alone with step 1 \(unilateral\)/);
});
