// A node watching many channels on a rate-limited endpoint (test/node/many-channels.test.ts, bench/watch-budget.ts):
// two real nodes on a devnet on 127.0.0.1; Bob's chain goes through a limiter (toncenter's shape) and watches
// `channels - 1` more contracts beside his channel (a watch reads the same whether or not a contract is there).
// Alice, restarted without a connection to Bob (no hint), closes with a stale state and goes away: only Bob's watch
// can see it. Returns what was measured; throws if the challenge or the finish did not happen.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { startDevnet } from '../../src/chain/devnet/server.js';
import { TonClientChain } from '../../src/chain/index.js';
import { newKeyPair } from '../../src/core/signer.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { connect, TON, until, type Pair } from './nodes.js';
import { payOne } from './reads.js';
import { rateLimited } from './ratelimit.js';

export interface ManyResult {
  /** Bob's deposit (requested to done), s */
  depositS: number;
  /** requests a second Bob's node made at idle */
  idleRps: number;
  /** from the stale close landing to Bob's challenge landing, s */
  challengeS: number;
  /** from the window's end (the devnet's clock moved past it) to Bob's finish read, s */
  finishS: number;
  refused: number;
  served: number;
}

export async function manyChannels(o: { limit: number; channels: number; period: number; idleMs: number }): Promise<ManyResult> {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-many-'));
  const dn = await startDevnet({ dataDir: join(dir, 'devnet'), port: 0, log: () => undefined });
  const limiter = await rateLimited(dn.url, o.limit);
  const direct = new TonClientChain({ kind: 'devnet', endpoint: dn.url, txPollMs: 100 });
  const limited = new TonClientChain({ kind: 'devnet', endpoint: limiter.url, requestsPerSecond: o.limit });
  const keys = { alice: newKeyPair(), bob: newKeyPair() };
  const common = { network: 'devnet' as const, autoMode: true, challengePeriod: o.period };
  const aliceConfig = { ...common, chain: direct, pollMs: 200, dataDir: join(dir, 'alice'), key: { keyPair: keys.alice } };
  let alice = await createNode(aliceConfig);
  const bob = await createNode({ ...common, chain: limited, dataDir: join(dir, 'bob'), key: { keyPair: keys.bob } });
  const others = Array.from({ length: o.channels - 1 }, (_, i) => limited.watchChannel(new Address(0, Buffer.alloc(32, i + 1)), { onEvent: () => undefined }));
  const p = { alice, bob } as Pair;
  try {
    await alice.faucet(TON('20'));
    await bob.faucet(TON('20'));
    await connect(alice, bob);
    const proposed = waitForEvent(bob, 'channelProposed');
    await alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    const t0 = performance.now();
    const initial = waitForEvent(bob, 'stateReceived', (e) => e.state.step === 0n, 900_000);
    initial.catch(() => undefined); // awaited below, after the deposit
    await bob.deposit(); // behind the watches' reads
    const depositS = (performance.now() - t0) / 1000;
    await initial;
    await until('Alice signed step 0', () => alice.currentChannel()?.latest?.step === 0n, 60_000);
    await payOne(p);

    const idleFrom = performance.now();
    const before = limiter.served.length;
    await new Promise((r) => setTimeout(r, o.idleMs));
    const idleRps = ((limiter.served.length - before) * 1000) / (performance.now() - idleFrom);

    // Alice comes back alone (not connected: no hint reaches Bob), closes with step 0 (Bob holds 3), goes away.
    await alice.stop();
    alice = await createNode(aliceConfig);
    const challenged = waitForEvent(bob, 'challenged', (e) => e.byMe, o.period * 1000);
    await alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    const landed = performance.now();
    await alice.stop();
    assert.equal((await challenged).step, 3n);
    const challengeS = (performance.now() - landed) / 1000;

    const closed = waitForEvent(bob, 'closed', () => true, 300_000);
    await direct.advanceTime(o.period + 5);
    const over = performance.now();
    assert.equal((await closed).payout.step, 3n, 'paid by the latest state');
    return { depositS, idleRps, challengeS, finishS: (performance.now() - over) / 1000, refused: limiter.refused, served: limiter.served.length };
  } finally {
    for (const w of others) w.stop();
    await alice.stop().catch(() => undefined);
    await bob.stop().catch(() => undefined);
    await limited.close();
    await direct.close();
    await limiter.close();
    await dn.close();
    await rm(dir, { recursive: true, force: true });
  }
}
