// The careless-user walk on a devnet: on a declined channel every command said "the channel was declined: open a new
// channel if you still want one" (refund, challenge, finish too), and on a closing one "a close is under way: the node
// finishes it after the challenge window" (send too); decline there added "Next: check the channel phase". Each
// command now says why for itself and what to do, on one line with no code hint after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import { capabilities, type CapabilityInput } from '../../src/core/capabilities.js';
import type { ChannelNodeApi, ChannelView } from '../../src/node/types.js';

function input(life: 'rejected' | 'closing'): CapabilityInput {
  const off = life === 'closing' ? { phase: 'CLOSING' as const, turn: 'A' as const, stagedBy: null, latestStep: 5n, latestTag: 'state' as const, myBalance: 2n } : null;
  return { me: 'A', life, off, expectedMine: 3n, depositedMine: life === 'closing' ? 3n : 0n, deadlinePassed: false, deadline: Date.UTC(2026, 11, 7, 11, 58, 51) / 1000, restorePending: false };
}

/** What text mode prints for `line` on one channel, named with --channel, whose actions are the core's for `i`. */
async function said(line: string, i: CapabilityInput, more: Partial<ChannelNodeApi> = {}): Promise<string[]> {
  const view = { id: 'kQc', contract: 'kQc', me: i.me, phase: i.life, latest: null, actions: capabilities(i) } as unknown as ChannelView;
  const node = { currentChannel: () => view, channel: (id: string) => (id === 'kQc' ? view : null), channels: () => [view], partners: () => [], ...more } as unknown as ChannelNodeApi;
  const out: string[] = [];
  const io: Io = { say: (s) => out.push(s), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(`${line} --channel kQc`, node, io);
  return out;
}

const LINES = ['deposit', 'refund --yes', 'send 1', 'sign', 'createEmpty', 'requestEmpty', 'withdraw --yes', 'leave --yes', 'decline'];

test('each command refused on a declined channel says why for itself and what to do, with no code hint after it', async () => {
  const all: string[] = [];
  for (const line of [...LINES, 'challenge', 'finish']) {
    const out = await said(line, input('rejected'));
    const name = line.split(' ')[0]!;
    assert.equal(out.length, 1, out.join('\n'));
    assert.match(out[0]!, new RegExp(`^${name} failed: the channel was declined: `), out[0]);
    assert.doesNotMatch(out[0]!, /Next:/, out[0]);
    all.push(out[0]!.slice(name.length));
  }
  assert.equal(new Set(all).size, all.length, 'one reason for each command');
  assert.deepEqual(await said('refund --yes', input('rejected')), ['refund failed: the channel was declined: no deposit of yours reached it, so there is nothing to take back; open a new channel if you still want one']);
  assert.deepEqual(await said('finish', input('rejected')), ['finish failed: the channel was declined: the node no longer follows it, and nothing of yours is in it to pay out; open a new channel if you still want one']);
});

test('each command refused on a closing channel says why for itself: payments ended, or wait for the window named', async () => {
  const all: string[] = [];
  for (const line of LINES) {
    const out = await said(line, input('closing'));
    const name = line.split(' ')[0]!;
    assert.equal(out.length, 1, out.join('\n'));
    assert.doesNotMatch(out[0]!, /Next:/, out[0]);
    all.push(out[0]!.slice(name.length));
  }
  assert.equal(new Set(all).size, all.length, 'one reason for each command');
  assert.deepEqual(await said('send 1', input('closing')), ["send failed: a close is under way: payments in this channel have ended (it pays out by the state on chain, or a newer one both signed); open a new channel to pay again"]);
  assert.deepEqual(await said('withdraw --yes', input('closing')), [
    "withdraw failed: the channel is closing already, so there is nothing more to withdraw; wait for its challenge window to end (until 2026-12-07 11:58:51 UTC by the chain's clock): the node then finishes the close, and it pays out",
  ]);
  assert.match((await said('decline', input('closing')))[0]!, /^decline failed: a close is under way, so there is nothing to decline; wait for its challenge window to end/);
});

test('sign with nothing to sign says what comes next, on one line with no code hint after it', async () => {
  const open: CapabilityInput = { me: 'A', life: 'open', off: { phase: 'OPEN', turn: 'A', stagedBy: null, latestStep: 5n, latestTag: 'state', myBalance: 2n }, expectedMine: 3n, depositedMine: 3n, deadlinePassed: false, restorePending: false };
  assert.deepEqual(await said('sign', open), ['sign failed: no state from your partner awaits your signature: nothing to do; the node says when one comes in']);
  assert.match((await said('sign', input('closing')))[0]!, /^sign failed: a close is under way: no state from your partner awaits your signature, .*; wait for its challenge window to end/);
});

test('balanceChan on a declined channel says it never opened and what to do, with no code hint after it', async () => {
  const out = await said('balanceChan', input('rejected'), { balanceChan: () => null });
  assert.equal(out.length, 1, out.join('\n'));
  assert.match(out[0]!, /the channel was declined, so it never opened and nothing is signed in it; open a new channel if you still want one/, out[0]);
  assert.doesNotMatch(out[0]!, /Next:/, out[0]);
});
