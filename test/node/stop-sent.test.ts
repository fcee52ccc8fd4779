// A node stopped (Ctrl+C) while its deposit was on its way: the deposit's error said "you stopped waiting, but the
// deposit was sent: it may still land (the node keeps watching the chain)", although the node was stopping and
// watched nothing until its next start. A wait the node's stop ends says so, and when the send is read again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SandboxChain } from '../../src/chain/SandboxChain.js';
import { ChainError } from '../../src/chain/errors.js';
import { stoppable } from '../../src/node/stoppable.js';
import { config, parties, TON, type Harness } from '../chain/scenarios.js';

test("a send on its way when the node stops says the node stopped and reads it when it starts again, not that it keeps watching", async () => {
  const heavy = await import('#heavy');
  const chain: SandboxChain = await heavy.SandboxChain.create();
  try {
    const h: Harness = { chain, wallet: (k) => chain.openWallet(k), advanceTime: async (s) => void chain.advanceTime(s), pollMs: 20 };
    const { A, B } = await parties(h);
    const node = stoppable(chain);
    let stopped: Promise<void> | null = null;
    // The node stops while the deployment waits for its wallet's transaction (the message left).
    const onProgress = (m: string) => void (/^waiting for the wallet/.test(m) && (stopped ??= node.stop()));
    const target = chain as unknown as { transactionsPage: (...a: unknown[]) => Promise<unknown> };
    const real = target.transactionsPage.bind(chain);
    target.transactionsPage = async (...a: unknown[]) => {
      if (stopped) throw new ChainError('ENDPOINT_ERROR', 'injected: a slow read', { retryable: true });
      return real(...a);
    };
    const err = await node.chain.deployChannel(A.wallet, config(A, B, TON, TON), TON, { onProgress }).then(
      () => assert.fail('the deployment was not stopped'),
      (e: ChainError) => e,
    );
    await stopped;
    assert.equal(err.code, 'CANCELLED');
    assert.equal(err.sent, true);
    assert.doesNotMatch(err.message, /keeps watching|you stopped waiting/);
    assert.match(err.message, /^the node stopped, but the deployment was sent: it may still land; the node reads it when it starts again: start it and check the channel and your wallet before you retry$/);
  } finally {
    await chain.close();
  }
});
