// A's deployment marked as sent and not on chain (the node was killed between the mark and the send, or the send
// failed without saying whether it went out): once it can no longer land, the node reads the chain and deploys
// again by itself; never while it may land, never when the contract appeared meanwhile.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFile, writeFile } from 'node:fs/promises';
import { Address } from '@ton/core';
import { ChainError } from '../../src/chain/errors.js';
import { WALLET_MESSAGE_TTL } from '../../src/chain/walletBasics.js';
import type { Chain } from '../../src/chain/types.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { DEPLOY_MAY_LAND_MS, DEPLOY_WAIT_MS } from '../../src/node/policy.js';
import { decodeRecordFile, encodeRecordFile } from '../../src/node/store/record.js';
import { withPair } from '../helpers/reads.js';
import { TON, connect, until, type Pair } from '../helpers/nodes.js';

type Deploy = Chain['deployChannel'];
/** Bob's deposit answers once both deposits are in: the contract locked (the channel opens once state 0 is signed). */
const locked = (phase: string) => phase === 'locked' || phase === 'open';
const setDeploy = (p: Pair, f: Deploy) => ((p.chain as { deployChannel: Deploy }).deployChannel = f);

/**
 * Alice proposes 3 / 4 TON, Bob accepts (his deposit waits for the contract), Alice's deployment is marked and
 * never leaves: her node stops there. Restarted with a mark whose validity ends `leftMs` later, deploying with
 * `then` (the real chain, counted). Returns Bob's deposit, the real deployChannel, the lost one's arguments, and
 * Alice's warnings.
 */
async function killedBeforeSend(p: Pair, leftMs: number, then?: Deploy) {
  const real = p.chain.deployChannel.bind(p.chain);
  let lost: Parameters<Deploy> | undefined;
  setDeploy(p, async (...a) => {
    await a[3]?.beforeSend?.({ validUntil: (await p.chain.now()) + WALLET_MESSAGE_TTL }); // signed: its expiry saved
    lost = a;
    return new Promise(() => undefined); // the process dies before the message leaves
  });
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const bob = p.bob.deposit().then((v) => v.phase);
  bob.catch(() => undefined);
  await until('Alice deploying', () => p.alice.currentChannel()?.phase === 'deploying' && lost);
  await p.alice.stop();
  const file = join(p.dir, 'alice', 'channels', view.channelId, 'record.json');
  const rec = decodeRecordFile(await readFile(file), file) as { life: string; deployValidUntil?: number; deployUnsigned?: true };
  assert.equal(rec.life, 'deploying');
  assert.ok(rec.deployValidUntil !== undefined && !rec.deployUnsigned, 'the mark of a signed message');
  // as if signed that long ago: it may land for leftMs more
  rec.deployValidUntil = (await p.chain.now()) + WALLET_MESSAGE_TTL - DEPLOY_MAY_LAND_MS / 1000 + leftMs / 1000;
  await writeFile(file, encodeRecordFile(rec));
  const { deploys, warnings } = await restartAlice(p, then ?? real);
  return { bob, real, lost: lost!, warnings, deploys, contract: Address.parse(view.contract) };
}

/** Alice's node started again on her folder, deploying with `deploy` (counted), connected to Bob; her warnings kept. */
async function restartAlice(p: Pair, deploy: Deploy): Promise<{ deploys: () => number; warnings: string[] }> {
  let deploys = 0;
  setDeploy(p, (...a) => (deploys++, deploy(...a)));
  const warnings: string[] = [];
  p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  p.alice.on((e) => void (e.type === 'log' && e.level === 'warn' && warnings.push(e.message)));
  await connect(p.alice, p.bob);
  return { deploys: () => deploys, warnings };
}

withPair('a deployment killed between its mark and its send is sent again by the node once it can no longer land', async (p) => {
  const k = await killedBeforeSend(p, 3_000);
  await until('Alice back in accepted', () => p.alice.currentChannel()?.phase === 'accepted');
  // While it may land, nothing is sent (deposit says so too).
  await assert.rejects(p.alice.deposit(), (e: { code?: string; message?: string }) => e.code === 'TIMEOUT' && /may still land/.test(e.message ?? ''));
  assert.equal(k.deploys(), 0);
  await until('the node deploys again by itself', () => k.warnings.some((m) => /did not land and can no longer: deploying the channel contract with your deposit again/.test(m)), 15_000);
  assert.ok(locked(await k.bob), "Bob's deposit went in: the contract locked");
  await until('Alice open', () => p.alice.currentChannel()?.phase === 'open', 30_000);
  assert.equal(k.deploys(), 1, 'deployed once more, by the node');
  const data = await p.chain.getChannelData(k.contract);
  assert.deepEqual([data?.depositA, data?.depositB], [TON('3'), TON('4')], "Alice's deposit paid once");
});

withPair('a deployment that appears after the restart, before its validity ends, is never sent again', async (p) => {
  const k = await killedBeforeSend(p, 2_000);
  await until('Alice back in accepted', () => p.alice.currentChannel()?.phase === 'accepted');
  await k.real(k.lost[0], k.lost[1], k.lost[2]); // the first deployment lands late (its message left the stopped node)
  assert.ok(locked(await k.bob));
  await until('Alice open', () => p.alice.currentChannel()?.phase === 'open', 30_000);
  await new Promise((r) => setTimeout(r, 2_500)); // past the check
  assert.equal(k.deploys(), 0, 'nothing sent again');
  assert.equal((await p.chain.getChannelData(k.contract))?.depositA, TON('3'));
});

