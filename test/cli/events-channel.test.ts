// A user check on the devnet with two open channels between the same two nodes: each payment printed "❗ Received
// new state❗ / Step 3: your partner passes the turn, A [0.4 0.6] B" with nothing to say which channel it was in,
// where the commands name the channel they took when several are not closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printEvents, type StartedNode } from '../../src/cli/startup.js';
import type { Io } from '../../src/cli/repl.js';
import type { ChannelView, NodeEvent } from '../../src/node/types.js';

const TON = 1_000_000_000n;
const view = (contract: string, phase = 'open') => ({ id: contract, contract, phase, me: 'A' }) as unknown as ChannelView;
const state = { step: 3n, sender: 'B', balanceA: TON, balanceB: TON, empty: true, tag: 'state' };

/** What the CLI prints for `events` with these channels held by the node. */
function printed(channels: ChannelView[], events: (c: ChannelView) => NodeEvent[]): string[] {
  const out: string[] = [];
  let listener: (e: NodeEvent) => void = () => undefined;
  const node = { keyCreated: false, getAccount: () => '0QA', served: () => null, channels: () => channels, on: (l: (e: NodeEvent) => void) => ((listener = l), () => undefined) } as unknown as StartedNode;
  const io: Io = { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  printEvents(node, 'devnet', '/d', io);
  out.length = 0;
  for (const e of events(channels[0]!)) listener(e);
  return out;
}

const all = (c: ChannelView): NodeEvent[] => [
  { type: 'stateReceived', channel: c, state, previous: { ...state, step: 2n } } as unknown as NodeEvent,
  { type: 'stateSigned', channel: c, state } as unknown as NodeEvent,
  { type: 'turnRequested', channel: c } as NodeEvent,
];

test('with several channels not closed, a state received or signed and a turn request name their channel', () => {
  const lines = printed([view('kQ1'), view('kQ2')], all);
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^❗ Received new state❗ \(channel kQ1\)\nStep 3: /);
  assert.match(lines[1]!, /^❗ Last state signed successful❗ \(channel kQ1\)\nStep 3 /);
  assert.equal(lines[2], '❗ Your partner request empty state❗ (channel kQ1)');
});

test('with one channel not closed, the original lines are unchanged', () => {
  const lines = printed([view('kQ1'), view('kQ0', 'closed')], all);
  assert.match(lines[0]!, /^❗ Received new state❗\nStep 3: /);
  assert.match(lines[1]!, /^❗ Last state signed successful❗\nStep 3 /);
  assert.equal(lines[2], '❗ Your partner request empty state❗');
});
