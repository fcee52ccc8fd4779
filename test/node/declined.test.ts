// The partner declines a channel that cannot simply end here: a deployment of ours may still land (it was
// ended and no longer followed: the deposit that landed could not be refunded, also after a restart), or the
// contract exists and a deposit of ours would lock it with nobody to sign its states (the node said "it will not
// lock" and still deposited).
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import type { ChannelView } from '../../src/node/types.js';
import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { decodeRecordFile, encodeRecordFile } from '../../src/node/store/record.js';
import { restartFaulty, withPair } from '../helpers/reads.js';
import { TON, connect, until, type Pair } from '../helpers/nodes.js';

/** Restarts Alice's node on a chain whose deployChannel is `deploy` (the rest is the real chain). */
async function aliceDeploying(p: Pair, deploy: (real: Chain, ...a: Parameters<Chain['deployChannel']>) => ReturnType<Chain['deployChannel']>): Promise<void> {
  const chain = new Proxy(p.chain, {
    get(target, prop, receiver) {
      if (prop === 'deployChannel') return (...a: Parameters<Chain['deployChannel']>) => deploy(target, ...a);
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
  await p.alice.stop();
  p.alice = await createNode({ ...p.common, chain, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  await connect(p.alice, p.bob);
}

/** Alice's deployment is sent but "not seen in time" (TIMEOUT): it lands `lateMs` later. */
async function slowDeployer(p: Pair, lateMs: number): Promise<{ landed: () => boolean }> {
  let landed = false;
  await aliceDeploying(p, async (real, ...a) => {
    setTimeout(() => void real.deployChannel(a[0], a[1], a[2]).then(() => (landed = true)), lateMs).unref();
    throw new ChainError('TIMEOUT', 'injected: the deployment was not seen on chain in time', { sent: true });
  });
  return { landed: () => landed };
}

withPair("a partner's decline while my deployment may still land keeps the channel: once it lands, refund takes my deposit back", async (p) => {
  const slow = await slowDeployer(p, 1500);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('1') });
  await proposed;
  const timedOut = waitForEvent(p.alice, 'error', (e) => e.code === 'TIMEOUT', 30_000);
  void p.bob.deposit().catch(() => undefined); // accepts, then waits for the deployment
  await timedOut;
  assert.equal(p.alice.channel(view.channelId)!.phase, 'accepted');
  // the channel named as every view and command shows it: its contract address
  const told = waitForEvent(p.alice, 'log', (e) => e.message.startsWith(`your partner declined channel ${view.contract}, but your deployment`) && /may still land/.test(e.message), 30_000);
  const event = waitForEvent(p.alice, 'partnerDeclined', () => true, 30_000);
  await p.bob.decline();
  await told;
  const first = await event;
  assert.match(first.message, /your deployment .* may still land/, 'the UIs are told too');
  assert.equal(first.next, null, 'nothing to do yet: the node follows the contract');
  const landed = waitForEvent(p.alice, 'partnerDeclined', (e) => e.next === 'refund', 30_000);
  const kept = p.alice.channel(view.channelId)!;
  assert.notEqual(kept.phase, 'rejected', 'not ended: the deposit may land in it');
  assert.equal(kept.actions.deposit.ok ? '' : kept.actions.deposit.code, 'PARTNER_DECLINED', 'no second deployment for a declined channel');
  await until('the deployment landed', slow.landed);
  await until('Alice follows the contract', () => p.alice.channel(view.channelId)!.phase === 'funding');
  // once it landed, the UIs are told to take the deposit back (the first word had no action to offer)
  assert.equal((await landed).message, `your partner declined channel ${view.contract}, and your deployment landed with your deposit: take it back with refund`);
  assert.equal(p.alice.channel(view.channelId)!.depositA, TON('3'));
  assert.equal((await p.alice.refund({ channel: view.channelId })).depositA, 0n);
  const d = await p.chain.getChannelData(Address.parse(view.contract));
  assert.equal(d?.depositA, 0n);
});

withPair('after the partner declines a funding channel, no deposit of mine goes in (it would lock with nobody to sign), also after a restart', async (p) => {
  const f = await restartFaulty(p, 'bob');
  await connect(p.alice, p.bob);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('0'), partnerDeposit: TON('4') });
  await proposed;
  f.inject({ method: 'deposit', error: 'INSUFFICIENT_FUNDS' }); // refused before it left: Alice deploys alone
  await p.bob.deposit().catch(() => undefined);
  await until('both funding', () => p.alice.currentChannel()?.phase === 'funding' && p.bob.currentChannel()?.phase === 'funding');
  const told = waitForEvent(p.bob, 'log', (e) => /declined channel/.test(e.message), 30_000);
  await p.alice.decline();
  const said = (await told).message;
  assert.doesNotMatch(said, /it will not lock/, 'Alice expects nothing: a deposit of Bob would lock it');
  assert.match(said, /deposit/);
  const refused = (e: { code?: string }) => e.code === 'PARTNER_DECLINED';
  const deposits = f.calls.get('deposit') ?? 0;
  await assert.rejects(p.bob.deposit(), refused);
  assert.equal(f.calls.get('deposit') ?? 0, deposits, 'nothing sent');
  await restartFaulty(p, 'bob');
  const again = p.bob.currentChannel()!;
  assert.equal(again.actions.deposit.ok ? '' : again.actions.deposit.code, 'PARTNER_DECLINED');
  assert.equal(again.actions.decline.ok, true);
});

withPair("a channel kept after the partner's decline ends by itself once my deployment can no longer land (here: at a restart)", async (p) => {
  await slowDeployer(p, 60 * 60_000); // sent, never seen in this test
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('1') });
  await proposed;
  const timedOut = waitForEvent(p.alice, 'error', (e) => e.code === 'TIMEOUT', 30_000);
  void p.bob.deposit().catch(() => undefined);
  await timedOut;
  const told = waitForEvent(p.alice, 'log', (e) => /may still land/.test(e.message), 30_000);
  await p.bob.decline();
  await told;
  assert.equal(p.alice.channel(view.channelId)!.phase, 'accepted');
  // As if the wallet message's lifetime had passed while the node was off.
  await p.alice.stop();
  const file = join(p.dir, 'alice', 'channels', view.channelId, 'record.json');
  const rec = decodeRecordFile(await readFile(file), file) as { deploySentAt: number };
  rec.deploySentAt -= 60 * 60_000;
  await writeFile(file, encodeRecordFile(rec));
  p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  await until('ended', () => p.alice.channel(view.channelId)?.phase === 'rejected');
});

