// A user check on the devnet with a --manual partner: before the channel opened, `send` said "the initial state waits
// for your partner's signature (wait until both deposits are in and the initial state is signed by both)", the
// code's generic hint added although both deposits were in; and `withdraw` told the node whose signature the initial
// state awaited to leave with the deposits (a close and a challenge window) where `sign` opens the channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import { capabilities, type CapabilityInput } from '../../src/core/capabilities.js';
import type { Party } from '../../src/core/signed.js';
import type { ChannelNodeApi, ChannelView } from '../../src/node/types.js';

function input(me: Party, life: 'proposed' | 'locked', stagedBy: Party | null): CapabilityInput {
  const off = life === 'locked' ? { phase: 'OPEN' as const, turn: null, stagedBy, latestStep: null, latestTag: null, myBalance: 1n } : null;
  return { me, life, off, expectedMine: 1n, depositedMine: life === 'locked' ? 1n : 0n, deadlinePassed: false, restorePending: false };
}

/** The line text mode prints for `line` on one channel whose actions are the core's for `i`. */
async function said(line: string, i: CapabilityInput): Promise<string> {
  const view = { id: 'kQc', contract: 'kQc', me: i.me, phase: i.life, latest: null, actions: capabilities(i) } as unknown as ChannelView;
  const node = { currentChannel: () => view, channel: () => null, channels: () => [view] } as unknown as ChannelNodeApi;
  const out: string[] = [];
  const io: Io = { say: (s) => out.push(s), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, node, io);
  return out.join('\n');
}

test('a payment before the channel opens says what to do, never "wait until both deposits are in" once they are', async () => {
  assert.equal(
    await said('send 1', input('A', 'locked', 'A')),
    "send failed: payments start once the channel is open: the initial state waits for your partner's signature: wait for it, or leave with the deposits (leave) if they never sign",
  );
  assert.equal(
    await said('createEmpty', input('A', 'proposed', null)),
    'createEmpty failed: payments start once the channel is open: your partner has not accepted it yet: wait for their deposit (then your node deploys the contract)',
  );
  assert.doesNotMatch(await said('send 1', input('A', 'locked', null)), /wait until both deposits are in/);
});

test("withdraw before the initial state is signed tells the node that must sign it to sign", async () => {
  assert.equal(
    await said('withdraw --yes', input('B', 'locked', 'A')),
    'withdraw failed: no state is signed by both yet: the initial state from your partner awaits your signature: sign it, then withdraw (or leave with the deposits: leave)',
  );
  // the proposer, whose partner has not signed: leave stays its way out
  assert.match(await said('withdraw --yes', input('A', 'locked', 'A')), /leave with the deposits/);
});
