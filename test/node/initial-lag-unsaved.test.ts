// B refused A's initial state (NOT_LOCKED) while its reads lagged behind the lock; when its watch then saw the lock,
// its record could not be saved (a full disk, for a moment): the failed transition ran none of the lock's effects,
// and the failure's path did not ask A for the initial state again. With both nodes still connected, the channel
// stayed unopened until a reconnect or the initial timer's exit. Two real nodes over loopback libp2p on one
// SandboxChain, Bob's reads lagging and his first save of the locked record failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { TON, closePair, connect, openPair, until } from '../helpers/nodes.js';
import { laggingChain } from '../helpers/lagging.js';

test('B refused the initial state before the lock and cannot save the lock: it still asks for the state, the channel opens', async () => {
  const p = await openPair({ initialTimeoutMs: 600_000 });
  try {
    const lagging = laggingChain(p.chain);
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, chain: lagging.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await connect(p.alice, p.bob);
    let reconnects = 0;
    p.alice.on((e) => void (e.type === 'partnerConnected' && reconnects++));
    p.bob.on((e) => void (e.type === 'partnerConnected' && reconnects++));
    reconnects = 0; // a first listener gets the start-up's events replayed

    const proposed = waitForEvent(p.bob, 'channelProposed');
    const refused = waitForEvent(p.bob, 'error', (e) => e.code === 'NOT_LOCKED', 60_000);
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    await p.bob.deposit();
    await refused;
    await until("Bob's watch saw the lock (held back by the lagging endpoint)", () => lagging.held.length > 0);
    assert.equal(p.bob.currentChannel()!.latest, null, 'no step 0 on Bob');

    // Bob's first save of the locked record fails (a full disk, for a moment).
    type Storage = { writeRecord(r: { life: string }): Promise<void> };
    const inner = p.bob.node as unknown as { ctx: { channels: Map<string, { storage: Storage | null }> } };
    const storage = [...inner.ctx.channels.values()][0]!.storage!;
    const write = storage.writeRecord.bind(storage);
    let failed = false;
    storage.writeRecord = async (r) => {
      if (r.life === 'locked' && !failed) {
        failed = true;
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'DISK_WRITE_FAILED' });
      }
      return write(r);
    };

    lagging.catchUp();
    await until("Bob's watch saw the lock, unsaved", () => failed && p.bob.currentChannel()?.phase !== 'funding');
    await until('the channel open on both sides', () => p.alice.currentChannel()?.phase === 'open' && p.bob.currentChannel()?.phase === 'open', 20_000);
    assert.equal(p.bob.currentChannel()!.latest?.step, 0n);
    assert.equal(reconnects, 0, 'no reconnect');
  } finally {
    await closePair(p);
  }
});
