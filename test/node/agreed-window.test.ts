// A close state both signed during a close's window: its creator sends it at once, the other party after the
// finish's grace. A window ending before that grace left the other party's send too late: the close on chain paid
// out instead of the state both signed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { ChainError } from '../../src/chain/errors.js';
import { FINISH_GRACE_MS } from '../../src/node/policy.js';
import { aliceFellBack, closePair, openPair, until, type Pair } from '../helpers/nodes.js';

/**
 * Alice's unilateral close on chain, Bob holding her close state unsigned, her cooperative closes refused (her wallet
 * is empty, say: only Bob's can pay out the close state), and `left` seconds of the window left; `before` runs just
 * before Bob signs. Returns the step both signed and the step of the close on chain.
 */
async function bobSignsLate(p: Pair, left: number, before = (): void => undefined): Promise<{ step: bigint; onChain: bigint | null }> {
  await aliceFellBack(p);
  await until('both see the close', () => p.alice.currentChannel()?.phase === 'closing' && p.bob.currentChannel()?.phase === 'closing', 15_000);
  const onChain = p.alice.currentChannel()!.closeStep;
  const alice = Address.parse(p.alice.getAccount());
  const cooperativeClose = p.chain.cooperativeClose.bind(p.chain);
  p.chain.cooperativeClose = (w, ...a) => (w.address.equals(alice) ? Promise.reject(new ChainError('ENDPOINT_UNREACHABLE', 'injected: nothing was sent')) : cooperativeClose(w, ...a));
  p.chain.advanceTime(p.bob.currentChannel()!.deadline! - (await p.chain.now()) - left);
  before();
  await p.bob.sign(); // both hold the close state now
  const step = p.bob.currentChannel()!.latest!.step;
  assert.notEqual(step, onChain);
  return { step, onChain };
}

async function paidBy(p: Pair, step: bigint, ms: number): Promise<void> {
  await until('Bob reads the payout', () => p.bob.currentChannel()?.phase === 'closed' && p.bob.currentChannel()!.payout, ms);
  assert.equal(p.bob.currentChannel()!.payout?.step, step, 'paid by the close state both signed, not by the close on chain');
}

test('a close state both signed as the window nears its end goes to the contract in time when its creator cannot send it', async () => {
  const p = await openPair({ challengePeriod: 60, closeTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    // the window ends in less than the finish's grace
    const { step } = await bobSignsLate(p, Math.floor(FINISH_GRACE_MS.sandbox / 1000) - 2);
    await paidBy(p, step, 30_000);
  } finally {
    await closePair(p);
  }
});

test("a read of the chain's time that never answers does not hold back the close state both signed", async () => {
  // the party that did not create the close state reads the chain's time to size its grace: that read had no bound
  const p = await openPair({ challengePeriod: 60, closeTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    const { step } = await bobSignsLate(p, Math.floor(FINISH_GRACE_MS.sandbox / 1000) + 8, () => {
      // from here the reads of the chain's time made to size that grace never answer
      const now = p.chain.now.bind(p.chain);
      p.chain.now = (...a) => (new Error().stack?.includes('graceFor') ? new Promise<number>(() => undefined) : now(...a));
    });
    await paidBy(p, step, 40_000);
  } finally {
    await closePair(p);
  }
});
