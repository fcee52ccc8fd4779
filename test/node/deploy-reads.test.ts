// Deployments whose wait failed or timed out, and restarts in the middle of one: a deployment may still land
// until its wallet message expires, so A never deploys (pays its deposit) twice, and never leaves a deposit that
// landed later in a channel nothing watches. Two real nodes on one SandboxChain, reads with injected faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { WALLET_MESSAGE_TTL } from '../../src/chain/index.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import type { FaultyChain } from '../helpers/faults.js';
import { proposedWithFailingDeposit, restartFaulty, withPair } from '../helpers/reads.js';
import { TON, closePair, connect, openPair, until, type Pair } from '../helpers/nodes.js';

/** Alice (on a faulty chain) proposes 3 / 4 TON; Bob accepts and waits for the deployment, which lands, but its
 * wait times out and the read after it fails too. Returns once Alice told the TIMEOUT, with Bob's deposit pending. */
async function deployWaitAndReadFail(p: Pair): Promise<{ f: FaultyChain; bob: Promise<unknown> }> {
  const f = await restartFaulty(p, 'alice');
  await connect(p.alice, p.bob);
  const real = p.chain.deployChannel.bind(p.chain);
  (p.chain as { deployChannel: typeof real }).deployChannel = async (...a) => {
    await real(...a);
    f.inject({ method: 'getChannelStatus', error: 'ENDPOINT_UNREACHABLE' }); // the read after the failure fails too
    throw Object.assign(new Error('injected: the wait for the deployment timed out'), { code: 'TIMEOUT', sent: true });
  };
  const failed = waitForEvent(p.alice, 'error', (e) => e.code === 'TIMEOUT', 30_000);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const bob = p.bob.deposit().catch(() => undefined);
  await failed;
  (p.chain as { deployChannel: typeof real }).deployChannel = real;
  return { f, bob };
}

withPair('a deployment that landed although its wait failed is taken as deployed: deposit never pays twice', async (p) => {
  // The deployment is sent and lands, but the wait for it fails.
  const real = p.chain.deployChannel.bind(p.chain);
  (p.chain as { deployChannel: typeof real }).deployChannel = async (...a) => {
    await real(...a);
    throw Object.assign(new Error('injected: the endpoint timed out while waiting for the deployment'), { code: 'TIMEOUT', sent: true });
  };
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const locked = waitForEvent(p.alice, 'channelLocked', () => true, 30_000);
  await p.bob.deposit();
  await locked;
  (p.chain as { deployChannel: typeof real }).deployChannel = real;
  const data = await p.chain.getChannelData(Address.parse(p.alice.currentChannel()!.contract));
  assert.equal(data?.depositA, TON('3'), 'A paid its deposit once');
  await assert.rejects(p.alice.deposit(), (e: { code?: string }) => e.code !== undefined, 'nothing more to deposit');
  assert.equal((await p.chain.getChannelData(Address.parse(p.alice.currentChannel()!.contract)))?.depositA, TON('3'));
});

withPair('refund right after the deployment reads the deposit from the chain (the record had not seen it yet)', async (p) => {
  await proposedWithFailingDeposit(p);
  const bob = p.bob.deposit().catch(() => undefined);
  await until('Alice deployed', () => p.alice.currentChannel()?.phase === 'funding');
  const v = await p.alice.refund();
  assert.equal(v.depositA, 0n);
  await bob;
});

withPair('a partner who declines while the deployment is under way: A hears it, and that refund takes its deposit back', async (p) => {
  const real = p.chain.deployChannel.bind(p.chain);
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => (release = r));
  (p.chain as { deployChannel: typeof real }).deployChannel = async (...a) => {
    await held; // the deployment takes a while
    return real(...a);
  };
  const told = waitForEvent(p.alice, 'log', (e) => /declined .* while your deployment was under way: .*refund/.test(e.message), 30_000);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const bob = p.bob.deposit().catch(() => undefined);
  await until('Alice deploying', () => p.alice.currentChannel()?.phase === 'deploying');
  const events: { next: string | null; phase: string }[] = [];
  p.alice.on((e) => void (e.type === 'partnerDeclined' && events.push({ next: e.next, phase: e.channel.phase })));
  await p.bob.decline();
  await told;
  release();
  await until('Alice funding', () => p.alice.currentChannel()?.phase === 'funding');
  // the UIs: first nothing to do (the deployment may land), then, once it landed, refund
  await until('told it landed', () => events.length === 2);
  assert.deepEqual(events, [{ next: null, phase: 'deploying' }, { next: 'refund', phase: 'funding' }]);
  assert.equal((await p.alice.refund()).depositA, 0n);
  await bob;
});