withPair("a partner's decline while my deployment is under way: after it fails, nothing more is deployed and the channel ends", async (p) => {
  // Alice's first deployment waits while Bob declines, then fails before it leaves (the wallet refused it).
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  let deploys = 0;
  await aliceDeploying(p, async () => {
    deploys++;
    await gate;
    throw new ChainError('WALLET_REJECTED', 'injected: the wallet refused the message');
  });
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('0') });
  await proposed;
  void p.bob.deposit().catch(() => undefined);
  await until('Alice deploying', () => p.alice.channel(view.channelId)!.phase === 'deploying');
  const told = waitForEvent(p.alice, 'log', (e) => /declined channel/.test(e.message), 30_000);
  await p.bob.decline();
  await told;
  release();
  // Nothing of Alice's can land (the wallet refused it): the channel ends, and no deposit deploys it again.
  await until('ended', () => p.alice.channel(view.channelId)?.phase === 'rejected');
  await assert.rejects(p.alice.deposit(undefined, { channel: view.channelId }));
  assert.equal(deploys, 1);
});

/** Alice's deployments are refused before they leave (she stays 'accepted'); she proposes, Bob has the proposal. */
async function aliceCannotDeploy(p: Pair): Promise<ChannelView> {
  await aliceDeploying(p, async () => {
    throw new ChainError('INSUFFICIENT_FUNDS', 'injected: the wallet cannot pay the deployment');
  });
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('1') });
  await proposed;
  return view;
}

withPair('a deposit that waited for the deployment and saw the proposal withdrawn says nothing was deposited', async (p) => {
  const view = await aliceCannotDeploy(p);
  const failed = waitForEvent(p.alice, 'error', (e) => e.code === 'INSUFFICIENT_FUNDS', 30_000);
  const deposit = p.bob.deposit(undefined, { channel: view.id });
  await failed;
  assert.equal(p.alice.channel(view.channelId)!.phase, 'accepted');
  await p.alice.decline({ channel: view.id });
  await assert.rejects(deposit, (e: Error & { code?: string }) => e.code === 'PARTNER_DECLINED' && /nothing was deposited/.test(e.message));
  assert.equal(p.bob.channel(view.channelId)!.phase, 'rejected');
  assert.equal(await p.chain.getBalance(Address.parse(view.contract)), 0n);
});

withPair('a deposit that waited and saw its own decline says so (not "withdrawn by your partner")', async (p) => {
  const view = await aliceCannotDeploy(p);
  const deposit = p.bob.deposit(undefined, { channel: view.id });
  await until('accepted', () => p.bob.channel(view.channelId)?.phase === 'accepted');
  await p.bob.decline({ channel: view.id });
  await assert.rejects(deposit, (e: Error & { code?: string }) => e.code === 'INVALID_TRANSITION' && /^you declined channel .*: nothing was deposited/.test(e.message));
});