withPair('a deployment sent again that the wallet refuses is reported as a failed deployment, and deposit retries it', async (p) => {
  const k = await killedBeforeSend(p, 0, () => Promise.reject(new ChainError('INSUFFICIENT_FUNDS', 'injected: the wallet has too little')));
  const failed = await waitForEvent(p.alice, 'error', (e) => e.code === 'INSUFFICIENT_FUNDS', 15_000);
  assert.match(failed.message, /deploying the channel failed: .*Run deposit to try again/);
  await new Promise((r) => setTimeout(r, 2_000));
  assert.equal(k.deploys(), 1, 'not tried again by itself');
  assert.equal(p.alice.currentChannel()!.phase, 'accepted');
  setDeploy(p, k.real);
  assert.equal((await p.alice.deposit()).depositA, TON('3'));
  assert.ok(locked(await k.bob));
});

withPair('a deployment whose send failed without saying whether it went out is sent again by the node once it can no longer land', async (p) => {
  const real = p.chain.deployChannel.bind(p.chain);
  const inner = p.alice.node as unknown as { ctx: { channels: Map<string, { rec: { deploySentAt?: number } }> } };
  let sent = 0;
  setDeploy(p, async (...a) => {
    if (++sent > 1) return real(...a);
    const rec = [...inner.ctx.channels.values()][0]!.rec;
    rec.deploySentAt! -= DEPLOY_MAY_LAND_MS - 2_000; // its validity ends 2 s from now
    throw new ChainError('TIMEOUT', 'injected: the deployment was not seen on chain in time', { sent: true });
  });
  const failed = waitForEvent(p.alice, 'error', (e) => e.code === 'TIMEOUT', 30_000);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const bob = p.bob.deposit().then((v) => v.phase);
  bob.catch(() => undefined); // awaited below
  assert.match((await failed).message, /may still land\. If it has not in \d+ minutes, the node deploys again by itself/);
  assert.ok(locked(await bob));
  await until('Alice open', () => p.alice.currentChannel()?.phase === 'open', 30_000);
  assert.equal(sent, 2);
  assert.equal((await p.chain.getChannelData(Address.parse(p.alice.currentChannel()!.contract)))?.depositA, TON('3'));
});

withPair('a stop after the acceptance is saved and before the deployment is marked: the restarted node deploys by itself', async (p) => {
  const real = p.chain.deployChannel.bind(p.chain);
  setDeploy(p, () => new Promise(() => undefined)); // never reached on disk: the copy below is taken before
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  // The record file as the acceptance's save left it: the disk at the instant before the deployment's mark.
  const file = join(p.dir, 'alice', 'channels', view.channelId, 'record.json');
  const inner = p.alice.node as unknown as { ctx: { channels: Map<string, { storage: { writeRecord(r: { life: string }): Promise<void> } }> } };
  const storage = inner.ctx.channels.get(view.channelId)!.storage;
  const write = storage.writeRecord.bind(storage);
  let atAccept: Buffer | undefined;
  storage.writeRecord = async (r) => {
    await write(r);
    if (r.life === 'accepted' && !atAccept) atAccept = await readFile(file);
  };
  const bob = p.bob.deposit().then((v) => v.phase);
  bob.catch(() => undefined);
  await until('Alice deploying', () => p.alice.currentChannel()?.phase === 'deploying' && atAccept);
  await p.alice.stop();
  await writeFile(file, atAccept!);
  const { deploys, warnings } = await restartAlice(p, real);
  assert.ok(locked(await bob), "Bob's deposit went in: the contract locked");
  await until('Alice open', () => p.alice.currentChannel()?.phase === 'open', 30_000);
  assert.equal(deploys(), 1, 'deployed once, by the restarted node');
  assert.ok(warnings.some((m) => /before its deployment was sent: deploying it now/.test(m)), warnings.join('\n'));
  const data = await p.chain.getChannelData(Address.parse(view.contract));
  assert.deepEqual([data?.depositA, data?.depositB], [TON('3'), TON('4')]);
});

test("B's deposit waits for the deployment longer than A's node takes to send a lost one again and see it land", () => {
  for (const [network, ms] of Object.entries(DEPLOY_WAIT_MS)) {
    assert.ok(ms >= DEPLOY_MAY_LAND_MS + 60_000, `${network}: waits ${ms / 1000} s; a lost deployment is sent again after ${DEPLOY_MAY_LAND_MS / 1000} s`);
  }
});

withPair('a stop while the deployment waits for its signature (its mark saved, nothing signed): the restarted node deploys at once, not after the wait for a message that may land', async (p) => {
  const real = p.chain.deployChannel.bind(p.chain);
  setDeploy(p, () => new Promise(() => undefined)); // the wallet never signs: nothing leaves
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const bob = p.bob.deposit().then((v) => v.phase);
  bob.catch(() => undefined);
  await until('Alice deploying', () => p.alice.currentChannel()?.phase === 'deploying');
  await p.alice.stop();
  const { deploys, warnings } = await restartAlice(p, real);
  await until('Alice deploys again', () => deploys() === 1, 60_000);
  assert.ok(!warnings.some((m) => /may still land/.test(m)), warnings.join('\n'));
  assert.ok(warnings.some((m) => /before its deployment was sent: deploying it now/.test(m)), warnings.join('\n'));
  assert.ok(locked(await bob), "Bob's deposit went in: the contract locked");
  const data = await p.chain.getChannelData(Address.parse(view.contract));
  assert.deepEqual([data?.depositA, data?.depositB], [TON('3'), TON('4')]);
});
