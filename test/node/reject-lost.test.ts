// A decline (channel.reject) lost with its process: the session's outbox is in memory, and a restarted node's
// resync skipped ended channels, so the proposer (its deposit in the contract) was never told and waited. The
// node that declined sends it again after its restart, once the partner is connected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Address, type Message } from '@ton/core';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { REJECT_OWED_MS } from '../../src/node/policy.js';
import { decodeRecordFile, encodeRecordFile } from '../../src/node/store/record.js';
import { TON, closePair, connect, openPair, until, type Pair } from '../helpers/nodes.js';

/**
 * Alice proposes 3/1, Bob accepts and stops before his deposit, Alice deploys; then Alice goes offline, Bob declines
 * (the reject waits in the session's outbox) and stops with it unsent, as a kill -9 would leave it. Both start again.
 */
async function declinedUnsent(p: Pair): Promise<string> {
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('1') });
  await proposed;
  // Alice's deployment waits until Bob stopped waiting for it (his deposit never goes)
  let deployed: () => void = () => undefined;
  const held = new Promise<void>((r) => (deployed = r));
  const chain = p.chain as unknown as { sendExternal: (m: Message, s: AbortSignal) => Promise<void> };
  const send = chain.sendExternal.bind(p.chain);
  const wallet = Address.parse(p.alice.getAccount());
  chain.sendExternal = async (m, sig) => {
    if (m.info.type === 'external-in' && m.info.dest.equals(wallet)) await held;
    return send(m, sig);
  };
  const stop = new AbortController();
  const accepting = p.bob.deposit(undefined, { channel: view.channelId, signal: stop.signal }).catch(() => undefined);
  await until('the acceptance', () => p.bob.channel(view.channelId)?.phase !== 'proposed');
  stop.abort();
  await accepting;
  chain.sendExternal = send;
  deployed();
  const phases = () => `Alice ${p.alice.channel(view.channelId)?.phase}, Bob ${p.bob.channel(view.channelId)?.phase}`;
  await until("Alice's deployment, seen by both", () => p.bob.channel(view.channelId)?.phase === 'funding' && p.alice.channel(view.channelId)?.phase === 'funding', 60_000).catch((e: Error) => {
    throw new Error(`${e.message} (${phases()})`);
  });
  await p.alice.stop();
  await p.bob.decline({ channel: view.channelId });
  assert.equal(p.bob.channel(view.channelId)?.phase, 'rejected');
  await p.bob.stop();
  p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  assert.equal(p.alice.channel(view.channelId)?.phase, 'funding', 'Alice never heard the decline');
  assert.equal(p.alice.channel(view.channelId)?.actions.deposit.ok, false, 'her deposit is in');
  return view.channelId;
}

async function bobsRecord(p: Pair, channel: string): Promise<{ rejectOwed?: { reason: string; dialGivenUp?: true } }> {
  const file = join(p.dir, 'bob', 'channels', channel, 'record.json');
  return decodeRecordFile(await readFile(file), file) as { rejectOwed?: { reason: string; dialGivenUp?: true } };
}

test('a decline lost with its process (kill -9) reaches the proposer once both are back and connected', async () => {
  const p = await openPair();
  try {
    const channel = await declinedUnsent(p);
    const told = waitForEvent(p.alice, 'partnerDeclined', (e) => e.channel.channelId === channel, 30_000);
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await connect(p.alice, p.bob);
    const e = await told;
    assert.equal(e.next, 'refund', 'Alice takes her deposit back');
    assert.match(e.message, /your partner declined/);
    const deposit = p.alice.channel(channel)!.actions.deposit;
    assert.ok(!deposit.ok && deposit.code === 'PARTNER_DECLINED', 'nothing more of hers goes in');
  } finally {
    await closePair(p);
  }
});

test('the node that declined redials its partner after a restart until the decline is acknowledged (no live channel with them)', async () => {
  const p = await openPair();
  try {
    const channel = await declinedUnsent(p);
    const told = waitForEvent(p.alice, 'partnerDeclined', (e) => e.channel.channelId === channel, 30_000);
    // Bob dialled Alice: only his node can reconnect them
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await told;
    // acknowledged: owed no more (a restart neither sends it nor keeps dialling for it)
    await until('the decline acknowledged', async () => (await bobsRecord(p, channel)).rejectOwed === undefined);
    assert.equal(p.bob.channel(channel)?.phase, 'rejected');
  } finally {
    await closePair(p);
  }
});

test('a decline unacknowledged for over a day: the node says so once and stops dialling for it; sent when the partner connects', async () => {
  const p = await openPair();
  try {
    const channel = await declinedUnsent(p);
    // the decline was made a day and a minute ago (Bob was off since)
    const file = join(p.dir, 'bob', 'channels', channel, 'record.json');
    const rec = decodeRecordFile(await readFile(file), file) as { rejectOwed?: { reason: string; since?: number } };
    assert.equal(typeof rec.rejectOwed?.since, 'number', 'saved with the time of the decline');
    rec.rejectOwed!.since = Date.now() - REJECT_OWED_MS - 60_000;
    await writeFile(file, encodeRecordFile(rec));
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    const said = await waitForEvent(p.bob, 'log', (e) => /your decline of channel .* has not reached your partner/.test(e.message), 30_000);
    assert.match(said.message, /within 24 h: the node stops dialling them for it, and sends it if they connect \(nothing to do\)$/);
    await until('the give-up on disk', async () => (await bobsRecord(p, channel)).rejectOwed?.dialGivenUp === true);
    assert.ok(!p.bob.partners().some((x) => x.online), 'Bob does not dial Alice for it');
    assert.notEqual((p.alice.channel(channel)!.actions.deposit as { code?: string }).code, 'PARTNER_DECLINED', 'Alice has not heard it yet');
    // Alice connects (her channel is live): she hears it, and it is owed no more
    const told = waitForEvent(p.alice, 'partnerDeclined', (e) => e.channel.channelId === channel, 30_000);
    await connect(p.alice, p.bob);
    assert.equal((await told).next, 'refund');
    await until('the decline acknowledged', async () => (await bobsRecord(p, channel)).rejectOwed === undefined);
  } finally {
    await closePair(p);
  }
});
