// The chain's answers can lag (a load-balanced endpoint), fail, or come in an awkward order; none of that may end
// a defense or leave a close unfinished (deployments: deploy-reads.test.ts). Two real nodes on one SandboxChain,
// Bob's (or Alice's) reads of it going through a chain with injected faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { faultyChain } from '../helpers/faults.js';
import { PERIOD, payOne, restartFaulty, withPair } from '../helpers/reads.js';
import { TON, closePair, connect, fund, openPair, until, type Pair } from '../helpers/nodes.js';

/** Bob (off) misses Alice's unilateral close with the latest state; Alice goes off too; the window passes. */
async function closedWhileOff(p: Pair): Promise<void> {
  await fund(p);
  await payOne(p);
  await p.bob.stop();
  await p.alice.withdraw({ mode: 'unilateral' });
  await p.alice.stop();
  p.chain.advanceTime(PERIOD + 5);
}

withPair('a read that lags behind the close (the contract still open) does not end the defense', async (p) => {
  const f = await restartFaulty(p, 'bob');
  await connect(p.alice, p.bob);
  await fund(p);
  await payOne(p);
  const contract = Address.parse(p.bob.currentChannel()!.contract);
  // A lagging endpoint answers the contract as it was before the close, three times.
  f.inject({ method: 'getChannelStatus', times: 3, value: await p.chain.getChannelStatus(contract) });
  const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  assert.equal((await challenged).step, 3n);
  const closed = waitForEvent(p.bob, 'closed', () => true, 60_000);
  p.chain.advanceTime(PERIOD + 1);
  const e = await closed;
  assert.equal(e.payout.step, 3n, 'paid by the latest state');
  assert.ok(e.payout.matchesLatest);
});