withPair('after a deployment whose wait and first read failed: deposit never deploys on an unknown read, decline does not make the partner fund', async (p) => {
  const { f, bob } = await deployWaitAndReadFail(p);
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  f.inject({ method: 'getChannelStatus', error: 'ENDPOINT_UNREACHABLE' });
  await assert.rejects(p.alice.deposit(), (e: { code?: string }) => e.code === 'ENDPOINT_UNREACHABLE', 'an unknown read deploys nothing');
  assert.equal((await p.chain.getChannelData(contract))?.depositA, TON('3'));
  f.inject({ method: 'getChannelStatus', error: 'ENDPOINT_UNREACHABLE' });
  await assert.rejects(p.alice.decline(), (e: { code?: string }) => e.code === 'ENDPOINT_UNREACHABLE', 'an unknown read declines nothing');
  await assert.rejects(p.alice.decline(), (e: { message?: string }) => /take it back with refund/.test(e.message ?? ''));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(p.bob.currentChannel()!.phase, 'accepted', 'Bob was not told to fund it');
  assert.equal((await p.alice.refund()).depositA, 0n);
  void bob;
});

/**
 * Alice's deployment is sent but its wait times out, or the endpoint does not answer the send (it may have taken
 * it): it may still land. Returns how many were sent so far.
 */
/** What the wallet does before a message leaves: the node's beforeSend saves the message's expiry (signed now). */
async function signed(p: Pair, a: unknown[]): Promise<void> {
  await (a[3] as { beforeSend?: (s: { validUntil: number }) => Promise<void> } | undefined)?.beforeSend?.({ validUntil: (await p.chain.now()) + WALLET_MESSAGE_TTL });
}

async function deployTimedOut(p: Pair, code: 'TIMEOUT' | 'ENDPOINT_UNREACHABLE' = 'TIMEOUT'): Promise<() => number> {
  let sent = 0;
  (p.chain as unknown as { deployChannel: (...a: unknown[]) => Promise<unknown> }).deployChannel = async (...a) => {
    sent++;
    await signed(p, a); // the wallet signs before it sends
    throw Object.assign(new Error('injected: not seen within the timeout'), { code, sent: code === 'TIMEOUT' }); // a chain TIMEOUT after the send says sent
  };
  const failed = waitForEvent(p.alice, 'error', (e) => e.code === code || (code === 'ENDPOINT_UNREACHABLE' && e.code === 'WALLET_REJECTED'), 30_000);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  void p.bob.deposit().catch(() => undefined);
  await failed;
  return () => sent;
}

withPair('a deployment that timed out and is not on chain yet may still land: decline waits for its wallet message to expire', async (p) => {
  await deployTimedOut(p);
  await assert.rejects(p.alice.decline(), (e: { code?: string; message?: string }) => e.code === 'TIMEOUT' && /may still land .* then decline again/.test(e.message ?? ''));
  assert.equal(p.alice.currentChannel()!.phase, 'accepted', 'not declined while the deposit may still arrive');
});

withPair("a deployment's may-land mark runs from when its message is signed, not from when it waited for the wallet", async (p) => {
  (p.chain as unknown as { deployChannel: (...a: unknown[]) => Promise<unknown> }).deployChannel = async (...a) => {
    await new Promise((r) => setTimeout(r, 2_500)); // another send of the wallet goes first
    await (a[3] as { beforeSend?: (s: { validUntil: number }) => Promise<void> } | undefined)?.beforeSend?.({ validUntil: (await p.chain.now()) + WALLET_MESSAGE_TTL }); // signed now
    throw Object.assign(new Error('injected: not seen within the timeout'), { code: 'TIMEOUT', sent: true });
  };
  const failed = waitForEvent(p.alice, 'error', (e) => e.code === 'TIMEOUT', 30_000);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  void p.bob.deposit().catch(() => undefined);
  await failed;
  await assert.rejects(p.alice.deposit(), (e: { code?: string; message?: string }) => e.code === 'TIMEOUT' && /wait 1(79|80) s/.test(e.message ?? ''));
});

withPair('a deployment whose send the endpoint did not answer may still land: deposit and decline wait for it', async (p) => {
  const sent = await deployTimedOut(p, 'ENDPOINT_UNREACHABLE');
  await assert.rejects(p.alice.deposit(), (e: { code?: string; message?: string }) => e.code === 'TIMEOUT' && /may still land .* then run deposit again/.test(e.message ?? ''));
  assert.equal(sent(), 1, 'not deployed twice');
  await assert.rejects(p.alice.decline(), (e: { code?: string; message?: string }) => e.code === 'TIMEOUT' && /may still land/.test(e.message ?? ''));
});

