// The lock is on chain whether or not this node can save its record then (a full disk, for a moment): the phase
// moved to locked in memory, but A's initial state (the lock's effect) was not proposed, channelLocked was not
// told and the initial state's timer was not armed; every later read found the channel locked already. The channel
// stayed locked with no state until a restart. The lock is told and acted on, then the failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { waitForEvent, type NodeEvent } from '../../src/node/index.js';
import type { Wallet } from '../../src/chain/types.js';
import { proposedWithFailingDeposit } from '../helpers/reads.js';
import { failOneSave } from '../helpers/lagging.js';
import { TON, closePair, openPair, until } from '../helpers/nodes.js';

test('a lock read while the record cannot be saved (a full disk) is told and acted on: A proposes the initial state', async () => {
  const p = await openPair();
  try {
    // Bob's node deposits nothing (its deposits fail); his wallet pays his part: no hint reaches Alice's node
    await proposedWithFailingDeposit(p);
    await p.bob.deposit().catch(() => undefined);
    await until('Alice deployed', () => p.alice.currentChannel()?.phase === 'funding');
    const failed = failOneSave(p.alice, (r) => r.life === 'locked');
    const told: string[] = [];
    p.alice.on((e: NodeEvent) => void (e.type === 'channelLocked' && told.push(e.type)));
    const initial = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 0n, 30_000);
    const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Wallet } } }).ctx.o.wallet;
    await p.chain.deposit(bobWallet, Address.parse(p.alice.currentChannel()!.contract), TON('4'));
    await initial;
    assert.ok(failed(), 'the save failed');
    assert.deepEqual(told, ['channelLocked']);
  } finally {
    await closePair(p);
  }
});
