// The careless-operator walk: showAll and showLast on a channel with no state yet (a proposal not accepted, a
// declined channel) said "No states yet" and nothing of why or what to do. They now say it as send does: the
// proposal to accept, the partner's deposit to wait for, a declined channel to open anew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import { capabilities, type CapabilityInput } from '../../src/core/capabilities.js';
import type { ChannelNodeApi, ChannelView } from '../../src/node/types.js';

function input(me: 'A' | 'B', life: 'proposed' | 'rejected' | 'funding', depositInFlight = false): CapabilityInput {
  return { me, life, off: null, expectedMine: 3n, depositedMine: 0n, deadlinePassed: false, restorePending: false, depositInFlight, mayLandS: 60 };
}

async function said(line: string, i: CapabilityInput, json = false): Promise<string[]> {
  const view = { id: 'kQc', contract: 'kQc', me: i.me, phase: i.life, latest: null, count: 0n, actions: capabilities(i) } as unknown as ChannelView;
  const node = { currentChannel: () => view, channel: () => view, channels: () => [view], showAll: async () => [], showLast: () => null } as unknown as ChannelNodeApi;
  const out: string[] = [];
  const io: Io = { say: (s) => out.push(s), emit: () => undefined, ask: async () => null, json, interactive: false };
  await runLine(line, node, io);
  return out;
}

test('showAll and showLast on a channel with no state say why and what to do, as send does', async () => {
  for (const line of ['showAll', 'showLast', 'showAll --from 0']) {
    assert.deepEqual(await said(line, input('B', 'proposed')), ["No states yet: payments start once the channel is open: accept your partner's proposal with deposit first"], line);
    assert.deepEqual(await said(line, input('A', 'proposed')), ['No states yet: payments start once the channel is open: your partner has not accepted it yet: wait for their deposit (then your node deploys the contract)'], line);
    assert.match((await said(line, input('A', 'rejected')))[0]!, /^No states yet: the channel was declined: it never opened, so it takes no payment: open a new channel to pay$/, line);
  }
  // a deposit of ours on its way: said as before (send's reason would say to deposit)
  assert.match((await said('showLast', input('B', 'funding', true)))[0]!, /^No states yet \(your deposit sent earlier is not on chain yet and may still land/);
});
