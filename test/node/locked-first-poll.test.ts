// The watch's first poll is judged as a first read: deposits lower than the record are read again before they are
// believed (DepositReads). The 'locked' event of that poll carries the same deposits, and wrote them at once: a first
// poll from an endpoint answering lower deposits with the lock (Alice's record: Bob's 1 TON) lowered the record
// silently, and the read again then told Bob's deposit as new. The lock's event now waits for that read again too.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode, type NodeEvent } from '../../src/node/index.js';
import type { Chain, ChannelEvent, Wallet, WatchOptions } from '../../src/chain/types.js';
import { Address } from '@ton/core';
import { bobPutOneIn, withPair } from '../helpers/reads.js';
import { TON, until } from '../helpers/nodes.js';

/** `real`, whose watches' first poll shows Bob's deposit as none (its deposit, refund and lock events). */
function firstPollLower(real: Chain): Chain {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'watchChannel') {
        return (c: Parameters<Chain['watchChannel']>[0], o: WatchOptions) => {
          let first = true;
          return target.watchChannel(c, {
            ...o,
            onEvent: (e: ChannelEvent) => {
              if (first && (e.type === 'deposit' || e.type === 'refund' || e.type === 'locked')) {
                if (e.type === 'locked') first = false;
                return o.onEvent({ ...e, depositB: 0n });
              }
              o.onEvent(e);
            },
          });
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
}

withPair("a watch's first poll showing the lock with deposits lower than the record does not write them before they are read again", async (p) => {
  await bobPutOneIn(p);
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  await p.alice.stop();
  const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Wallet } } }).ctx.o.wallet;
  await p.chain.deposit(bobWallet, contract, TON('3')); // the contract locks with Bob's 4 TON
  p.alice = await createNode({ ...p.common, chain: firstPollLower(p.chain), dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  const told: string[] = [];
  const seenB: bigint[] = [];
  p.alice.on((e: NodeEvent) => {
    if (e.type === 'refundSeen' || e.type === 'depositSeen') told.push(`${e.type} ${e.party} ${e.amount}`);
    if ('channel' in e && e.channel && typeof e.channel === 'object' && 'depositB' in e.channel) seenB.push(e.channel.depositB as bigint);
  });
  await until('Alice took the lock', () => ['locked', 'open'].includes(p.alice.currentChannel()!.phase));
  await new Promise((r) => setTimeout(r, 500)); // the first poll's events, and the read again
  assert.equal(p.alice.currentChannel()!.depositB, TON('4'));
  assert.ok(!seenB.includes(0n), `Bob's deposit was never shown as none: ${seenB.join(', ')}`);
  assert.deepEqual(told.filter((t) => t !== 'depositSeen B 3000000000'), [], 'no deposit or refund told but the 3 TON Bob put in');
});
