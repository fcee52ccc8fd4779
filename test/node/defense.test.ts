// The defense raises the contract's step floor whenever a partner could still submit a state that pays us less than
// the latest: the window never moves, so a challenge in its last block cannot be answered. And a read of the close
// older than the one the channel saw (a lagging endpoint) changes nothing. Two real nodes on one SandboxChain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createNode, waitForEvent } from '../../src/node/index.js';
import type { StateView } from '../../src/node/types.js';
import type { NodeContext } from '../../src/node/context.js';
import { sign } from '../../src/core/signer.js';
import { stateHash } from '../../src/core/state.js';
import { faultyChain } from '../helpers/faults.js';
import { PERIOD, payOne, restartFaulty, withPair } from '../helpers/reads.js';
import { TON, closePair, connect, fund, latest, openPair, until, type Pair } from '../helpers/nodes.js';
import { exitOffered } from '../helpers/onway.js';

/** Steps 0..9; Bob has 4, 4, 5, 5, 5, 4, 4, 4, 5, 5 TON (A 3 / B 4 at first). */
async function upAndDown(p: Pair): Promise<StateView[]> {
  await fund(p);
  await payOne(p); // steps 1..3: B 5
  await p.bob.requestEmpty();
  await until('the turn is Bob’s', () => latest(p.bob).step === 4n && latest(p.alice).step === 4n);
  await p.bob.send(TON('1')); // step 5: B 4 (Alice passes back: 6)
  await until('Bob paid', () => latest(p.alice).step === 6n && latest(p.bob).step === 6n);
  await p.alice.requestEmpty();
  await until('the turn is Alice’s', () => latest(p.bob).step === 7n && latest(p.alice).step === 7n);
  await p.alice.send(TON('1')); // step 8: B 5 (Bob passes back: 9)
  await until('Alice paid', () => latest(p.bob).step === 9n && latest(p.alice).step === 9n);
  const all = await p.bob.showAll();
  assert.deepEqual(
    all.map((s) => s.balanceB),
    ['4', '4', '5', '5', '5', '4', '4', '4', '5', '5'].map((t) => TON(t)),
  );
  return all;
}

const sig = (h: string | null) => Buffer.from(h!, 'hex');

withPair('a stale close that pays us what the latest does is still challenged when a state between pays us less: a last-second challenge cannot take it', async (p) => {
  const all = await upAndDown(p);
  const contract = Address.parse(p.bob.currentChannel()!.contract);
  const raised = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
  const said: string[] = [];
  p.bob.on((e) => void (e.type === 'log' && e.level === 'warn' && said.push(e.message)));
  // Alice closes with step 2 (Bob 5, as the latest pays him); steps 5-7 pay him 4.
  const planned: (bigint | null)[] = [];
  p.bob.on((e) => void (e.type === 'channelUpdated' && e.channel.phase === 'closing' && planned.push(e.channel.close!.challengeWith)));
  await p.alice.withdraw({ step: 2n, mode: 'unilateral', confirmStale: true });
  assert.equal((await raised).step, 9n, 'Bob raises the floor to his latest state');
  assert.ok(planned.includes(9n), `Bob's view said which step his watcher challenges with: ${planned.join(',')}`);
  assert.equal(p.bob.currentChannel()!.close!.challengeWith, null, 'once the challenge is on chain, nothing more');
  assert.equal(p.alice.currentChannel()!.close?.challengeWith ?? null, null, 'Alice plans nothing');
  assert.ok(said.some((m) => /a state between the close on chain and step 9 pays you less, and your partner may submit it until the deadline: challenging with step 9 \(5 TON\)/.test(m)), said.join('\n'));
  assert.ok(!said.some((m) => /the close on chain pays you less/.test(m)), 'it does not pay Bob less');
  // Alice tries step 5 (Bob 4) in the last block of the window: the contract refuses it.
  p.chain.advanceTime(PERIOD - 3);
  const five = all[5]!;
  const aw = await p.chain.openWallet(p.keys.alice);
  await assert.rejects(
    p.chain.challenge(aw, contract, { state: { tag: 'state', channel: contract, step: 5n, balanceA: five.balanceA, balanceB: five.balanceB }, sigA: sig(five.sigA), sigB: sig(five.sigB) }),
    (e: Error & { code?: string }) => e.code === 'CONTRACT_REJECTED',
  );
  const closed = waitForEvent(p.bob, 'closed', () => true, 60_000);
  p.chain.advanceTime(5);
  const e = await closed;
  assert.deepEqual([e.payout.step, e.payoutB, e.payout.matchesLatest], [9n, TON('5'), true]);
});

