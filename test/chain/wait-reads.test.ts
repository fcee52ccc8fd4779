// Once a message is sent, a failed read while waiting for its transaction is read again (until the operation's
// timeout, which says "it may still land"): one 502 or one malformed answer failed the whole operation, although
// the message landed (a cooperative close that paid out was then followed by a unilateral close).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Address } from '@ton/core';
import type { SandboxChain } from '../../src/chain/SandboxChain.js';
import { ChainError } from '../../src/chain/errors.js';
import { config, parties, TON, type Harness, type Party } from './scenarios.js';

/** A sandbox chain whose transaction reads of A's wallet fail while `fail()` returns an error. */
async function withFailingReads(fail: () => ChainError | null, fn: (chain: SandboxChain, A: Party, B: Party) => Promise<void>): Promise<void> {
  const heavy = await import('#heavy');
  const chain: SandboxChain = await heavy.SandboxChain.create();
  try {
    const h: Harness = { chain, wallet: (k) => chain.openWallet(k), advanceTime: async (s) => void chain.advanceTime(s), pollMs: 20 };
    const { A, B } = await parties(h);
    const target = chain as unknown as { transactionsPage: (...a: unknown[]) => Promise<unknown> };
    const real = target.transactionsPage.bind(chain);
    target.transactionsPage = async (...a: unknown[]) => {
      const e = (a[0] as Address).equals(A.wallet.address) ? fail() : null;
      if (e) throw e;
      return real(...a);
    };
    await fn(chain, A, B);
  } finally {
    await chain.close();
  }
}

test('a failed read while waiting for a sent deployment is read again, and the deployment is reported done', async () => {
  let failures = 2;
  // what the HTTP layer throws once its own retries are spent
  const storm = () => (failures-- > 0 ? new ChainError('ENDPOINT_ERROR', 'injected: a 502 storm while polling transactions', { retryable: true }) : null);
  await withFailingReads(storm, async (chain, A, B) => {
    const cfg = config(A, B, TON, TON);
    await chain.deployChannel(A.wallet, cfg, TON);
    assert.ok(failures < 0, 'the failed reads happened');
    assert.equal((await chain.getChannelData(chain.channelAddress(cfg)))?.depositA, TON);
  });
});

test('an error another attempt cannot fix (a refused request) ends the wait at once: the message was sent and may still land', async () => {
  const refused = () => new ChainError('ENDPOINT_ERROR', 'injected: refused getTransactions (HTTP 400): bad request');
  await withFailingReads(refused, async (chain, A, B) => {
    // ended at once, saying why, and that the message was sent (it may still land: TIMEOUT, never "failed")
    await assert.rejects(chain.deployChannel(A.wallet, config(A, B, TON, TON), TON), (e: ChainError) => e.code === 'TIMEOUT' && /HTTP 400/.test(e.message) && /was sent.*may still land/.test(e.message));
  });
});

test('a wait stopped after the message was sent says so: CANCELLED with sent, "may still land"', async () => {
  const ac = new AbortController();
  let waiting = false;
  const stop = () => {
    if (!waiting) return null;
    ac.abort(); // the user presses Cancel while the read is under way
    return new ChainError('ENDPOINT_ERROR', 'injected: a slow read', { retryable: true });
  };
  await withFailingReads(stop, async (chain, A, B) => {
    const onProgress = (m: string) => void (waiting ||= /^waiting for the wallet/.test(m));
    await assert.rejects(
      chain.deployChannel(A.wallet, config(A, B, TON, TON), TON, { signal: ac.signal, onProgress }),
      (e: ChainError) => e.code === 'CANCELLED' && e.sent && /you stopped waiting, but .* was sent: it may still land/.test(e.message),
    );
  });
});

test("after a send, a final answer stands even when the caller stopped at the same moment; a stop or a failed read is 'sent'", async () => {
  const { sent } = await import('../../src/chain/sent.js');
  const stopped = AbortSignal.abort();
  await assert.rejects(sent('the close', Promise.reject(new ChainError('CONTRACT_REJECTED', 'injected: refused')), stopped), (e: ChainError) => e.code === 'CONTRACT_REJECTED' && !e.sent);
  await assert.rejects(sent('the close', Promise.reject(new ChainError('CANCELLED', 'stopped'))), (e: ChainError) => e.code === 'CANCELLED' && e.sent);
  await assert.rejects(sent('the close', Promise.reject(new ChainError('ENDPOINT_ERROR', 'HTTP 400'))), (e: ChainError) => e.code === 'TIMEOUT' && e.sent);
});
