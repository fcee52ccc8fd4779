// A funding channel that will never lock (the partner never paid, or took its deposit back) was kept listed and
// watched for ever by a party with nothing in it: refund said there was nothing to refund and decline said to
// refund. Such a party now declines it (the node reads the chain first); one with a deposit in it, or one whose
// deposit may still land, is told what to do instead.
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { waitForEvent } from '../../src/node/index.js';
import { restartFaulty, withPair } from '../helpers/reads.js';
import { TON, connect, until, type Pair } from '../helpers/nodes.js';

/**
 * Alice proposes `a` / 4 TON; Bob accepts but his deposit fails (`error`, once): the contract holds Alice's deposit
 * only. `aged`: as if Bob's failed deposit were sent long ago (its message can no longer land).
 */
async function fundedByAliceOnly(p: Pair, o: { error?: 'ENDPOINT_UNREACHABLE' | 'TIMEOUT' | 'INSUFFICIENT_FUNDS'; aged?: boolean; a?: string } = {}): Promise<void> {
  const f = await restartFaulty(p, 'bob');
  await connect(p.alice, p.bob);
  // a TIMEOUT of the real chain comes once the deposit went out (sent)
  f.inject({ method: 'deposit', error: o.error ?? 'ENDPOINT_UNREACHABLE', sent: o.error === 'TIMEOUT' });
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON(o.a ?? '3'), partnerDeposit: TON('4') });
  await proposed;
  await p.bob.deposit().catch(() => undefined);
  await until('Alice funding', () => p.alice.currentChannel()?.phase === 'funding');
  await until('Bob funding', () => p.bob.currentChannel()?.phase === 'funding');
  if (o.aged) recOf(p.bob).depositPending!.sentAt -= 11 * 60_000;
}

/** The node's record of its current channel (a test moves a mark's time back, as if minutes had passed). */
type Mark = { sentAt: number; total: bigint };
function recOf(n: Pair['bob']): { depositPending?: Mark } {
  const id = n.currentChannel()!.channelId;
  return (n as unknown as { node: { ctx: { channels: Map<string, { rec: { depositPending?: Mark } }> } } }).node.ctx.channels.get(id)!.rec;
}

withPair('a funding channel with nothing of mine in it is declined; the partner is told to refund; one with my deposit is not', async (p) => {
  await fundedByAliceOnly(p, { aged: true });
  const bobId = p.bob.currentChannel()!.id;
  // Alice's deposit is in: she refunds first.
  await assert.rejects(p.alice.decline(), (e: Error & { code?: string }) => e.code === 'INVALID_TRANSITION' && /refund/.test(e.message));
  assert.deepEqual(p.alice.currentChannel()?.actions.decline.ok, false);
  // Bob has nothing in it: he declines, and Alice hears she should take hers back.
  assert.equal(p.bob.channel(bobId)?.actions.decline.ok, true);
  const told = waitForEvent(p.alice, 'log', (e) => /declined channel .* holds nothing of theirs: it will not lock\. Take your deposit back with refund/.test(e.message), 30_000);
  const event = waitForEvent(p.alice, 'partnerDeclined', () => true, 30_000);
  const v = await p.bob.decline({ channel: bobId });
  assert.equal(v.phase, 'rejected');
  await told;
  // the UIs' event: the same words, and a view in which refund is the next step
  const e = await event;
  assert.match(e.message, /holds nothing of theirs: it will not lock\. Take your deposit back with refund/);
  assert.deepEqual([e.next, e.channel.phase, e.channel.actions.refund.ok, e.channel.actions.deposit.ok ? '' : e.channel.actions.deposit.code], ['refund', 'funding', true, 'PARTNER_DECLINED']);
  assert.equal((await p.alice.refund()).depositA, 0n);
  // Now Alice has nothing in it either.
  const aliceId = p.alice.currentChannel()!.id;
  const mine = p.alice.channel(aliceId)!;
  assert.equal(mine.actions.refund.ok, false);
  assert.match(mine.actions.refund.ok ? '' : mine.actions.refund.why, /decline the channel to stop following it/);
  assert.equal((await p.alice.decline({ channel: aliceId })).phase, 'rejected');
  // Nothing is watched for them any more; the contract still holds only what no one deposited.
  const d = await p.chain.getChannelData(Address.parse(mine.contract));
  assert.deepEqual([d?.depositA, d?.depositB], [0n, 0n]);
});