withPair('a stale close with nothing worse for us between it and the latest is not challenged (no fee for nothing)', async (p) => {
  await upAndDown(p);
  const alice: string[] = [];
  const bob: string[] = [];
  p.alice.on((e) => void (e.type === 'challenged' && alice.push(String(e.step))));
  p.bob.on((e) => void (e.type === 'challenged' && bob.push(String(e.step))));
  // Step 8 pays Bob 5 as step 9 does, and nothing can follow it but step 9: Bob has nothing to fear. Alice has 2 at
  // both, and nothing between: neither node challenges.
  const seen = waitForEvent(p.bob, 'closeStarted', () => true, 30_000);
  await p.alice.withdraw({ step: 8n, mode: 'unilateral', confirmStale: true });
  await seen;
  await new Promise((r) => setTimeout(r, 2_000)); // 20 polls of both watches
  assert.deepEqual([alice, bob], [[], []]);
  assert.equal(p.bob.currentChannel()!.closeStep, 8n);
  // older than the latest, yet nothing to challenge: the views say so (the extension warns only then)
  assert.deepEqual([p.alice.currentChannel()!.close!.challengeWith, p.bob.currentChannel()!.close!.challengeWith], [null, null]);
});

withPair('a read of the close older than the one we saw (a lagging endpoint) changes nothing: no step rolled back, no second challenge', async (p) => {
  const f = await restartFaulty(p, 'bob');
  await connect(p.alice, p.bob);
  await fund(p);
  await payOne(p);
  const contract = Address.parse(p.bob.currentChannel()!.contract);
  const events: string[] = [];
  p.bob.on((e) => void ((e.type === 'closeStarted' || e.type === 'challenged' || e.type === 'challengeFailed') && events.push(`${e.type} ${'step' in e ? e.step : ''}`)));
  const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  const stale = await p.chain.getChannelStatus(contract); // closing, step 0
  assert.equal((await challenged).step, 3n);
  // From now on the endpoint answers the close as it was before Bob's challenge, four times.
  f.inject({ method: 'getChannelStatus', times: 4, value: stale });
  await until('a lagging read was taken', () => (f.injected.get('getChannelStatus') ?? 0) >= 1, 30_000);
  await new Promise((r) => setTimeout(r, 3_000)); // a retried challenge would come within 1 s
  assert.equal(p.bob.currentChannel()!.closeStep, 3n, 'the close on chain is step 3');
  assert.equal(f.calls.get('challenge'), 1, 'no second challenge (the contract refuses it: a fee)');
  assert.deepEqual(events, ['closeStarted 0', 'challenged 3']);
});

withPair('a record that cannot be written when a stale close appears (a full disk) does not stop the challenge', async (p) => {
  await fund(p);
  await payOne(p);
  const [folder] = await readdir(join(p.dir, 'bob', 'channels'));
  const record = join(p.dir, 'bob', 'channels', folder!, 'record.json');
  // A folder where the record goes: every write of it fails, as on a full disk (root ignores permissions).
  await rm(record);
  await mkdir(record);
  const failed = waitForEvent(p.bob, 'error', (e) => e.code === 'DISK_WRITE_FAILED', 30_000);
  const started = waitForEvent(p.bob, 'closeStarted', () => true, 30_000);
  const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  await failed;
  assert.equal((await challenged).step, 3n, 'the challenge needs nothing on disk');
  assert.equal((await started).step, 0n, 'the close is told too');
  await rmdir(record);
});

withPair('the local clock far ahead of the chain and one failed read of its time: the defense keeps trying until the chain says the window is over', async (p) => {
  const f = await restartFaulty(p, 'bob');
  await connect(p.alice, p.bob);
  await fund(p);
  await payOne(p);
  const realNow = Date.now;
  const JUMP = 2 * 86_400; // a resumed VM, a laptop out of sleep: this computer's clock is 2 days ahead of the chain's
  const shared = (p.chain as unknown as { shared: { offset: number } }).shared;
  try {
    shared.offset -= JUMP;
    Date.now = () => realNow() + JUMP * 1000;
    f.inject({ method: 'challenge', error: 'ENDPOINT_UNREACHABLE' });
    f.inject({ method: 'now', times: 3, error: 'ENDPOINT_UNREACHABLE' });
    const first = waitForEvent(p.bob, 'challengeFailed', () => true, 30_000);
    const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    const e = await first;
    assert.equal(e.stopped, null, 'not "too late" by this computer’s clock');
    assert.ok(e.nextRetryMs !== null);
    assert.equal((await challenged).step, 3n);
  } finally {
    Date.now = realNow;
    shared.offset += JUMP;
  }
});

withPair('caughtUp: once it settles after a start, a close made while the node was off is known (a one-shot CLI run stays to answer it)', async (p) => {
  await fund(p);
  await payOne(p);
  await p.bob.stop();
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await p.bob.caughtUp();
  assert.deepEqual(p.bob.channels().map((c) => c.phase), ['closing']);
});

