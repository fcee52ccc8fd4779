// A payout reaches the wallets in its own transactions, on testnet a block or more after the payout: the CLI read
// "Your balance in workchain now" as soon as the payout was found, before the money was there. `received` waits
// for the wallet's transaction taking in the contract's message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Address, Transaction } from '@ton/core';
import type { SandboxChain } from '../../src/chain/SandboxChain.js';
import { config, parties, TON, type Harness } from './scenarios.js';

test("received: false while the wallet has not taken in the contract's message (delivery delayed), true once it has", async () => {
  const heavy = await import('#heavy');
  const chain: SandboxChain = await heavy.SandboxChain.create();
  try {
    const h: Harness = { chain, wallet: (k) => chain.openWallet(k), advanceTime: async (s) => void chain.advanceTime(s), pollMs: 20 };
    const { A, B } = await parties(h);
    const cfg = config(A, B, TON, TON);
    const { address } = await chain.deployChannel(A.wallet, cfg, TON);
    const before = (await chain.refund(A.wallet, address)).lt;
    // Delivery delayed: A's wallet shows nothing newer than the refund's transaction on the contract.
    let delayed = true;
    const target = chain as unknown as { transactionsPage: (a: Address, ...r: unknown[]) => Promise<Transaction[]> };
    const real = target.transactionsPage.bind(chain);
    target.transactionsPage = async (a, ...r) => {
      const txs = await real(a, ...r);
      return delayed && a.equals(A.wallet.address) ? txs.filter((t) => t.lt <= before) : txs;
    };
    assert.equal(await chain.received(A.wallet.address, address, before, { timeoutMs: 300 }), false);
    delayed = false;
    assert.equal(await chain.received(A.wallet.address, address, before, { timeoutMs: 5_000 }), true);
    // B's wallet took in nothing from the contract after that.
    assert.equal(await chain.received(B.wallet.address, address, before, { timeoutMs: 300 }), false);
    // A caller's abort is not a "no", nor is the chain object closing (the wait ends with it, not at its timeout).
    await assert.rejects(chain.received(B.wallet.address, address, before, { timeoutMs: 5_000, signal: AbortSignal.timeout(100) }));
    const t0 = Date.now();
    const waiting = chain.received(B.wallet.address, address, before, { timeoutMs: 20_000 });
    setTimeout(() => void chain.close(), 200);
    await assert.rejects(waiting);
    assert.ok(Date.now() - t0 < 5_000, `ended ${Date.now() - t0} ms after it began`);
  } finally {
    await chain.close();
  }
});
