// The partner's close that landed since this node's last poll (an idle channel on a paced endpoint is polled once a
// minute or less often): a unilateral close or an exit of ours sent then reached the closing contract, which refused
// it (CONTRACT_REJECTED): a wallet fee for nothing. The contract is read as it leaves, as a finish is.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address } from '@ton/core';
import type { Wallet } from '../../src/chain/types.js';
import type { ChannelController } from '../../src/node/controller.js';
import { createNode } from '../../src/node/index.js';
import { exitOffered, onPair } from '../helpers/onway.js';
import { fund, until, type Pair } from '../helpers/nodes.js';
import { payOne } from '../helpers/reads.js';
import { test } from 'node:test';

/** Restarts Bob polling his channel once a minute: after his catch-up read, a close is seen only a minute later. */
async function bobPollingSlowly(p: Pair, phase: string, autoMode = true): Promise<void> {
  await p.bob.stop();
  p.bob = await createNode({ ...p.common, autoMode, pollMs: 60_000, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await until(`Bob reads his channel ${phase}`, () => p.bob.currentChannel()?.phase === phase);
}

/** Alice's close (her latest state, or an exit) sent from her wallet by hand: no notice reaches Bob's node. */
async function aliceClosesQuietly(p: Pair, exit = false): Promise<void> {
  const inner = p.alice.node as unknown as { ctx: { o: { wallet: Wallet }; channels: Map<string, ChannelController> } };
  const ctl = [...inner.ctx.channels.values()][0]!;
  const contract = Address.parse(ctl.rec.contract);
  if (exit) await p.chain.startExit(inner.ctx.o.wallet, contract);
  else await p.chain.startClose(inner.ctx.o.wallet, contract, await ctl.forChain(ctl.channel.latest!, inner.ctx.o.wallet.address));
}

const toldClosing = (e: { code?: string; message?: string }) => e.code === 'ALREADY_CLOSING' && /nothing was sent/.test(e.message ?? '');

test("a unilateral close is not sent to a contract the partner's close reached since the last read", () =>
  onPair({ challengePeriod: 3600 }, async (p) => {
    await fund(p);
    await payOne(p);
    await bobPollingSlowly(p, 'open');
    await aliceClosesQuietly(p);
    await assert.rejects(p.bob.withdraw({ mode: 'unilateral' }), toldClosing);
  }));

test("an exit is not sent to a contract the partner's exit reached since the last read", () =>
  onPair({ initialTimeoutMs: 1500, bob: { autoMode: false } }, async (p) => {
    await exitOffered(p);
    await bobPollingSlowly(p, 'locked', false);
    await aliceClosesQuietly(p, true);
    await assert.rejects(p.bob.exit(), toldClosing);
  }));
