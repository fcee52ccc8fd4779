// A refund decided on reads older than one the node already saw: Bob's wallet put 1 TON in (Alice's node read it),
// then the rest while Alice was down (the contract locked). Alice's endpoint answers from a replica behind, before
// Bob's 1 TON (same status, older last transaction), on every read: a first read of the run lower than the record is
// read again, and the second, as stale, was believed (a partner's refund), and the refund went to the locked
// contract, which refuses it for a wallet fee. A read older (by its last transaction) than the newest the channel saw
// is behind: it changes nothing and no refund goes on it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createNode, type NodeEvent } from '../../src/node/index.js';
import type { Chain, ChannelEvent, ChannelStatus, Wallet, WatchOptions } from '../../src/chain/types.js';
import { aliceAloneIn, bobPutOneIn, withPair } from '../helpers/reads.js';
import { TON, until } from '../helpers/nodes.js';
import type { SandboxChain } from '../../src/chain/SandboxChain.js';
import { BEHIND_TAKEN_MS } from '../../src/node/seenlt.js';

/** `real`, whose reads of the contract answer `stale` and whose watches tell nothing while `lag`; refunds sent counted. */
function behindReplica(real: Chain, stale: ChannelStatus) {
  const self = { lag: true, refunds: 0, reads: 0, chain: real };
  self.chain = new Proxy(real, {
    get(target, prop) {
      // a replica behind is a load-balanced endpoint's (testnet): the sandbox and a devnet are one chain
      if (prop === 'kind') return 'testnet';
      if (prop === 'getChannelStatus') {
        return async (...a: Parameters<Chain['getChannelStatus']>) => (self.lag ? (self.reads++, stale) : target.getChannelStatus(...a));
      }
      if (prop === 'refund') {
        // counted once past the node's last look (beforeSend): the message leaves
        return (w: Wallet, c: Address, o: Parameters<Chain['refund']>[2] = {}) =>
          target.refund(w, c, { ...o, beforeSend: async (m) => (await o.beforeSend?.(m), void self.refunds++) });
      }
      if (prop === 'watchChannel') {
        return (c: Parameters<Chain['watchChannel']>[0], o: WatchOptions) => target.watchChannel(c, { ...o, onEvent: (e: ChannelEvent) => void (self.lag || o.onEvent(e)) });
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
  return self;
}

withPair('a refund on two reads older than one the node saw (a replica behind the lock) sends nothing, and no refund of the partner is told', async (p) => {
  await bobPutOneIn(p);
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  const now = await p.chain.getChannelStatus(contract);
  assert.equal(now.status, 'funding');
  if (now.status !== 'funding' || now.lt === undefined) throw new Error('a read of a live contract says its last transaction');
  // the replica's answer: before Bob's 1 TON
  const stale: ChannelStatus = { ...now, data: { ...now.data, depositB: 0n }, lt: now.lt - 1n };
  await p.alice.stop();
  const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Wallet } } }).ctx.o.wallet;
  await p.chain.deposit(bobWallet, contract, TON('3')); // the contract locks with Bob's 4 TON
  assert.equal((await p.chain.getChannelStatus(contract)).status, 'open');
  const replica = behindReplica(p.chain, stale);
  p.alice = await createNode({ ...p.common, chain: replica.chain, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  const told: string[] = [];
  p.alice.on((e: NodeEvent) => void ((e.type === 'refundSeen' || e.type === 'depositSeen') && told.push(`${e.type} ${e.party} ${e.amount}`)));
  const refunded = await p.alice.refund().then(
    () => 'refund returned',
    (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
  );
  assert.ok(replica.reads >= 2, 'the refund read the contract (twice, from the replica behind)');
  assert.equal(replica.refunds, 0, `no refund went to the locked contract (it refuses one for a wallet fee); the refund said: ${refunded}`);
  assert.match(refunded, /^PENDING: .*older than .*nothing was sent/);
  assert.deepEqual(told, [], "no refund of Bob's told from a stale read");
  assert.equal(p.alice.currentChannel()!.depositB, TON('1'), 'the record keeps what the newest read showed');
});

// A devnet started again from an older data file (or a sandbox's): the chain itself went back, below a transaction the
// node saw. No replica will bring the newer state: the chain is taken as it is (src/chain/base.ts does the same), so
// the deposit the chain holds can be taken back. Judged by the last transaction, the refund was refused for ever.
withPair('on a chain gone back (a devnet from an older file), a refund goes by what the chain holds now', async (p) => {
  await aliceAloneIn(p);
  const chain = p.chain as SandboxChain;
  const before = await chain.blockchain.snapshot(); // before Bob's 1 TON
  const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Wallet } } }).ctx.o.wallet;
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  await p.chain.deposit(bobWallet, contract, TON('1'));
  await until("Alice's node read Bob's 1 TON", () => p.alice.currentChannel()?.depositB === TON('1'));
  await chain.blockchain.loadFrom(before);
  const back = await p.chain.getChannelStatus(contract);
  assert.ok(back.status === 'funding' && back.data.depositB === 0n, 'the chain went back before Bob\'s 1 TON');
  const refunded = await p.alice.refund().then(
    () => 'refund returned',
    (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
  );
  assert.equal(refunded, 'refund returned');
  const after = await p.chain.getChannelStatus(contract);
  assert.ok(after.status === 'funding' && after.data.depositA === 0n, 'Alice\'s 3 TON came back');
});

// One answer of a broken endpoint whose last transaction is far ahead of the chain (no replica reads ahead) was kept
// as the newest the channel saw, in the record, for good: every honest read after it was "behind", and the refund of
// a deposit whose partner never came was refused for ever ("run refund again in a minute"; a restart after the record's next save too).
// Reads that stay behind for BEHIND_TAKEN_MS are taken.
withPair('one read far ahead of the chain holds a refund for minutes, not for ever', async (p) => {
  await aliceAloneIn(p);
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  const now = await p.chain.getChannelStatus(contract);
  if (now.status !== 'funding' || now.lt === undefined) throw new Error('a read of a live contract says its last transaction');
  await p.alice.stop();
  const replica = behindReplica(p.chain, { ...now, lt: 9_000_000_000_000_000_000n });
  p.alice = await createNode({ ...p.common, chain: replica.chain, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  await until("Alice's node read the answer far ahead", () => replica.reads >= 1);
  replica.lag = false;
  const refund = () => p.alice.refund().then(() => 'refunded', (e: Error & { code?: string }) => `${e.code}: ${e.message}`);
  assert.match(await refund(), /^PENDING: .*older than/, 'at first an honest read is taken for a replica behind');
  const realNow = performance.now.bind(performance);
  try {
    performance.now = () => realNow() + BEHIND_TAKEN_MS + 1_000; // reads have been behind for longer than any replica lags
    assert.equal(await refund(), 'refunded');
  } finally {
    performance.now = realNow;
  }
  assert.equal(replica.refunds, 1);
  const after = await p.chain.getChannelStatus(contract);
  assert.ok(after.status === 'funding' && after.data.depositA === 0n, "Alice's 3 TON came back");
});
