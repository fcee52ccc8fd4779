// Just before our refund, close or exit leaves, the node reads the contract (a partner's move since would make it
// refused, for a wallet fee). The wallet is held meanwhile, and a challenge (its window on the chain's clock) waits
// behind it: an endpoint retrying that read without end held the wallet until the send timed out, nothing sent.
// The read is bounded: a slow one holds nothing back, as a failed one.
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Chain, OpOptions, Wallet } from '../../src/chain/types.js';
import { PERIOD, aliceAloneIn, withPair } from '../helpers/reads.js';
import { fund, until, type Pair } from '../helpers/nodes.js';

type Send = 'refund' | 'startClose' | 'finishClose';

/**
 * Reads of a contract's status made by a `send`'s check before it leaves (its caller's beforeSend, in its async
 * context: other reads of either node meanwhile are not slowed) answer only once their signal ends them (an
 * endpoint retrying), and then fail. The count of such reads.
 */
function slowCheckBefore(p: Pair, send: Send): () => number {
  const chain = p.chain as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const read = chain.getChannelStatus!.bind(p.chain) as Chain['getChannelStatus'];
  const checking = new AsyncLocalStorage<true>();
  let slow = 0;
  (p.chain as { getChannelStatus: Chain['getChannelStatus'] }).getChannelStatus = (a, o) => {
    if (!checking.getStore() || o?.background) return read(a, o);
    slow++;
    return new Promise((_, reject) => {
      const t = setTimeout(() => reject(new Error('injected: the endpoint gave up retrying')), 120_000);
      t.unref();
      o?.signal?.addEventListener('abort', () => (clearTimeout(t), reject(new Error('injected: aborted'))), { once: true });
    });
  };
  const real = chain[send]!.bind(p.chain);
  chain[send] = (...a: unknown[]) => {
    const o = (a.pop() ?? {}) as OpOptions;
    const beforeSend = (s: { validUntil: number }) => checking.run(true, async () => o.beforeSend?.(s));
    return real(...a, { ...o, beforeSend });
  };
  return () => slow;
}

withPair('a refund whose last read of the contract is slow still goes: the read is bounded', async (p) => {
  await aliceAloneIn(p);
  const slow = slowCheckBefore(p, 'refund');
  const v = await p.alice.refund();
  assert.equal(v.depositA, 0n, 'refunded');
  assert.equal(slow(), 1, 'its read was the slow one');
});

withPair('a unilateral close whose last read of the contract is slow still goes: the read is bounded', async (p) => {
  await fund(p);
  const slow = slowCheckBefore(p, 'startClose');
  const r = await p.alice.withdraw({ mode: 'unilateral' });
  assert.equal(r.mode, 'unilateral');
  assert.equal(p.alice.currentChannel()?.phase, 'closing');
  assert.equal(slow(), 1, 'its read was the slow one');
});

withPair('a finish whose last read of the contract is slow still goes: the read is bounded', async (p) => {
  await fund(p);
  await p.alice.withdraw({ mode: 'unilateral' });
  const slow = slowCheckBefore(p, 'finishClose');
  p.chain.advanceTime(PERIOD + 1);
  await until('Alice reads the payout', () => p.alice.currentChannel()?.phase === 'closed');
  assert.ok(slow() >= 1, 'its read was a slow one');
});

withPair('a cooperative close is not sent to a contract the same close paid out while it waited for the wallet', async (p) => {
  await fund(p);
  const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Wallet } } }).ctx.o.wallet;
  const real = p.chain.cooperativeClose.bind(p.chain);
  let left = 0;
  // Alice's checks are done (the contract not paid out); Bob sends the close state, which lands before hers is signed
  p.chain.cooperativeClose = async (w, c, arg, o = {}) => {
    await real(bobWallet, c, { ...arg, by: 'B' });
    const beforeSend = async (s: { validUntil: number }) => {
      await o.beforeSend?.(s);
      left++;
    };
    return real(w, c, arg, { ...o, beforeSend });
  };
  const r = await p.alice.withdraw({ mode: 'cooperative' });
  assert.equal(r.mode, 'cooperative');
  assert.equal(left, 0, 'hers did not leave (it would bounce off the paid-out contract: a wallet fee)');
});
