// A user check on the devnet: before any channel, `showLast` and `showAll` said "No states yet" where every other
// channel command says there is no channel and what to do (open one, accept a proposal), and, for a data folder
// whose channels are on another network (a forgotten --chain), which --chain runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi } from '../../src/node/types.js';

/** A node with no channel on its network (`other`: this folder's channels elsewhere), a partner online. */
function none(other: { network: string; channels: number }[] = []): ChannelNodeApi {
  return {
    network: 'devnet',
    currentChannel: () => null,
    channel: () => null,
    channels: () => [],
    otherNetworks: () => other,
    partners: () => [{ address: '0QB', online: true }],
    showLast: () => null,
    showAll: async () => [],
  } as unknown as ChannelNodeApi;
}

async function run(line: string, node: ChannelNodeApi, json: boolean): Promise<{ said: string[]; result: { ok: boolean; error?: { code: string; message: string } } }> {
  const said: string[] = [];
  const emitted: unknown[] = [];
  const io: Io = { say: (t) => said.push(t), emit: (x) => emitted.push(x), ask: async () => null, json, interactive: false };
  await runLine(line, node, io);
  return { said, result: emitted[0] as { ok: boolean; error?: { code: string; message: string } } };
}

test('showLast and showAll with no channel say so and what to do, as balanceChan does', async () => {
  for (const line of ['showLast', 'showAll', 'showAll --from 0', 'balanceChan']) {
    const { result } = await run(line, none(), true);
    assert.equal(result.ok, false, line);
    assert.equal(result.error?.code, 'NO_CHANNEL', line);
    assert.equal(result.error?.message, "no channel yet: open a channel (open), or accept your partner's proposal with deposit", line);
    const text = (await run(line, none(), false)).said.join('\n');
    assert.doesNotMatch(text, /No states yet/, line);
    assert.match(text, /no channel yet: open a channel \(open\)/, line);
  }
});

test('showLast with the channels on another network names the --chain that runs them', async () => {
  const { result } = await run('showLast', none([{ network: 'testnet', channels: 2 }]), true);
  assert.equal(result.error?.code, 'OTHER_NETWORK');
  assert.match(result.error!.message, /restart it with --chain testnet/);
});
