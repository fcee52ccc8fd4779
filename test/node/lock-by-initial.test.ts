// B's channel may open with A's initial state before B's own watch reads the lock (B reads the chain when the state
// arrives, and signs it). The lock is told all the same, once, before the state signed, and its time is kept (the
// default channel is the latest locked); a CI run waited for B's channelLocked that never came.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cp, rm } from 'node:fs/promises';
import { Address } from '@ton/core';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import type { Wallet } from '../../src/chain/types.js';
import { faultyChain } from '../helpers/faults.js';
import { TON, closePair, connect, openPair, until, type Pair } from '../helpers/nodes.js';

type Writer = { writeDurable(bytes: Buffer, at: number): Promise<void> };
type Internals = { node: { ctx: { o: { wallet: Wallet }; channels: Map<string, { rec: { lockedAt: number | null; life: string }; storage: { writeRecord(r: unknown): Promise<void>; writer: Writer } }> } } };

/**
 * Bob, his watch reading once at its start and then not for ten minutes, funding with Alice's deposit in; `then`
 * runs before his 4 TON (the lock) go in from his wallet, not his node; resolves once he signed step 0.
 */
async function lockedByInitial(p: Pair, then: (inner: Internals['node']['ctx']) => void): Promise<void> {
  const f = faultyChain(p.chain);
  await p.bob.stop();
  p.bob = await createNode({ ...p.common, chain: f.chain, pollMs: 600_000, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await connect(p.alice, p.bob);
  f.inject({ method: 'deposit', error: 'ENDPOINT_UNREACHABLE' });
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await p.bob.deposit().catch(() => undefined);
  await until('Bob funding with Alice in', () => p.bob.currentChannel()?.phase === 'funding' && p.bob.currentChannel()?.depositA === TON('3'));
  const inner = (p.bob as unknown as Internals).node.ctx;
  then(inner);
  const initial = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 0n, 30_000);
  await p.chain.deposit(inner.o.wallet, Address.parse(p.bob.currentChannel()!.contract), TON('4'));
  await initial;
}

test("B signing A's initial state before its watch read the lock is told the lock once, before the state", async () => {
  const p = await openPair();
  try {
    const told: string[] = [];
    let inner!: Internals['node']['ctx'];
    await lockedByInitial(p, (i) => {
      inner = i;
      p.bob.on((e: NodeEvent) => void (e.type === 'channelLocked' ? told.push(e.type) : e.type === 'stateSigned' && told.push(`stateSigned ${e.state.step}`)));
    });
    assert.equal(p.bob.currentChannel()?.phase, 'open');
    await new Promise((r) => setTimeout(r, 300)); // nothing more is told of the lock
    assert.deepEqual(told, ['channelLocked', 'stateSigned 0']);
    assert.ok([...inner.channels.values()][0]!.rec.lockedAt !== null, 'the lock time is kept');
  } finally {
    await closePair(p);
  }
});

test('a node stopped after its journal took step 0 and before its record said open (a crash between the two) is not told the lock again at its next start', async () => {
  const p = await openPair();
  try {
    let locked = 0;
    let refused = 0;
    await lockedByInitial(p, (inner) => {
      p.bob.on((e: NodeEvent) => void (e.type === 'channelLocked' && locked++));
      // the record's save as open never reaches the disk: on disk, the record says funding, the journal holds step 0
      const storage = [...inner.channels.values()][0]!.storage;
      const write = storage.writeRecord.bind(storage);
      storage.writeRecord = (r: unknown) => ((r as { life: string }).life === 'open' ? (refused++, Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))) : write(r));
    });
    assert.equal(locked, 1, 'told once in the first run');
    assert.ok(refused > 0, "the record's save as open was tried (and refused)");
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    const again: NodeEvent[] = [];
    p.bob.on((e: NodeEvent) => void again.push(e)); // the first listener also gets the start's events
    await connect(p.alice, p.bob);
    await until('Bob reads the contract open', async () => p.bob.currentChannel()?.phase === 'open' && (await p.bob.balanceContract()) > 0n);
    await p.bob.send(TON('1'));
    await until('the payment signed by both', () => (p.alice.currentChannel()?.latest?.step ?? 0n) >= 1n);
    assert.deepEqual(again.filter((e) => e.type === 'channelLocked'), [], 'not told again');
  } finally {
    await closePair(p);
  }
});

test('B killed right after its journal took step 0 (its lock read as the state came): the lock is told once, before or after the restart', async () => {
  const p = await openPair();
  try {
    const told: NodeEvent[] = [];
    let crashed: Promise<void> | null = null;
    await lockedByInitial(p, (inner) => {
      p.bob.on((e: NodeEvent) => void (crashed === null && told.push(e)));
      // what a kill -9 leaves on disk once the journal's first write (step 0) is durable: a copy made then
      const writer = [...inner.channels.values()][0]!.storage.writer;
      const write = writer.writeDurable.bind(writer);
      writer.writeDurable = async (b, at) => {
        await write(b, at);
        crashed ??= cp(join(p.dir, 'bob'), join(p.dir, 'bob-killed'), { recursive: true, filter: (f) => !f.endsWith('synchannel.lock') });
        await crashed;
      };
    });
    await p.bob.stop();
    await rm(join(p.dir, 'bob'), { recursive: true });
    await cp(join(p.dir, 'bob-killed'), join(p.dir, 'bob'), { recursive: true });
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    p.bob.on((e: NodeEvent) => void told.push(e)); // the first listener also gets the start's events
    await connect(p.alice, p.bob);
    await until('Bob reads the contract open', async () => p.bob.currentChannel()?.phase === 'open' && (await p.bob.balanceContract()) > 0n);
    await p.bob.send(TON('1'));
    await until('the payment signed by both', () => (p.alice.currentChannel()?.latest?.step ?? 0n) >= 1n);
    assert.equal(told.filter((e) => e.type === 'channelLocked').length, 1, 'told once in all');
  } finally {
    await closePair(p);
  }
});
