// A user check on the devnet: after the channels with a partner were closed, the partner proposed a new one while
// this node was not connected; `deposit` answered "the channel is closed and paid out: open a new channel to pay
// again (channel kQ…, closed; none of your 2 channels allows deposit now: see channels)": nothing of the proposal
// that had not come, nor of connecting to the partner to get it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi, ChannelView } from '../../src/node/types.js';

const closed = (contract: string, phase = 'closed') =>
  ({ id: contract, contract, phase, me: 'A', actions: { deposit: { ok: false, code: 'ALREADY_CLOSED', why: 'the channel is closed and paid out: open a new channel to pay again' } } }) as unknown as ChannelView;

function node(online: boolean, channels: ChannelView[]): ChannelNodeApi {
  return {
    network: 'devnet',
    currentChannel: () => channels.at(-1) ?? null,
    channel: (id: string) => channels.find((c) => c.id === id) ?? null,
    channels: () => channels,
    otherNetworks: () => [],
    partners: () => [{ address: '0QB', online }],
  } as unknown as ChannelNodeApi;
}

async function error(line: string, n: ChannelNodeApi): Promise<{ code: string; message: string }> {
  const out: { ok: boolean; error?: { code: string; message: string } }[] = [];
  const io: Io = { say: () => undefined, emit: (x) => out.push(x as never), ask: async () => null, json: true, interactive: false };
  await runLine(line, n, io);
  assert.equal(out[0]?.ok, false);
  return out[0]!.error!;
}

test('deposit with every channel closed says no proposal came and how to get one', async () => {
  const two = [closed('kQ1'), closed('kQ2', 'rejected')];
  const offline = await error('deposit', node(false, two));
  assert.equal(offline.code, 'NO_CHANNEL');
  assert.equal(offline.message, 'your 2 channels are closed or declined and your partner has proposed no new one: connect to them (serve, or connect to their multiaddr) and ask them to open one (then deposit accepts it), or open one yourself (open)');
  const online = await error('deposit', node(true, [closed('kQ1')]));
  assert.equal(online.message, 'your channel is closed and your partner has proposed no new one: ask them to open one (then deposit accepts it), or open one yourself (open)');
  // a closed channel named with --channel is still answered by what that channel allows
  assert.equal((await error('deposit --channel kQ1', node(true, two))).code, 'ALREADY_CLOSED');
});