for (const error of ['TIMEOUT', 'ENDPOINT_UNREACHABLE'] as const) {
  withPair(`a deposit that failed (${error}) may still have left and land: decline waits for it`, async (p) => {
    await fundedByAliceOnly(p, { error });
    const bobId = p.bob.currentChannel()!.id;
    await assert.rejects(p.bob.decline({ channel: bobId }), (e: Error & { code?: string }) => e.code === 'TIMEOUT' && /your deposit may still land .* then decline again/.test(e.message));
    assert.equal(p.bob.channel(bobId)?.phase, 'funding');
  });
}

withPair('a deposit refused before it left (the wallet short of TON) cannot land: decline goes through at once', async (p) => {
  await fundedByAliceOnly(p, { error: 'INSUFFICIENT_FUNDS' });
  assert.equal((await p.bob.decline()).phase, 'rejected');
});

withPair('deposit and decline at once: one of them wins, never both (no deposit lands in a declined channel)', async (p) => {
  await fundedByAliceOnly(p, { aged: true });
  const bobId = p.bob.currentChannel()!.id;
  const [dep, dec] = await Promise.allSettled([p.bob.deposit(undefined, { channel: bobId }), p.bob.decline({ channel: bobId })]);
  assert.ok(dep.status === 'rejected' || dec.status === 'rejected', 'not both');
  const d = await p.chain.getChannelData(Address.parse(p.bob.channel(bobId)!.contract));
  if (dec.status === 'fulfilled') assert.equal(d?.depositB, 0n, 'nothing of Bob in the declined channel');
  else assert.equal(p.bob.channel(bobId)?.phase === 'rejected', false);
});

withPair('a proposer that deposits nothing gives the channel up too once its partner declined', async (p) => {
  await fundedByAliceOnly(p, { a: '0', aged: true });
  const told = waitForEvent(p.alice, 'log', (e) => /holds nothing of theirs: it will not lock\. Decline it too/.test(e.message), 30_000);
  const event = waitForEvent(p.alice, 'partnerDeclined', () => true, 30_000);
  await p.bob.decline();
  await told;
  assert.equal((await event).next, 'decline', "the UIs' button: decline it too");
  assert.equal((await p.alice.decline()).phase, 'rejected');
});

withPair('decline reads the chain: a deposit the record had not seen yet is found and decline refuses', async (p) => {
  await fundedByAliceOnly(p, { aged: true });
  const bobId = p.bob.currentChannel()!.id;
  const contract = Address.parse(p.bob.channel(bobId)!.contract);
  // Bob's deposit lands from outside the node (another program with his wallet): the record still says 0.
  const wallet = await p.chain.openWallet(p.keys.bob);
  await p.chain.deposit(wallet, contract, TON('1'));
  await assert.rejects(p.bob.decline({ channel: bobId }), (e: Error & { code?: string }) => /take your deposit back with refund/.test(e.message));
  assert.equal(p.bob.channel(bobId)?.phase, 'funding');
  assert.equal(p.bob.channel(bobId)?.depositB, TON('1'));
});

withPair('a deposit that timed out and landed: once the watch sees it, the mark goes (refund, then decline at once)', async (p) => {
  await fundedByAliceOnly(p, { error: 'TIMEOUT' });
  const bobId = p.bob.currentChannel()!.id;
  recOf(p.bob).depositPending!.total = TON('1'); // the deposit that timed out was of 1 TON
  const wallet = await p.chain.openWallet(p.keys.bob);
  await p.chain.deposit(wallet, Address.parse(p.bob.channel(bobId)!.contract), TON('1')); // and it lands
  await until('the watch sees it', () => p.bob.channel(bobId)?.depositB === TON('1'));
  assert.equal(recOf(p.bob).depositPending, undefined, 'the mark is gone');
  assert.equal((await p.bob.refund({ channel: bobId })).depositB, 0n);
  assert.equal((await p.bob.decline({ channel: bobId })).phase, 'rejected');
});
