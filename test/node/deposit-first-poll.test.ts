// A watch's first poll reports each party's deposit as an event of its own, both carrying what the one read showed.
// A first read lower than the record (a lagging endpoint) is to be read again before it is believed: the second
// event of the same poll counted as that second read, so a lagging poll was told as a refund (and its deposit again
// once the chain was read right).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createNode, type NodeEvent } from '../../src/node/index.js';
import type { Chain, ReadOptions, Wallet } from '../../src/chain/types.js';
import type { ChannelStatus } from '../../src/contract/index.js';
import { bobPutOneIn, withPair } from '../helpers/reads.js';
import { TON, until, type Pair } from '../helpers/nodes.js';

withPair("a watch's first poll lagging behind two deposits tells no refund: one read, read again", async (p) => {
  // Alice deploys with her 3 TON; Bob's node never deposits: his wallet puts 1 TON in twice (the contract stays funding)
  const lagging = await bobTwoThenAliceDown(p);
  // Alice's watch's first poll comes from the lagging replica (Alice 3, Bob 1); her other reads wait until its
  // events were taken, then read the chain as it is (Alice 3, Bob 2).
  let first = true;
  let open: () => void = () => undefined;
  const gate = new Promise<void>((r) => (open = r));
  const real = p.chain;
  const chain = readingStatus(real, async (c, o) => {
    if (o?.signal && first) {
      first = false;
      setTimeout(open, 500);
      return lagging;
    }
    if (!o?.signal) await gate;
    return real.getChannelStatus(c, o);
  });
  p.alice = await createNode({ ...p.common, chain, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  const told: string[] = [];
  p.alice.on((e: NodeEvent) => void ((e.type === 'refundSeen' || e.type === 'depositSeen') && told.push(`${e.type} ${e.party} ${e.amount}`)));
  await until('the lagging poll read', () => !first);
  await gate;
  const inner = p.alice.node as unknown as { arbiter: { poke(c: unknown): Promise<void>; firstReadsTried(): Promise<void> }; ctx: { channels: Map<string, unknown> } };
  await inner.arbiter.firstReadsTried();
  await inner.arbiter.poke([...inner.ctx.channels.values()][0]);
  assert.deepEqual(told, []);
  assert.equal(p.alice.currentChannel()?.depositB, TON('2'));
});

withPair("a watch's first poll lagging behind a deposit that a read before it saw tells no refund: read again", async (p) => {
  const lagging = await bobTwoThenAliceDown(p);
  // Alice's catch-up reads the chain as it is; her watch's first poll waits for it, then comes from a lagging replica
  let open: () => void = () => undefined;
  const caughtUp = new Promise<void>((r) => (open = r));
  let first = true;
  const real = p.chain;
  const chain = readingStatus(real, async (c, o) => {
    if (o?.signal && first) {
      first = false;
      await caughtUp;
      return lagging;
    }
    return real.getChannelStatus(c, o);
  });
  p.alice = await createNode({ ...p.common, chain, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  const told: string[] = [];
  p.alice.on((e: NodeEvent) => void ((e.type === 'refundSeen' || e.type === 'depositSeen') && told.push(`${e.type} ${e.party} ${e.amount}`)));
  type Arbiter = { poke(c: unknown): Promise<void>; notReadYet(): unknown[]; watched: Map<unknown, unknown> };
  const inner = p.alice.node as unknown as { arbiter: Arbiter; ctx: { channels: Map<string, unknown> } };
  await until('the catch-up read the chain', () => inner.arbiter.watched.size > 0 && inner.arbiter.notReadYet().length === 0);
  open();
  await until('the lagging poll read', () => !first);
  // the watch's next polls read the chain as it is (Bob's 2 TON): a refund told would be followed by his deposit again
  await new Promise((r) => setTimeout(r, 1_000));
  await inner.arbiter.poke([...inner.ctx.channels.values()][0]);
  assert.deepEqual(told, []);
  assert.equal(p.alice.currentChannel()?.depositB, TON('2'));
});

/**
 * Alice deploys with her 3 TON; Bob's node never deposits, his wallet puts 1 TON in twice (the contract stays
 * funding) and Alice's node reads both. Alice is left stopped; returns what a replica behind the second answers.
 */
async function bobTwoThenAliceDown(p: Pair): Promise<ChannelStatus> {
  await bobPutOneIn(p);
  const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Wallet } } }).ctx.o.wallet;
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  const lagging = await p.chain.getChannelStatus(contract);
  await p.chain.deposit(bobWallet, contract, TON('1'));
  await until("Alice's node read Bob's 2 TON", () => p.alice.currentChannel()?.depositB === TON('2'));
  await p.alice.stop();
  return lagging;
}

/** The chain with its contract reads answered by `read`: the watch reads through it, everything else on the chain. */
function readingStatus(real: Chain, read: (c: Address, o?: ReadOptions) => Promise<ChannelStatus>): Chain {
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'getChannelStatus') return read;
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'watchChannel') return (v as (...a: unknown[]) => unknown).bind(receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
}
