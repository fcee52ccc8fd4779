// A payment proposed while its receiver was offline, delivered after the contract paid out by an older state: the
// receiver signed it, showed it as the latest state, and called the payout "by the latest state" (a review, on a
// devnet). A channel paid out signs nothing more: the proposal is refused, and the payout stays told as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TON } from '../adversary/scene.js';
import { World, until } from '../adversary/world.js';
import { stateToBase64 } from '../../src/core/state.js';
import type { ChannelController } from '../../src/node/controller.js';
import type { WireOf } from '../../src/core/wire.js';

interface Inside {
  ctx: { channels: Map<string, ChannelController> };
  payments: { onProposal(ctl: ChannelController, m: WireOf<'state.propose'>): Promise<void> };
}

test('a proposal that arrives once the contract has paid out is refused: nothing is signed after the payout', { timeout: 240_000 }, async () => {
  const w = await World.create();
  try {
    const alice = await w.node('alice', { period: 60 });
    const bob = await w.node('bob', { period: 60 });
    await w.link(alice, bob);
    const ch = (await w.open(alice, bob, TON('5'), TON('5'))).channelId; // Bob (B) has the turn
    // Alice goes away; Bob's payment of 1 TON stays his proposal (step 1)
    await w.stop(alice);
    await until(() => bob.node.channel(ch)?.partnerOnline === false, 'Bob to see Alice gone');
    await bob.node.send(TON('1'), { channel: ch });
    const proposed = bob.node.channel(ch)!.pending!;
    assert.equal(proposed.step, 1n);
    // Bob closes alone with step 0 and the close is finished: the contract paid by step 0
    await bob.node.withdraw({ channel: ch, mode: 'unilateral' });
    w.chain.advanceTime(61);
    await until(() => bob.node.channel(ch)?.phase === 'closed', 'the payout', 60_000);
    await w.stop(bob);
    // Alice comes back and reads the payout; then Bob's proposal reaches her
    const back = await w.node('alice', { keyPair: alice.keyPair, period: 60 });
    await until(() => back.node.channel(ch)?.phase === 'closed', 'Alice to read the payout', 60_000);
    const inside = back.node as unknown as Inside;
    const ctl = inside.ctx.channels.get(ch)!;
    const state = { tag: 'state' as const, channel: ctl.channel.latest!.state.channel, step: proposed.step, balanceA: proposed.balanceA, balanceB: proposed.balanceB };
    const m: WireOf<'state.propose'> = { type: 'state.propose', contract: back.node.channel(ch)!.contract, state: stateToBase64(state), signature: proposed.sigB! };
    await assert.rejects(ctl.run(() => inside.payments.onProposal(ctl, m)), (e: Error & { code?: string }) => e.code === 'ALREADY_CLOSED' && e.message === 'the channel is closed and paid out by step 0: no state is signed in it any more');
    await new Promise((r) => setTimeout(r, 300));
    const v = back.node.channel(ch)!;
    assert.equal(v.latest?.step, 0n, 'the latest state is still the one paid');
    assert.equal(v.pending, null);
    assert.equal(v.payout?.matchesLatest, true);
    assert.ok(!back.events.some((e) => e.type === 'stateSigned' || e.type === 'stateReceived'), 'nothing signed or received after the restart');
  } finally {
    await w.close();
  }
});