withPair('a deployment that timed out and is not on chain yet may still land: deposit does not deploy again meanwhile', async (p) => {
  const sent = await deployTimedOut(p);
  assert.equal(sent(), 1);
  await assert.rejects(p.alice.deposit(), (e: { code?: string; message?: string }) => e.code === 'TIMEOUT' && /may still land .* then run deposit again/.test(e.message ?? ''));
  assert.equal(sent(), 1, 'a second deployment would pay the deposit twice if the first lands');
  assert.equal(p.alice.currentChannel()!.phase, 'accepted');
});

withPair('a restart in the middle of a deployment not seen on chain: deposit waits until it can no longer land', async (p) => {
  let sent = 0;
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => (release = r));
  let wasSigned: () => void = () => undefined;
  const signedOnce = new Promise<void>((r) => (wasSigned = r));
  (p.chain as unknown as { deployChannel: (...a: unknown[]) => Promise<unknown> }).deployChannel = async (...a) => {
    sent++;
    await signed(p, a);
    wasSigned();
    await held; // sent, and the node stops before it is seen
    throw Object.assign(new Error('injected: stopped'), { code: 'TIMEOUT', sent: true });
  };
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const bob = p.bob.deposit().catch(() => undefined);
  await until('Alice deploying', () => p.alice.currentChannel()?.phase === 'deploying');
  await signedOnce; // (a stop before the wallet signs is another case: nothing can land, the node deploys again)
  const stopped = p.alice.stop();
  release();
  await stopped;
  p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  const logs: string[] = [];
  p.alice.on((e) => void (e.type === 'log' && e.level === 'warn' && logs.push(e.message)));
  await until('Alice back in accepted', () => p.alice.currentChannel()?.phase === 'accepted');
  await until('Alice told what became of her deployment', () => logs.some((m) => /your deployment of channel .* is not on chain yet: it may still land in the next \d+ s .* If it has not by then, the node reads the chain and deploys again by itself/.test(m)));
  await assert.rejects(p.alice.deposit(), (e: { code?: string; message?: string }) => e.code === 'TIMEOUT' && /may still land/.test(e.message ?? ''));
  assert.equal(sent, 1, 'not deployed twice');
  void bob;
});


withPair('a deployment that timed out, then a restart: deposit still waits until it can no longer land', async (p) => {
  const sent = await deployTimedOut(p);
  await p.alice.stop();
  p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  await until('Alice back in accepted', () => p.alice.currentChannel()?.phase === 'accepted');
  await assert.rejects(p.alice.deposit(), (e: { code?: string; message?: string }) => e.code === 'TIMEOUT' && /may still land/.test(e.message ?? ''));
  assert.equal(sent(), 1, 'not deployed twice');
});

withPair('a deployment refused before it went out (not enough funds) can be retried at once', async (p) => {
  let sent = 0;
  (p.chain as unknown as { deployChannel: () => Promise<unknown> }).deployChannel = async () => {
    if (sent++ === 0) throw Object.assign(new Error('injected: the wallet has too little'), { code: 'INSUFFICIENT_FUNDS' });
  };
  const failed = waitForEvent(p.alice, 'error', (e) => e.code === 'INSUFFICIENT_FUNDS', 30_000);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  void p.bob.deposit().catch(() => undefined);
  await failed;
  await p.alice.deposit().catch(() => undefined); // deploys again at once (the stub lands nothing)
  assert.equal(sent, 2);
});

withPair("a partner's refund is told like its deposit: the last figure told is not its old deposit", async (p) => {
  await proposedWithFailingDeposit(p);
  const seen = waitForEvent(p.bob, 'depositSeen', (e) => e.party === 'A', 30_000);
  const bob = p.bob.deposit().catch(() => undefined);
  await seen;
  const refunded = waitForEvent(p.bob, 'refundSeen', (e) => e.party === 'A', 30_000);
  await p.alice.refund();
  const e = await refunded;
  assert.equal(e.amount, TON('3'));
  assert.equal(e.channel.depositA, 0n);
  await bob;
  // Bob's view says what the node says: no deposit into a contract his partner left
  const shown = p.bob.currentChannel()!.actions;
  assert.equal(shown.deposit.ok ? 'ok' : shown.deposit.code, 'PARTNER_REFUNDED');
  assert.match(shown.refund.ok ? '' : shown.refund.why, /your partner took theirs back: decline the channel|your deposit was sent and may still land/);
  await assert.rejects(p.bob.deposit(), (x: { code?: string }) => x.code === 'PARTNER_REFUNDED');
  // Alice pays again into the deployed contract: nothing waits for a deployment.
  const said: string[] = [];
  await p.alice.deposit(TON('0.5'), { onProgress: (m) => said.push(m) });
  assert.ok(!said.some((m) => /to be deployed/.test(m)), said.join(' | '));
});

