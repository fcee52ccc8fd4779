// A user check on the devnet with a --manual partner: `send` and `requestEmpty` on a locked channel whose initial
// state awaited this node's signature said "waiting for the initial state to be signed by both", never that the
// state was this node's to sign (`sign`), nor, to the proposer, that the partner's signature is what is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capabilities, type CapabilityInput } from '../../src/core/capabilities.js';
import type { Party } from '../../src/core/signed.js';

function locked(me: Party, stagedBy: Party | null): CapabilityInput {
  const off = { phase: 'OPEN' as const, turn: null, stagedBy, latestStep: null, latestTag: null, myBalance: 1n };
  return { me, life: 'locked', off, expectedMine: 1n, depositedMine: 1n, deadlinePassed: false, restorePending: false };
}

const why = (i: CapabilityInput, action: 'send' | 'requestEmpty' | 'createEmpty') => capabilities(i)[action] as { ok: false; code: string; why: string };

test('before the initial state is signed by both, a payment says whose signature it waits for', () => {
  for (const action of ['send', 'requestEmpty', 'createEmpty'] as const) {
    const mine = why(locked('B', 'A'), action);
    assert.equal(mine.code, 'NOT_OPEN');
    assert.equal(mine.why, 'payments start once the channel is open: the initial state from your partner awaits your signature: sign it first');
    assert.equal(why(locked('A', 'A'), action).why, "payments start once the channel is open: the initial state waits for your partner's signature: wait for it, or leave with the deposits (leave) if they never sign");
    // not yet staged: as before
    assert.equal(why(locked('A', null), action).why, 'payments start once the channel is open: both deposits are in; the initial state is on its way: wait for it to be signed by both');
  }
});
