// The careless-operator walk: a data folder with a devnet channel, run on the sandbox (a forgotten --chain). `--channel`
// with the channel's whole contract said where it is, then added "Next: start the node on that network … to watch
// those channels" (the same step again); with a part of it, as `channels` shows it short (kQB-…w7zh) or its first
// characters, it said "no channel kQB-…w7zh (see channels)", as if the channel did not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLine, type Io } from '../../src/cli/repl.js';
import type { ChannelNodeApi, ChannelView } from '../../src/node/types.js';

const DEVNET = 'kQB-gxB_pxWwsBTg4Ko21tqFDDshzLgHSZYmvMyjy4V8w7zh';
const TESTNET = 'kQB-gxB_xxxxsBTg4Ko21tqFDDshzLgHSZYmvMyjy4Vabcd';

/** A sandbox node with one channel of its own, and the data folder's channels of other networks. */
function node(others: { network: string; contracts: string[] }[]): ChannelNodeApi {
  const here = { id: 'kQAhere00000000000000000000000000000000000000here', contract: 'kQAhere00000000000000000000000000000000000000here', phase: 'open', me: 'A', actions: {} } as unknown as ChannelView;
  const all = others.flatMap((o) => o.contracts.map((c) => [c, o.network] as const));
  return {
    network: 'sandbox',
    channel: (id: string) => (id === here.id ? here : null),
    channels: () => [here],
    currentChannel: () => here,
    partners: () => [],
    getAccount: () => '0QCgwKAazJ1OI3ztxhySYSrtLGRfeNq30FmP9Z2D51Ff9_oq',
    otherNetworks: () => others.map((o) => ({ ...o, channels: o.contracts.length })),
    otherNetworkOf: (id: string) => all.find(([c]) => c === id)?.[1] ?? null,
  } as unknown as ChannelNodeApi;
}

async function said(line: string, n: ChannelNodeApi): Promise<string> {
  const out: string[] = [];
  const io: Io = { say: (s) => out.push(s), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  await runLine(line, n, io);
  return out.join('\n');
}

test("--channel naming a channel of this data folder on another network, whole or in part, says where it is and which --chain acts on it", async () => {
  const n = node([{ network: 'devnet', contracts: [DEVNET] }]);
  const told = `channel ${DEVNET} is on devnet, and this node runs on sandbox: start the node with --chain devnet to act on it`;
  for (const typed of [DEVNET, 'kQB-gxB_', 'kQB-…w7zh', 'kQB-...w7zh', 'w7zh']) {
    assert.equal(await said(`send 1 --channel ${typed}`, n), `send failed: ${told}`, typed);
    assert.equal(await said(`showAll --channel ${typed}`, n), `showAll failed: ${told}`, typed);
  }
  // too short to name a channel, or naming none: no channel (a typo does not pick one)
  assert.equal(await said('send 1 --channel w7z', n), 'send failed: no channel w7z (see channels)');
  assert.equal(await said('send 1 --channel kQC-…w7zh', n), 'send failed: no channel kQC-…w7zh (see channels)');
});

test('a part that fits channels of other networks names each with its network', async () => {
  const n = node([{ network: 'devnet', contracts: [DEVNET] }, { network: 'testnet', contracts: [TESTNET] }]);
  assert.equal(
    await said('withdraw --yes --channel kQB-gxB_', n),
    `withdraw failed: kQB-gxB_ matches 2 channels of other networks, none on sandbox where this node runs: ${DEVNET} (devnet), ${TESTNET} (testnet): start the node with --chain devnet or --chain testnet to act on one (give more of its contract with --channel)`,
  );
});