withPair('a node back after the deadline finishes the close, even when the watch saw the deadline before the close', async (p) => {
  await closedWhileOff(p);
  // Bob's watch reads the close and its passed deadline at once, beside the start-up's catch-up read.
  const f = faultyChain(p.chain);
  p.bob = await createNode({ ...p.common, chain: f.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await until('Bob finished the close', () => (f.calls.get('finishClose') ?? 0) > 0 && p.bob.currentChannel()?.phase === 'closed', 30_000);
  assert.equal(p.bob.currentChannel()!.payout?.step, 3n);
  // A closed channel, read again after a restart, has no time left in a window (the chain clock moved ahead).
  await p.bob.stop();
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  assert.equal(p.bob.currentChannel()!.close?.secondsLeft, 0);
});

withPair('a failed finish followed by an empty read is retried until the close is finished', async (p) => {
  const f = await restartFaulty(p, 'bob');
  await connect(p.alice, p.bob);
  await fund(p);
  await payOne(p);
  await p.alice.withdraw({ mode: 'unilateral' });
  await until('Bob sees the close', () => p.bob.currentChannel()?.phase === 'closing', 30_000);
  await p.alice.stop(); // Bob's node must finish alone
  f.inject({ method: 'finishClose', error: 'ENDPOINT_UNREACHABLE' });
  f.inject({ method: 'getChannelStatus', value: { status: 'not_deployed', balance: 0n } });
  p.chain.advanceTime(PERIOD + 5);
  await until('Bob finished the close', () => p.bob.currentChannel()?.phase === 'closed', 30_000);
  assert.equal(f.calls.get('finishClose'), 2);
});

withPair('after a restart, a read that lags behind the lock neither lower the deposits nor report them again', async (p) => {
  await fund(p);
  const contract = Address.parse(p.bob.currentChannel()!.contract);
  const open = await p.chain.getChannelStatus(contract);
  assert.equal(open.status, 'open');
  const stale = { status: 'funding' as const, balance: open.balance, data: { ...(open as { data: object }).data, phase: 'funding', depositB: 0n } };
  // The start-up's catch-up read lags (the watch reads the chain itself, and sees it open).
  const f = faultyChain(p.chain, [{ method: 'getChannelStatus', times: 1, value: stale }]);
  await p.bob.stop();
  const seen: string[] = [];
  p.bob = await createNode({ ...p.common, chain: f.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  p.bob.on((e) => {
    if (e.type === 'depositSeen' || e.type === 'channelLocked') seen.push(e.type);
  });
  await until('the stale read was served', () => f.injected.get('getChannelStatus') === 1);
  await new Promise((r) => setTimeout(r, 1000)); // the watch polls every 100 ms
  const v = p.bob.currentChannel()!;
  assert.deepEqual([v.phase, v.depositA, v.depositB], ['open', TON('3'), TON('4')]);
  assert.deepEqual(seen, [], 'nothing reported again');
});

withPair('a restart whose catch-up read fails still defends against a close made while the node was off', async (p) => {
  await fund(p);
  await payOne(p);
  await p.bob.stop();
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  await p.alice.stop(); // no hint from the partner: only the chain tells Bob
  const f = faultyChain(p.chain, [{ method: 'getChannelStatus', error: 'ENDPOINT_UNREACHABLE' }]);
  p.bob = await createNode({ ...p.common, chain: f.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
  assert.equal((await challenged).step, 3n);
  assert.equal(f.injected.get('getChannelStatus'), 1);
});

withPair('a paid-out channel whose payout transaction is buried under later messages is read deeper, and takes no more payments', async (p) => {
  await fund(p);
  await payOne(p);
  await p.bob.stop();
  await cp(join(p.dir, 'bob', 'channels'), join(p.dir, 'bob-open'), { recursive: true }); // Bob's channel, open
  await p.alice.withdraw({ mode: 'unilateral' });
  p.chain.advanceTime(PERIOD + 5);
  await until('Alice finished the close', () => p.alice.currentChannel()?.phase === 'closed', 30_000);
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  // Anyone may send the closed contract messages (each refused, each a transaction): 201 hide the payout.
  for (let i = 0; i < 201; i++) await p.chain.fund(contract, TON('0.001'));
  assert.ok(await p.chain.getPayout(contract).then((r) => r !== null && 'buried' in r), 'buried beyond the watch\'s depth');
  assert.ok(await p.chain.getPayout(contract, { deep: true }), 'found deeper');
  // Bob's start-up looks deeper and finds it.
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await until('Bob read the payout', () => p.bob.currentChannel()?.phase === 'closed');
  assert.equal(p.bob.currentChannel()!.payout?.step, 3n);
  // Deeper still (an endpoint that keeps no older transactions): no payout found, and no payment either.
  await p.bob.stop();
  await rm(join(p.dir, 'bob', 'channels'), { recursive: true });
  await cp(join(p.dir, 'bob-open'), join(p.dir, 'bob', 'channels'), { recursive: true });
  const f = faultyChain(p.chain, [{ method: 'getPayout', times: 1000, value: null }]);
  p.bob = await createNode({ ...p.common, chain: f.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const told = waitForEvent(p.bob, 'error', (e) => /paid out/.test(e.message), 30_000);
  assert.match((await told).message, /paid out by step 3/);
  const v = p.bob.currentChannel()!;
  assert.equal(v.actions.send.ok, false, 'no payment in a channel that paid out');
  assert.equal(v.actions.withdraw.ok, false);
});

withPair('challenge typed while a failed challenge waits for its retry tries again now, and says how it went', async (p) => {
  const f = await restartFaulty(p, 'bob');
  await connect(p.alice, p.bob);
  await fund(p);
  await payOne(p);
  f.inject({ method: 'challenge', times: 2, error: 'ENDPOINT_UNREACHABLE' });
  const failed = waitForEvent(p.bob, 'challengeFailed', () => true, 30_000);
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  await failed; // the retry sleeps now (1 s, then 2 s)
  await assert.rejects(p.bob.challenge(), (e: { code?: string }) => e.code === 'ENDPOINT_UNREACHABLE', 'the second attempt, now, and its error');
  assert.equal(f.calls.get('challenge'), 2);
  const v = await p.bob.challenge();
  assert.equal(f.calls.get('challenge'), 3, 'tried at once');
  assert.equal(v.closeStep, 3n);
});

withPair('finish typed right after a restart, before the watch has read the chain, goes by the chain clock', async (p) => {
  await closedWhileOff(p);
  // A watch that has not read anything yet (on testnet its reads wait behind operations).
  const chain = new Proxy(p.chain, {
    get(t, prop) {
      if (prop === 'watchChannel') return () => ({ stop: () => undefined });
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  p.bob = await createNode({ ...p.common, chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await until('Bob read the close', () => p.bob.currentChannel()?.phase === 'closing');
  await p.bob.finish();
  await until('Bob finished the close', () => p.bob.currentChannel()?.phase === 'closed');
});

test('the defense does not wait for the chain clock, and a challenge that landed after its wait failed is ours', async () => {
  const p = await openPair({ challengePeriod: PERIOD });
  let release: () => void = () => undefined;
  try {
    await fund(p);
    await payOne(p);
    const chain = p.chain as unknown as { now: () => Promise<number>; challenge: (...a: unknown[]) => Promise<unknown> };
    const now = chain.now.bind(p.chain);
    const challenge = chain.challenge.bind(p.chain);
    const slow = new Promise<void>((r) => (release = r));
    chain.now = async () => {
      await slow; // a slow endpoint
      return now();
    };
    let failOnce = true;
    chain.challenge = async (...a: unknown[]) => {
      await challenge(...a);
      if (!failOnce) return;
      failOnce = false;
      throw Object.assign(new Error('injected: the wait for the challenge timed out'), { code: 'TIMEOUT', sent: true });
    };
    const seen: { step: bigint; byMe: boolean }[] = [];
    p.bob.on((e) => {
      if (e.type === 'challenged') seen.push({ step: e.step, byMe: e.byMe });
    });
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    await until('the challenge landed', async () => (await p.chain.getChannelData(Address.parse(p.bob.currentChannel()!.contract)))?.storedState?.step === 3n);
    release();
    await until('Bob saw it', () => seen.length > 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(seen, [{ step: 3n, byMe: true }]);
  } finally {
    release();
    await closePair(p);
  }
});

test('a read cut short by the node stopping is not reported as a failure', async () => {
  const p = await openPair({ challengePeriod: PERIOD });
  try {
    await fund(p);
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    (p.chain as unknown as { getChannelStatus: () => Promise<unknown> }).getChannelStatus = async () => {
      await held;
      throw Object.assign(new Error('this chain object was closed: create a new one'), { code: 'CLOSED' });
    };
    const warned: string[] = [];
    p.alice.on((e) => e.type === 'log' && e.level === 'warn' && warned.push(e.message));
    const inner = p.alice.node as unknown as { arbiter: { poke(c: unknown): Promise<void> }; ctx: { channels: Map<string, unknown> } };
    const read = inner.arbiter.poke([...inner.ctx.channels.values()][0]);
    await p.alice.stop();
    release();
    await read;
    assert.deepEqual(warned.filter((m) => /reading/.test(m)), []);
  } finally {
    await closePair(p);
  }
});

test('a payout by a step newer than the node holds (restored from an older copy) is not told as a stale close, nor as the latest', async () => {
  const p = await openPair({ challengePeriod: PERIOD });
  try {
    await fund(p);
    await p.bob.stop();
    await cp(join(p.dir, 'bob'), join(p.dir, 'bob-old'), { recursive: true });
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await connect(p.alice, p.bob);
    await payOne(p);
    const r = await p.alice.withdraw({});
    assert.equal(r.mode, 'cooperative');
    await p.bob.stop();
    await rm(join(p.dir, 'bob'), { recursive: true, force: true });
    await cp(join(p.dir, 'bob-old'), join(p.dir, 'bob'), { recursive: true });
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    const closed = await waitForEvent(p.bob, 'closed', () => true, 30_000);
    assert.ok(closed.payout.step! > closed.payout.latestStep!, 'paid by a state this copy does not hold');
    assert.equal(closed.payout.matchesLatest, null, 'not a stale close, and not known to be the latest: this copy may miss later states');
  } finally {
    await closePair(p);
  }
});

withPair('a watch that fails on every poll (a devnet reset under it, an endpoint down) says so once a minute, not on every poll', async (p) => {
  await fund(p);
  await p.bob.stop();
  // Bob's watch reports the same failure every 20 ms.
  const noisy = new Proxy(p.chain, {
    get(target, prop, receiver) {
      if (prop === 'watchChannel') {
        return (_c: unknown, o: { onError?: (e: Error) => void }) => {
          const t = setInterval(() => o.onError?.(new Error('the channel account reads as not deployed after it was live (a lagging endpoint?): reading again')), 20);
          return { stop: () => clearInterval(t) };
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  p.bob = await createNode({ ...p.common, chain: noisy, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const warned: string[] = [];
  p.bob.on((e) => void (e.type === 'log' && /^watching /.test(e.message) && warned.push(e.message)));
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(warned.length, 1, `${warned.length} lines in 1.5 s`);
  assert.match(warned[0]!, /reads as not deployed after it was live/);
});

withPair('a watch whose reads fail and then succeed says so once: a warning, then the all-clear', async (p) => {
  await fund(p);
  const warned: string[] = [];
  p.bob.on((e) => void (e.type === 'log' && /^watching /.test(e.message) && warned.push(`${e.level}: ${e.message}`)));
  const chain = p.chain as unknown as { getChannelStatus: (...a: unknown[]) => Promise<unknown> };
  const real = chain.getChannelStatus.bind(p.chain);
  let failing = true;
  // The endpoint is down for a while, then answers again.
  chain.getChannelStatus = (...a) => (failing ? Promise.reject(new Error('fetch failed (the endpoint is down)')) : real(...a));
  try {
    await until('Bob warned', () => warned.length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    failing = false;
    await until('Bob gave the all-clear', () => warned.length > 1, 10_000);
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    chain.getChannelStatus = real;
  }
  assert.equal(warned.length, 2, warned.join('\n'));
  assert.match(warned[0]!, /^warn: watching .*fetch failed \(the endpoint is down\) \(retrying\)$/);
  assert.match(warned[1]!, /^warn: watching .*: the chain reads as expected again \(the warning is over\)$/);
});