withPair('caughtUp names the channels the chain could not be read for in time', async (p) => {
  await fund(p);
  const contract = p.bob.currentChannel()!.contract;
  await p.bob.stop();
  const slow = faultyChain(p.chain, [{ method: 'getChannelStatus', times: 5, value: new Promise(() => undefined) }]);
  p.bob = await createNode({ ...p.common, chain: slow.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  assert.deepEqual(await p.bob.caughtUp(300), [contract]);
});

// An endpoint out of reach fails each read at once: the channel was named as read (tried), and a piped run exited
// as if it had checked for a close made while the node was off.
withPair('caughtUp names the channels whose read failed, not only those still waiting for an answer', async (p) => {
  await fund(p);
  const contract = p.bob.currentChannel()!.contract;
  await p.bob.stop();
  const down = faultyChain(p.chain, [{ method: 'getChannelStatus', times: 1000, error: 'ENDPOINT_UNREACHABLE' }]);
  p.bob = await createNode({ ...p.common, chain: down.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  assert.deepEqual(await p.bob.caughtUp(1500), [contract]);
  assert.ok((down.injected.get('getChannelStatus') ?? 0) >= 1, 'the read was tried and failed');
});

withPair('states between that cannot be read (a damaged journal) raise the floor, and the log says they were not read', async (p) => {
  await upAndDown(p);
  const [folder] = await readdir(join(p.dir, 'bob', 'channels'));
  const journal = join(p.dir, 'bob', 'channels', folder!, 'journal.bin');
  const bytes = await readFile(journal);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01; // a record in the middle (steps 3 to 8)
  await writeFile(journal, bytes);
  const said: string[] = [];
  p.bob.on((e) => void (e.type === 'log' && e.level === 'warn' && said.push(e.message)));
  const raised = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
  await p.alice.withdraw({ step: 2n, mode: 'unilateral', confirmStale: true });
  assert.equal((await raised).step, 9n);
  assert.ok(said.some((m) => /the states between the close on chain and step 9 could not be read/.test(m)), said.join('\n'));
  assert.ok(!said.some((m) => /a state between the close on chain and step 9 pays you less/.test(m)), 'not known');
});

test('our own stale close that the partner challenged before our first read is told as a challenge, not as a close with the newer step', async () => {
  // Alice reads the chain every 2 s, Bob every 100 ms: Bob challenges before Alice's node first sees her close.
  const p = await openPair({ pollMs: 2000, bob: { pollMs: 100 } });
  try {
    await fund(p);
    await payOne(p);
    const head = latest(p.alice).step;
    const told: string[] = [];
    p.alice.on((e) => {
      if (e.type === 'closeStarted') told.push(`closeStarted ${e.step} byPartner=${e.byPartner}`);
      if (e.type === 'challenged') told.push(`challenged ${e.step} byMe=${e.byMe}`);
    });
    const r = await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    assert.equal(r.step, 0n);
    await until('Alice learns of the challenge', () => told.some((t) => t.startsWith('challenged')), 15_000);
    assert.deepEqual(told, [`closeStarted 0 byPartner=false`, `challenged ${head} byMe=false`]);
    assert.equal(p.alice.currentChannel()!.closeStep, head);
  } finally {
    await closePair(p);
  }
});

test('our own exit that the partner challenged (with step 0 signed by both) before our first read is told as our exit, then the challenge', async () => {
  const p = await openPair({ challengePeriod: 120, initialTimeoutMs: 1500, pollMs: 3000, bob: { autoMode: false, pollMs: 100 } });
  try {
    await exitOffered(p);
    const contract = Address.parse(p.alice.currentChannel()!.contract);
    const bobWallet = await p.chain.openWallet(p.keys.bob);
    const s0 = { tag: 'state' as const, channel: contract, step: 0n, balanceA: TON('3'), balanceB: TON('4') };
    const h = stateHash(s0);
    const both = { state: s0, sigA: sign(h, p.keys.alice.secretKey), sigB: sign(h, p.keys.bob.secretKey) };
    // Right after Alice's exit lands, Bob challenges it with step 0 (both signed).
    const chain = p.chain as unknown as { startExit: (...a: unknown[]) => Promise<unknown> };
    const real = chain.startExit.bind(p.chain);
    chain.startExit = async (...a: unknown[]) => {
      const r = await real(...a);
      await p.chain.challenge(bobWallet, contract, both);
      return r;
    };
    const told: string[] = [];
    p.alice.on((e) => {
      if (e.type === 'closeStarted') told.push(`closeStarted step=${e.step} byPartner=${e.byPartner}`);
      if (e.type === 'challenged') told.push(`challenged ${e.step} byMe=${e.byMe}`);
    });
    await p.alice.exit();
    await until('Alice is told of the challenge', () => told.some((t) => t.startsWith('challenged')), 15_000);
    assert.deepEqual(told, ['closeStarted step=null byPartner=false', 'challenged 0 byMe=false']);
  } finally {
    await closePair(p);
  }
});

/**
 * Bob's record lost on disk, then his backup imported (it restores the record). A save of the close under way (its
 * transition) may write the record again after the removal, and the import then keeps it: removed again, a few times.
 */
async function importLost(p: Pair, ch: string, backup: string): Promise<Awaited<ReturnType<Pair['bob']['importBackup']>>> {
  for (let i = 0; ; i++) {
    await rm(join(p.dir, 'bob', 'channels', ch, 'record.json'));
    const imp = await p.bob.importBackup(backup);
    if (imp.imported.length || i === 4 || !imp.kept.includes(ch)) return imp;
  }
}

withPair('a defense whose reading of the states between is cut short by an import is taken up by the reloaded channel: one challenge, by the new controller, no "could not be read", and a challenge asked for then says CHANNEL_RELOADED', async (p) => {
  await upAndDown(p);
  const backup = join(p.dir, 'bob.backup');
  await p.bob.exportBackup(backup);
  const ch = p.bob.currentChannel()!.channelId;
  // Bob's read of the states between the close and his latest waits until the import closed the storage.
  const ctx = (p.bob as unknown as { node: { ctx: NodeContext } }).node.ctx;
  const storage = ctx.channels.get(ch)!.storage!;
  let reached!: () => void;
  const reading = new Promise<void>((r) => (reached = r));
  let closed!: () => void;
  const isClosed = new Promise<void>((r) => (closed = r));
  const close = storage.close.bind(storage);
  storage.close = () => close().finally(closed);
  const read = storage.readStates.bind(storage);
  storage.readStates = async (from, to) => {
    if (from === 3n && to === 9n) {
      reached();
      await isClosed;
    }
    return read(from, to);
  };
  const challenges = { n: 0 };
  const chain = p.chain as unknown as { challenge: (...a: unknown[]) => Promise<unknown> };
  const real = chain.challenge.bind(p.chain);
  chain.challenge = (...a: unknown[]) => (challenges.n++, real(...a));
  const said: string[] = [];
  p.bob.on((e) => void (e.type === 'log' && e.level === 'warn' && said.push(e.message)));
  const raised = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 60_000);
  await p.alice.withdraw({ step: 2n, mode: 'unilateral', confirmStale: true }); // pays Bob 5, as his latest does
  await reading;
  // Bob asks for a challenge meanwhile: the old controller's defense takes it (its attempt is set).
  const watched = (p.bob as unknown as { node: { arbiter: { watched: Map<unknown, { attempt: unknown }> } } }).node.arbiter.watched;
  const asked = p.bob.challenge({ channel: ch }).catch((e: Error) => e);
  await until('the challenge asked for', () => [...watched.values()].some((x) => x.attempt !== null));
  const imp = await importLost(p, ch, backup);
  assert.deepEqual(imp.imported, [ch], JSON.stringify(imp, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)));
  assert.equal((await raised).step, 9n, 'the reloaded channel raises the floor to his latest state');
  assert.ok(ctx.channels.get(ch)!.storage !== storage, 'loaded again');
  assert.ok(!said.some((m) => /could not be read|failed \(/.test(m)), said.join('\n'));
  assert.equal(challenges.n, 1, 'one challenge: the dropped controller sends none');
  const e = (await asked) as Error & { code?: string };
  assert.equal(e.code, 'CHANNEL_RELOADED', `the challenge asked for on the dropped controller says it did not go on: ${String(e)}`);
});

withPair('a challenge asked for on a channel that an import loads again meanwhile says CHANNEL_RELOADED, not done', async (p) => {
  await fund(p);
  await payOne(p);
  const ch = p.bob.currentChannel()!.channelId;
  const raised = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  const step = (await raised).step;
  await until('Bob’s record has his challenge', () => p.bob.currentChannel()!.closeStep === step);
  await p.bob.caughtUp();
  const backup = join(p.dir, 'bob.backup');
  await p.bob.exportBackup(backup);
  // Bob's challenge reads the chain's clock first: held until the import loaded the channel again.
  const chain = p.chain as unknown as { now: (...a: unknown[]) => Promise<number> };
  const now = chain.now.bind(p.chain);
  let reached!: () => void;
  const reading = new Promise<void>((r) => (reached = r));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  chain.now = async (...a) => {
    reached();
    await held;
    return now(...a);
  };
  const asked = p.bob.challenge({ channel: ch }).catch((e: Error) => e);
  await reading;
  assert.deepEqual((await importLost(p, ch, backup)).imported, [ch]);
  release();
  chain.now = now;
  const e = (await asked) as Error & { code?: string };
  assert.equal(e.code, 'CHANNEL_RELOADED', String(e));
});
