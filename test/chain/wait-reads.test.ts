// Once a message is sent, a failed read while waiting for its transaction is read again (until the operation's
// timeout, which says "it may still land"): one 502 or one malformed answer failed the whole operation, although
// the message landed (a cooperative close that paid out was then followed by a unilateral close).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Address } from '@ton/core';
import type { SandboxChain } from '../../src/chain/SandboxChain.js';
import { ChainError } from '../../src/chain/errors.js';
import { config, parties, TON, type Harness } from './scenarios.js';

test('a failed read while waiting for a sent deployment is read again, and the deployment is reported done', async () => {
  const heavy = await import('#heavy');
  const chain: SandboxChain = await heavy.SandboxChain.create();
  try {
    const h: Harness = { chain, wallet: (k) => chain.openWallet(k), advanceTime: async (s) => void chain.advanceTime(s), pollMs: 20 };
    const { A, B } = await parties(h);
    const target = chain as unknown as { transactionsPage: (...a: unknown[]) => Promise<unknown> };
    const real = target.transactionsPage.bind(chain);
    let failures = 2;
    target.transactionsPage = async (...a: unknown[]) => {
      if (failures > 0 && (a[0] as Address).equals(A.wallet.address)) {
        failures--;
        // what the HTTP layer throws once its own retries are spent
        throw new ChainError('ENDPOINT_ERROR', 'injected: a 502 storm while polling transactions', { retryable: true });
      }
      return real(...a);
    };
    const cfg = config(A, B, TON, TON);
    await chain.deployChannel(A.wallet, cfg, TON);
    assert.equal(failures, 0, 'the failed reads happened');
    assert.equal((await chain.getChannelData(chain.channelAddress(cfg)))?.depositA, TON);
  } finally {
    await chain.close();
  }
});

test('an error another attempt cannot fix (a refused request) ends the wait at once: the message was sent and may still land', async () => {
  const heavy = await import('#heavy');
  const chain: SandboxChain = await heavy.SandboxChain.create();
  try {
    const h: Harness = { chain, wallet: (k) => chain.openWallet(k), advanceTime: async (s) => void chain.advanceTime(s), pollMs: 20 };
    const { A, B } = await parties(h);
    const target = chain as unknown as { transactionsPage: (...a: unknown[]) => Promise<unknown> };
    const real = target.transactionsPage.bind(chain);
    target.transactionsPage = async (...a: unknown[]) => {
      if ((a[0] as Address).equals(A.wallet.address)) throw new ChainError('ENDPOINT_ERROR', 'injected: refused getTransactions (HTTP 400): bad request');
      return real(...a);
    };
    // ended at once, saying why, and that the message was sent (it may still land: TIMEOUT, never "failed")
    await assert.rejects(chain.deployChannel(A.wallet, config(A, B, TON, TON), TON), (e: ChainError) => e.code === 'TIMEOUT' && /HTTP 400/.test(e.message) && /was sent.*may still land/.test(e.message));
  } finally {
    await chain.close();
  }
});
