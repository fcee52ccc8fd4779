// A user check on the devnet: with one open channel and four closed ones, `requestEmpty` on your own turn said
// "requestEmpty failed: the turn is already yours (channel kQ…, open; none of your 5 channels (1 not closed) allows
// requestEmpty now: see channels)": the trailer named no other channel that could matter, and its "see channels"
// hid the next step the refusal's code carries (send a payment or pass the turn).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi, ChannelView } from '../../src/node/types.js';

const closed = (id: string) => ({ id, contract: id, me: 'B', phase: 'closed', latest: { step: 9n }, actions: { requestEmpty: { ok: false, code: 'ALREADY_CLOSED', why: 'the channel is closed and paid out: open a new channel to pay again' } } }) as unknown as ChannelView;
const open = (id: string) => ({ id, contract: id, me: 'B', phase: 'open', latest: { step: 2n }, actions: { requestEmpty: { ok: false, code: 'ALREADY_YOUR_TURN', why: 'the turn is already yours' } } }) as unknown as ChannelView;

function node(channels: ChannelView[], current: ChannelView): ChannelNodeApi {
  return { currentChannel: () => current, channel: (id: string) => channels.find((c) => c.id === id) ?? null, channels: () => channels, partners: () => [] } as unknown as ChannelNodeApi;
}

async function said(line: string, n: ChannelNodeApi): Promise<string> {
  const out: string[] = [];
  const io: Io = { say: (t) => out.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, n, io);
  return out.join('\n');
}

test('a refusal of the only channel not closed names no other channels, and keeps its next step', async () => {
  const live = open('kQo');
  const text = await said('requestEmpty', node([closed('kQ1'), closed('kQ2'), live], live));
  assert.equal(text, 'requestEmpty failed: the turn is already yours. Next: send a payment or pass the turn (createEmpty)');
  // two channels not closed: the trailer says which one was taken
  const other = open('kQp');
  assert.match(await said('requestEmpty', node([closed('kQ1'), live, other], live)), /\(channel kQo, open; none of your 3 channels, 2 not closed, allows requestEmpty now: see channels\)$/);
});
