// A person's command reads the deposits (refund, deposit, decline) and keeps them in the record: a change it reads
// first is told as the watch tells it. It was kept silently, and the watch, reading later, found nothing new: a
// partner's deposit was never told (no notice in the extension, nothing printed by the CLI).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createNode, type NodeEvent } from '../../src/node/index.js';
import type { Chain, ChannelWatch, Wallet } from '../../src/chain/types.js';
import { bobRefundedWhileAliceDown, proposedWithFailingDeposit, withPair } from '../helpers/reads.js';
import { TON, until, type Pair } from '../helpers/nodes.js';

/**
 * Restarts Alice with a watch that never reads and her background reads (the catch-up, a partner's hint) read empty
 * until `release` or her refund's send: until then only her commands (foreground reads) read the contract.
 */
async function aliceWithWatchHeld(p: Pair): Promise<{ release: () => void }> {
  let open = false;
  const release = () => void (open = true);
  const real = p.chain;
  const chain = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'watchChannel') return (): ChannelWatch => ({ stop: () => {} });
      if (prop === 'refund') return (...a: Parameters<Chain['refund']>) => (release(), real.refund(...a));
      // an empty read until then (a lagging endpoint): the arbiter keeps what it knew
      if (prop === 'getChannelStatus') {
        return (...a: Parameters<Chain['getChannelStatus']>) => (open || !a[1]?.background ? real.getChannelStatus(...a) : Promise.resolve({ status: 'not_deployed' }));
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
  await p.alice.stop();
  p.alice = await createNode({ ...p.common, chain, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  return { release };
}

withPair("a partner's deposit a command reads before the watch does is told once (depositSeen)", async (p) => {
  // Alice deploys with 3 TON; Bob's deposit through his node never goes out: the channel stays funding.
  await proposedWithFailingDeposit(p);
  await p.bob.deposit().catch(() => undefined);
  await until('Alice deployed', () => p.alice.currentChannel()?.phase === 'funding');
  const { release } = await aliceWithWatchHeld(p);
  try {
    // Bob's wallet puts 1 TON in (less than the proposal's 4: the contract stays funding), unseen by Alice's node.
    const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Wallet } } }).ctx.o.wallet;
    const contract = Address.parse(p.alice.currentChannel()!.contract);
    await p.chain.deposit(bobWallet, contract, TON('1'));
    assert.equal((await p.chain.getChannelData(contract))?.depositB, TON('1'));
    const seen: string[] = [];
    p.alice.on((e: NodeEvent) => void (e.type === 'depositSeen' && seen.push(`${e.party} ${e.amount}`)));
    // Alice's refund reads the deposits first (the watch has not read them); the arbiter reads after it
    const said: string[] = [];
    await p.alice.refund({ onProgress: (m) => void said.push(m) });
    assert.ok(said.some((m) => m.includes('half of the contract\'s fee reserve')), said.join('\n'));
    assert.equal(p.alice.currentChannel()?.depositB, TON('1'));
    // told once: by the refund's read, not again by the arbiter's
    const inner = p.alice.node as unknown as { arbiter: { poke(c: unknown): Promise<void> }; ctx: { channels: Map<string, unknown> } };
    await inner.arbiter.poke([...inner.ctx.channels.values()][0]);
    assert.deepEqual(seen, [`B ${TON('1')}`]);
  } finally {
    release();
  }
});

withPair("a partner's refund that landed while the node was down, read first by a command, is told once (refundSeen)", async (p) => {
  await bobRefundedWhileAliceDown(p);
  const { release } = await aliceWithWatchHeld(p);
  try {
    const seen: string[] = [];
    p.alice.on((e: NodeEvent) => void (e.type === 'refundSeen' && e.party === 'B' && seen.push(`${e.party} ${e.amount}`)));
    await p.alice.refund();
    assert.deepEqual(seen, [`B ${TON('1')}`]);
    const inner = p.alice.node as unknown as { arbiter: { poke(c: unknown): Promise<void> }; ctx: { channels: Map<string, unknown> } };
    await inner.arbiter.poke([...inner.ctx.channels.values()][0]);
    assert.deepEqual(seen, [`B ${TON('1')}`]);
  } finally {
    release();
  }
});
