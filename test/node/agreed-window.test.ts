// A close state both signed during a close's window: its creator sends it at once, the other party after the
// finish's grace. A window ending before that grace left the other party's send too late: the close on chain paid
// out instead of the state both signed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { ChainError } from '../../src/chain/errors.js';
import { FINISH_GRACE_MS } from '../../src/node/policy.js';
import { aliceFellBack, closePair, openPair, until } from '../helpers/nodes.js';

test('a close state both signed as the window nears its end goes to the contract in time when its creator cannot send it', async () => {
  const p = await openPair({ challengePeriod: 60, closeTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    await aliceFellBack(p); // her unilateral close is on chain; Bob holds her close state, unsigned
    await until('both see the close', () => p.alice.currentChannel()?.phase === 'closing' && p.bob.currentChannel()?.phase === 'closing', 15_000);
    const onChain = p.alice.currentChannel()!.closeStep;
    // Alice's cooperative closes never leave (her wallet is empty, say): only Bob's can pay out the close state.
    const alice = Address.parse(p.alice.getAccount());
    const cooperativeClose = p.chain.cooperativeClose.bind(p.chain);
    p.chain.cooperativeClose = (w, ...a) => (w.address.equals(alice) ? Promise.reject(new ChainError('ENDPOINT_UNREACHABLE', 'injected: nothing was sent')) : cooperativeClose(w, ...a));
    // the window ends in less than the finish's grace
    const left = Math.floor(FINISH_GRACE_MS.sandbox / 1000) - 2;
    p.chain.advanceTime(p.bob.currentChannel()!.deadline! - (await p.chain.now()) - left);
    await p.bob.sign(); // both hold the close state now
    const step = p.bob.currentChannel()!.latest!.step;
    assert.notEqual(step, onChain);
    await until('Bob reads the payout', () => p.bob.currentChannel()?.phase === 'closed' && p.bob.currentChannel()!.payout, 30_000);
    assert.equal(p.bob.currentChannel()!.payout?.step, step, 'paid by the close state both signed, not by the close on chain');
  } finally {
    await closePair(p);
  }
});

test("a read of the chain's time that never answers does not hold back the close state both signed", async () => {
  // the party that did not create the close state reads the chain's time to size its grace: that read had no bound
  const p = await openPair({ challengePeriod: 60, closeTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    await aliceFellBack(p);
    await until('both see the close', () => p.alice.currentChannel()?.phase === 'closing' && p.bob.currentChannel()?.phase === 'closing', 15_000);
    const onChain = p.alice.currentChannel()!.closeStep;
    const alice = Address.parse(p.alice.getAccount());
    const cooperativeClose = p.chain.cooperativeClose.bind(p.chain);
    p.chain.cooperativeClose = (w, ...a) => (w.address.equals(alice) ? Promise.reject(new ChainError('ENDPOINT_UNREACHABLE', 'injected: nothing was sent')) : cooperativeClose(w, ...a));
    const left = Math.floor(FINISH_GRACE_MS.sandbox / 1000) + 8;
    p.chain.advanceTime(p.bob.currentChannel()!.deadline! - (await p.chain.now()) - left);
    // from here the reads of the chain's time made to size that grace never answer
    const now = p.chain.now.bind(p.chain);
    p.chain.now = (...a) => (new Error().stack?.includes('graceFor') ? new Promise<number>(() => undefined) : now(...a));
    await p.bob.sign();
    const step = p.bob.currentChannel()!.latest!.step;
    assert.notEqual(step, onChain);
    await until('Bob reads the payout', () => p.bob.currentChannel()?.phase === 'closed' && p.bob.currentChannel()!.payout, 40_000);
    assert.equal(p.bob.currentChannel()!.payout?.step, step, 'paid by the close state both signed, not by the close on chain');
  } finally {
    await closePair(p);
  }
});
