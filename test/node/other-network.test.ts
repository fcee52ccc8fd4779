// A node started on another network than its channels' (a forgotten --chain) says that those channels are not
// watched: it listed nothing and said nothing, so nobody would challenge a stale close there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { closePair, connect, fund, openPair } from '../helpers/nodes.js';

type Pair = Awaited<ReturnType<typeof openPair>>;

/** Stops one of the pair and starts it again as a testnet node on a data folder of its own. */
async function onTestnet(p: Pair, who: 'alice' | 'bob'): Promise<void> {
  await p[who].stop();
  p[who] = await createNode({ ...p.common, network: 'testnet', challengePeriod: 3600, dataDir: join(p.dir, `${who}-testnet`), key: { keyPair: p.keys[who] } });
}

test('the channels of another network in the data folder are named at start-up, with what to do', async () => {
  const p = await openPair();
  try {
    await fund(p);
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, network: 'devnet', dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    const e = await waitForEvent(p.bob, 'error', (x) => x.code === 'OTHER_NETWORK', 5000);
    assert.match(e.message, /holds 1 channel\(s\) on sandbox that are not closed: this node \(on devnet\) does not watch them/);
    assert.match(e.message, /--chain sandbox/);
    assert.equal(p.bob.channels().length, 0);
    // what the CLI names when a channel command finds none here
    const contract = p.alice.channels()[0]!.contract;
    assert.deepEqual(p.bob.otherNetworks(), [{ network: 'sandbox', channels: 1, contracts: [contract] }]);
    assert.equal(p.bob.otherNetworkOf(contract), 'sandbox');
    assert.equal(p.bob.otherNetworkOf(p.alice.channels()[0]!.id), 'sandbox');
    assert.equal(p.bob.otherNetworkOf('kQnothing'), null);
    // the partner, still on sandbox, is told where the channel went (not a raw UNKNOWN_CHANNEL)
    const told = waitForEvent(p.alice, 'error', (x) => x.code === 'PARTNER_OTHER_CHAIN', 10000);
    const toldHere = waitForEvent(p.bob, 'error', (x) => x.code === 'PARTNER_OTHER_CHAIN', 10000);
    await connect(p.alice, p.bob);
    await p.alice.createEmpty().catch(() => undefined);
    const e2 = await told;
    assert.match(e2.message, new RegExp(`your partner reports: their node runs on devnet, and their channel ${contract} with you is on sandbox: they can restart it with --chain sandbox`));
    // and this node's user reads it from this side: this node runs on devnet (not "their node")
    const here = (await toldHere).message;
    assert.match(here, new RegExp(`^refused (a new state|a request for states they lack) from your partner \\S+: this node runs on devnet, and your channel ${contract} with them is on sandbox: to use it, start this node again with --chain sandbox$`));
  } finally {
    await closePair(p);
  }
});

test("a data folder's channel phases, read without a node: a channel whose record cannot be read counts as one", async () => {
  const { channelPhases } = await import('../../src/node/index.js');
  const { readdir, writeFile } = await import('node:fs/promises');
  const p = await openPair();
  try {
    await fund(p);
    await p.bob.stop();
    const dir = join(p.dir, 'bob');
    assert.deepEqual(await channelPhases(dir), ['open']);
    const channels = join(dir, 'channels');
    const [id] = await readdir(channels);
    await writeFile(join(channels, id!, 'record.json'), '{ torn');
    assert.deepEqual(await channelPhases(dir), ['unreadable'], 'it may still hold money');
  } finally {
    await closePair(p);
  }
});

test('a testnet node has no faucet, whatever its chain object offers: NO_FAUCET names the giver bot', async () => {
  const p = await openPair();
  try {
    await onTestnet(p, 'bob');
    await assert.rejects(p.bob.faucet(10n ** 9n), (e: { code?: string; message: string }) => e.code === 'NO_FAUCET' && /@testgiver_ton_bot/.test(e.message));
  } finally {
    await closePair(p);
  }
});

test("on testnet, a wallet short of a deposit is told where testnet coins come from (there is no `faucet` there)", async () => {
  const { ownShort } = await import('../../src/node/uiRules.js');
  const p = await openPair();
  try {
    for (const who of ['alice', 'bob'] as const) await onTestnet(p, who);
    await connect(p.alice, p.bob);
    const wallet = await p.bob.balanceTon();
    const notFaucet = (text: string) => /@testgiver_ton_bot on Telegram/.test(text) && !/faucet`/.test(text);
    await assert.rejects(p.bob.open({ myDeposit: wallet, partnerDeposit: 0n }), (e: { code?: string; message: string }) => e.code === 'INSUFFICIENT_FUNDS' && notFaucet(e.message));
    const note = await ownShort(p.bob, { me: 'B', expectedDepositA: 0n, expectedDepositB: wallet });
    assert.ok(note && notFaucet(note), note ?? 'no note');
    // the sandbox and the devnet have the faucet command
    const devnet = { network: 'devnet' as const, balanceTonDue: async () => ({ balance: 0n, storageDue: null }), depositFees: () => 1n };
    assert.match((await ownShort(devnet, { me: 'B', expectedDepositA: 0n, expectedDepositB: 1n })) ?? '', /\(`faucet`\)/);
  } finally {
    await closePair(p);
  }
});

test('a channel id is made for its network: testnet nodes propose and take only testnet ids, the sandbox never proposes one', async () => {
  const { CHANNEL_ID_TAGS, channelIdNetwork, newChannelId } = await import('../../src/node/policy.js');
  for (let i = 0; i < 200; i++) assert.equal(channelIdNetwork(newChannelId('sandbox')), null);
  assert.equal(newChannelId('testnet') >> 48n, CHANNEL_ID_TAGS.testnet);
  const p = await openPair();
  try {
    for (const who of ['alice', 'bob'] as const) await onTestnet(p, who);
    await connect(p.alice, p.bob);
    const proposed = waitForEvent(p.bob, 'channelProposed');
    const view = await p.alice.open({ myDeposit: 10n ** 9n, partnerDeposit: 0n });
    await proposed;
    assert.equal(channelIdNetwork(BigInt(view.channelId)), 'testnet');
    assert.notEqual(p.bob.channel(view.channelId), null, 'the testnet partner holds it');
  } finally {
    await closePair(p);
  }
});
