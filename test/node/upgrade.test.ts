// A proposal kept on disk names the contract of the version that made it. If the contract changed since (a new
// SynChannel), deploying this version's contract would put A's deposit where neither node looks: the node
// refuses, moves no coins, and the proposal can be declined.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { parseTon } from '../../src/core/amounts.js';
import { newKeyPair } from '../../src/core/signer.js';
import { createNode, waitForEvent } from '../../src/node/index.js';

type Internals = { node: { ctx: { channels: Map<string, { rec: { contract: string } }> } } };

describe('a proposal made with an earlier contract version', () => {
  test('A does not deploy another contract than the one its record names; its coins stay; decline works', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-upgrade-'));
    const chain = await SandboxChain.create();
    const common = { network: 'sandbox' as const, chain, autoMode: true, challengePeriod: 60, pollMs: 100 };
    const a = await createNode({ ...common, dataDir: join(dir, 'a'), key: { keyPair: newKeyPair() } });
    const b = await createNode({ ...common, dataDir: join(dir, 'b'), key: { keyPair: newKeyPair() } });
    try {
      const connected = waitForEvent(a, 'partnerConnected');
      await b.connect((await a.serve(0, '127.0.0.1')).lan[0]!);
      await connected;
      const proposed = waitForEvent(b, 'channelProposed');
      const view = await a.open({ myDeposit: parseTon('1'), partnerDeposit: parseTon('1') });
      await proposed;
      // What a record written by the earlier version holds: that version's contract address.
      const old = new Address(0, Buffer.alloc(32, 0x0d)).toRawString();
      (a as unknown as Internals).node.ctx.channels.get(view.channelId)!.rec.contract = old;
      const before = await a.balanceTon();

      const refused = waitForEvent(a, 'error', (e) => e.code === 'BAD_CONTRACT', 30_000);
      const stop = new AbortController();
      const accepting = b.deposit(undefined, { channel: view.channelId, signal: stop.signal }).catch((e: Error) => e);
      const e = await refused;
      assert.match(e.message, /earlier version of the channel contract .* nothing was deployed/);
      stop.abort();
      await accepting;

      assert.equal(await a.balanceTon(), before, "A's coins stay in its wallet");
      const now = (await chain.getChannelStatus(Address.parse(view.contract))).status;
      assert.equal(now, 'not_deployed', "this version's contract was not deployed");
      await a.decline({ channel: view.channelId });
      assert.equal(a.channels().find((c) => c.channelId === view.channelId)!.phase, 'rejected');
    } finally {
      await a.stop();
      await b.stop();
      await chain.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