withPair('a top-up sent again after an earlier one expired unlanded is followed by its own amount: the rest can follow at once', async (p) => {
  await proposedWithFailingDeposit(p);
  const seen = waitForEvent(p.bob, 'depositSeen', (e) => e.party === 'A', 30_000);
  const bob = p.bob.deposit().catch(() => undefined);
  await seen;
  await bob;
  await p.alice.refund();
  const real = p.chain.deposit.bind(p.chain);
  let lost = 0;
  (p.chain as { deposit: Chain['deposit'] }).deposit = async (...a) => {
    if (lost++) return real(...a);
    // signed long ago by the chain's clock: it can no longer land
    await a[3]?.beforeSend?.({ validUntil: (await p.chain.now()) - 61 });
    throw new ChainError('TIMEOUT', 'injected: the deposit was not seen on chain in time', { sent: true });
  };
  await assert.rejects(p.alice.deposit(TON('1')), (e: { code?: string }) => e.code === 'TIMEOUT');
  assert.equal((await p.alice.deposit(TON('1'))).depositA, TON('1'));
  // the second top-up goes at once: the first mark (1 TON, expired) is not added to the second
  assert.equal((await p.alice.deposit(TON('1'))).depositA, TON('2'));
});

test("accepting a proposal whose proposer never deploys ends with what to do, not a day's wait", async () => {
  const p = await openPair({ bob: { deployWaitMs: 1500 } });
  try {
    // Alice's deployment never comes (her node stops right after it proposes).
    (p.chain as { deployChannel: unknown }).deployChannel = () => new Promise(() => undefined);
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    await assert.rejects(p.bob.deposit(), (e: { code?: string; sent?: boolean; message: string }) => e.code === 'TIMEOUT' && e.sent === true && /has not deployed the channel contract .*the proposal stays accepted.*run deposit again/.test(e.message));
    assert.equal(p.bob.currentChannel()!.phase, 'accepted');
  } finally {
    await closePair(p);
  }
});

withPair("B is told when the partner's deployment lands (a deposit of 0 by A is never told as a deposit)", async (p) => {
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: 0n, partnerDeposit: TON('4') });
  await proposed;
  const deployed = waitForEvent(p.bob, 'channelDeployed', () => true, 30_000);
  await p.bob.deposit();
  const e = await deployed;
  assert.equal(e.channel.expectedDepositB, TON('4'));
});

withPair("A's deposit that deploys after a failed deployment returns what the contract holds (it returned the deposits before)", async (p) => {
  const f = await restartFaulty(p, 'alice');
  f.inject({ method: 'deployChannel', error: 'INSUFFICIENT_FUNDS', times: 1 });
  await connect(p.alice, p.bob);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('1') });
  await proposed;
  const failed = waitForEvent(p.alice, 'error', () => true, 30_000);
  void p.bob.deposit().catch(() => undefined);
  await failed;
  await until('A accepted', () => p.alice.currentChannel()?.phase === 'accepted');
  const v = await p.alice.deposit();
  assert.deepEqual([v.phase, v.depositA], ['funding', TON('3')]);
});

withPair("decline after a deployment whose wait failed, locked meanwhile by the partner's deposit: says what instead of refund", async (p) => {
  await deployWaitAndReadFail(p);
  // Bob's wallet puts his 4 TON in: the contract locks, unseen by Alice's node (still 'accepted')
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Parameters<Chain['deposit']>[0] } } }).ctx.o.wallet;
  await p.chain.deposit(bobWallet, contract, TON('4'));
  assert.equal((await p.chain.getChannelStatus(contract)).status, 'open');
  assert.equal(p.alice.currentChannel()!.phase, 'accepted');
  await assert.rejects(p.alice.decline(), (e: { message?: string }) => /leave with the deposits|withdraw instead/.test(e.message ?? '') && !/with refund/.test(e.message ?? ''));
  await until('Alice to take the lock', () => ['locked', 'open'].includes(p.alice.currentChannel()?.phase ?? ''));
});
