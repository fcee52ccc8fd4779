// A user check on the devnet: Alice's withdraw fell back to a unilateral close while Bob (signing by hand) held her
// close state; Bob then signed it. Both nodes sent the close state to the contract at once: Alice's paid out, Bob's
// bounced off the paid-out contract a second later, his wallet paying its fees for nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { FINISH_GRACE_MS } from '../../src/node/policy.js';
import { aliceFellBack, closePair, openPair, until } from '../helpers/nodes.js';

test('a close state both signed during a close window goes to the contract once: its creator sends it, the other only if it has not landed', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    await aliceFellBack(p); // a unilateral close (its window: an hour); Bob holds her close state, unsigned
    await until('both see the close', () => p.alice.currentChannel()?.phase === 'closing' && p.bob.currentChannel()?.phase === 'closing', 15_000);
    const sent: string[] = [];
    const names = new Map([[Address.parse(p.alice.getAccount()).toRawString(), 'alice'], [Address.parse(p.bob.getAccount()).toRawString(), 'bob']]);
    const cooperativeClose = p.chain.cooperativeClose.bind(p.chain);
    p.chain.cooperativeClose = (w, ...a) => {
      sent.push(names.get(w.address.toRawString()) ?? '?');
      return cooperativeClose(w, ...a);
    };
    await p.bob.sign(); // both hold the close state now
    await until('both closed', () => p.alice.currentChannel()?.phase === 'closed' && p.bob.currentChannel()?.phase === 'closed', 15_000);
    // past the other party's grace: a second send would have gone by now
    await new Promise((r) => setTimeout(r, FINISH_GRACE_MS.sandbox + 2000));
    assert.deepEqual(sent, ['alice']);
    assert.equal(p.bob.currentChannel()!.payout?.step, p.bob.currentChannel()!.latest?.step, 'paid by the close state');
  } finally {
    await closePair(p);
  }
});
