// B's channel may open with A's initial state before B's own watch reads the lock (B reads the chain when the state
// arrives, and signs it). The lock is told all the same, once, before the state signed, and its time is kept (the
// default channel is the latest locked); a CI run waited for B's channelLocked that never came.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import type { Wallet } from '../../src/chain/types.js';
import { faultyChain } from '../helpers/faults.js';
import { TON, closePair, connect, openPair, until } from '../helpers/nodes.js';

type Internals = { node: { ctx: { o: { wallet: Wallet }; channels: Map<string, { rec: { lockedAt: number | null } }> } } };

test("B signing A's initial state before its watch read the lock is told the lock once, before the state", async () => {
  const p = await openPair();
  try {
    // Bob's watch reads once at its start, then not for ten minutes; his node's deposits fail (his wallet pays)
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
    const told: string[] = [];
    p.bob.on((e: NodeEvent) => void (e.type === 'channelLocked' ? told.push(e.type) : e.type === 'stateSigned' && told.push(`stateSigned ${e.state.step}`)));
    const initial = waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 0n, 30_000);
    const inner = (p.bob as unknown as Internals).node.ctx;
    await p.chain.deposit(inner.o.wallet, Address.parse(p.bob.currentChannel()!.contract), TON('4'));
    await initial;
    assert.equal(p.bob.currentChannel()?.phase, 'open');
    await new Promise((r) => setTimeout(r, 300)); // nothing more is told of the lock
    assert.deepEqual(told, ['channelLocked', 'stateSigned 0']);
    assert.ok([...inner.channels.values()][0]!.rec.lockedAt !== null, 'the lock time is kept');
  } finally {
    await closePair(p);
  }
});
