// A channel whose record.json is lost or corrupt while its journal is intact: the node rebuilds the record from
// the contract on chain and the journal, keeps guarding the money (a stale close is challenged) and says so.
// When it cannot rebuild it (the chain unreachable), the channel is listed as broken with what to do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { decodeRecordFile, encodeRecordFile } from '../../src/node/store/record.js';
import { faultyChain, type FaultyChain } from '../helpers/faults.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { PERIOD, payOne, restartFaulty, withPair } from '../helpers/reads.js';
import { TON, closePair, connect, fund, openPair, until, type Pair } from '../helpers/nodes.js';

/** A funded channel at step 3 (Bob got 1 TON at step 2); Bob stopped. Returns the channel's id and folder. */
async function bobStopped(p: Pair): Promise<{ id: string; dir: string }> {
  await fund(p);
  await payOne(p);
  const id = p.bob.currentChannel()!.id;
  await p.bob.stop();
  const folders = await readdir(join(p.dir, 'bob', 'channels'));
  assert.equal(folders.length, 1);
  return { id, dir: join(p.dir, 'bob', 'channels', folders[0]!) };
}

/** Starts Bob again on his folder (reads through `f` when given); collects his events from the start. */
async function restartBob(p: Pair, f?: FaultyChain, recoverAgainMs?: number): Promise<NodeEvent[]> {
  p.bob = await createNode({ ...p.common, ...(f ? { chain: f.chain } : {}), ...(recoverAgainMs ? { recoverAgainMs } : {}), dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const events: NodeEvent[] = [];
  p.bob.on((e) => events.push(e));
  return events;
}

const rebuilt = (events: NodeEvent[]) => events.flatMap((e) => (e.type === 'error' && /rebuilt from the contract on chain/.test(e.message) ? [e] : []))[0];

withPair('a deleted record.json is rebuilt from the contract and the journal: the channel is listed and a stale close is challenged', async (p) => {
  const { id, dir } = await bobStopped(p);
  await rm(join(dir, 'record.json'));
  const events = await restartBob(p);
  const v = p.bob.channel(id);
  assert.ok(v, `channel ${id} is listed (broken: ${JSON.stringify(p.bob.brokenChannels())})`);
  assert.deepEqual([v.phase, v.latest?.step, v.depositA, v.depositB], ['open', 3n, 3_000_000_000n, 4_000_000_000n]);
  assert.match(rebuilt(events)?.message ?? '', /record\.json was missing/);
  assert.deepEqual(p.bob.brokenChannels(), []);
  const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  assert.equal((await challenged).step, 3n);
  // The rebuilt record is on disk: a second restart needs no chain to list it.
  await p.bob.stop();
  await restartBob(p);
  assert.equal(p.bob.channel(id)?.phase, 'closing');
});

withPair('a corrupt record.json is kept beside a record rebuilt from the chain: a close made while the node was off is challenged', async (p) => {
  const { id, dir } = await bobStopped(p);
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  const file = join(dir, 'record.json');
  const bytes = await readFile(file);
  bytes[bytes.length - 20]! ^= 1;
  await writeFile(file, bytes);
  const events = await restartBob(p);
  const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
  const v = p.bob.channel(id);
  assert.ok(v, `channel ${id} is listed (broken: ${JSON.stringify(p.bob.brokenChannels())})`);
  assert.equal(v.phase, 'closing');
  assert.equal(v.closeStep, 0n);
  assert.equal(v.close?.byMe, false);
  assert.match(rebuilt(events)?.message ?? '', /corrupt/);
  assert.equal((await challenged).step, 3n);
  const kept = (await readdir(dir)).filter((n) => n.startsWith('record.json.corrupt-'));
  assert.equal(kept.length, 1, 'the corrupt record is kept beside the new one');
  assert.deepEqual(await readFile(join(dir, kept[0]!)), bytes);
  const closed = waitForEvent(p.bob, 'closed', () => true, 60_000);
  p.chain.advanceTime(PERIOD + 1);
  assert.equal((await closed).payout.step, 3n, 'paid by the latest state');
});

withPair('a lost record that cannot be rebuilt now (the chain unreachable) is listed as broken with what to do, and rebuilt on the next start', async (p) => {
  const { id, dir } = await bobStopped(p);
  await rm(join(dir, 'record.json'));
  const f = faultyChain(p.chain, [{ method: 'getChannelStatus', times: 10, error: 'ENDPOINT_UNREACHABLE' }]);
  await restartBob(p, f);
  const broken = p.bob.brokenChannels();
  assert.equal(broken.length, 1);
  assert.equal(join(p.dir, 'bob', 'channels', broken[0]!.id), dir);
  assert.match(broken[0]!.message, /record\.json is missing/);
  assert.match(broken[0]!.message, /the node tries again every minute while it runs/);
  assert.match(broken[0]!.message, /import/);
  await p.bob.stop();
  await restartBob(p);
  await until('the channel is listed', () => p.bob.channel(id));
  assert.equal(p.bob.channel(id)!.phase, 'open');
});

withPair('a lost record the chain could not rebuild at start-up is rebuilt once the chain answers, without a restart, and guarded', async (p) => {
  const { id, dir } = await bobStopped(p);
  await rm(join(dir, 'record.json'));
  const f = faultyChain(p.chain, [{ method: 'getChannelStatus', times: 3, error: 'ENDPOINT_UNREACHABLE' }]);
  await restartBob(p, f, 500);
  assert.equal(p.bob.brokenChannels().length, 1, 'broken while the chain does not answer');
  assert.equal(p.bob.brokenChannels()[0]!.retrying, true);
  assert.ok(!p.bob.channel(id));
  await until('rebuilt while running', () => p.bob.channel(id), 30_000);
  assert.deepEqual(p.bob.brokenChannels(), []);
  const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 30_000);
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  assert.equal((await challenged).step, 3n);
});

withPair('a channel rebuilt while its partner is connected asks the partner at once: it signs again, and the payment refused while it was broken is signed', async (p) => {
  const { id, dir } = await bobStopped(p);
  await rm(join(dir, 'record.json'));
  const fault = { method: 'getChannelStatus' as const, times: 1_000, error: 'ENDPOINT_UNREACHABLE' as const };
  await restartBob(p, faultyChain(p.chain, [fault]), 500);
  assert.equal(p.bob.brokenChannels()[0]?.retrying, true, 'broken while the chain does not answer');
  await connect(p.bob, p.alice); // Alice dials Bob: the session is up while the channel is broken
  const refused = waitForEvent(p.alice, 'error', (e) => e.code === 'UNKNOWN_CHANNEL');
  await p.alice.send(TON('0.5')); // step 4: Bob's node does not know the channel yet
  await refused;
  fault.times = 0; // the chain answers again: the next retry rebuilds the channel
  await until('rebuilt while running', () => p.bob.channel(id), 30_000);
  // a rebuilt record signs nothing until the partner confirms its latest state: asked now, not at a reconnect
  await until('the partner to confirm the latest state', () => p.bob.channel(id)?.restorePending === false, 20_000);
  await until('Bob signs the payment that came while the channel was broken', () => (p.bob.channel(id)?.latest?.step ?? 0n) >= 4n, 20_000);
});

withPair('a missing record beside an empty journal is still nothing to recover', async (p) => {
  await p.bob.stop();
  await mkdir(join(p.dir, 'bob', 'channels', '12345'), { recursive: true });
  const events = await restartBob(p);
  assert.deepEqual(p.bob.channels(), []);
  assert.deepEqual(p.bob.brokenChannels(), []);
  assert.deepEqual(events.filter((e) => e.type === 'error'), []);
});

withPair('a channel broken while the chain did not answer, then restored by import, is loaded once (one defense, one challenge)', async (p) => {
  await fund(p);
  const [folder] = await readdir(join(p.dir, 'bob', 'channels'));
  const dir = join(p.dir, 'bob', 'channels', folder!);
  const early = join(p.dir, 'early');
  // Bob's record says open once saved (after his stateSigned of step 0): copied when no write is under way
  const record = join(dir, 'record.json');
  await until("Bob's record saved as open", async () => (decodeRecordFile(await readFile(record), record) as { life: string }).life === 'open');
  await cp(dir, early, { recursive: true }); // Bob's folder at step 0
  await payOne(p);
  const backup = join(p.dir, 'bob.backup');
  await p.bob.exportBackup(backup);
  await p.bob.stop();
  await rm(dir, { recursive: true });
  await cp(early, dir, { recursive: true }); // an older copy of the folder, and its record lost
  await rm(join(dir, 'record.json'));
  const f = faultyChain(p.chain, [{ method: 'getChannelStatus', times: 3, error: 'ENDPOINT_UNREACHABLE' }]);
  await restartBob(p, f, 500);
  assert.equal(p.bob.brokenChannels()[0]?.retrying, true);
  await p.bob.importBackup(backup);
  assert.deepEqual(p.bob.brokenChannels(), [], 'restored: not broken any more');
  await new Promise((r) => setTimeout(r, 1_500)); // the retries' ticks
  const challenged: bigint[] = [];
  p.bob.on((e) => void (e.type === 'challenged' && e.byMe && challenged.push(e.step)));
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  await until('Bob challenges', () => challenged.length > 0, 30_000);
  await new Promise((r) => setTimeout(r, 1_500));
  // step 3, or 4 when Bob's restored channel took the turn already (Alice's empty state): his latest either way
  assert.deepEqual(challenged, [p.bob.currentChannel()!.latest!.step]);
  assert.ok(challenged[0]! >= 3n);
  assert.equal(f.calls.get('challenge'), 1, 'one defense');
});

withPair("a record a step behind its journal (a crash after step 0 was signed by both, before 'open' was saved) is open after the restart, and pays", async (p) => {
  await fund(p);
  await until('both at step 0', () => p.alice.currentChannel()?.latest?.step === 0n && p.bob.currentChannel()?.latest?.step === 0n);
  const id = p.bob.currentChannel()!.id;
  await p.bob.stop();
  const dir = join(p.dir, 'bob', 'channels', (await readdir(join(p.dir, 'bob', 'channels')))[0]!);
  const file = join(dir, 'record.json');
  const rec = decodeRecordFile(await readFile(file), file) as { life: string };
  rec.life = 'locked'; // what the crash left: the journal holds step 0 signed by both, the record the phase before
  await writeFile(file, encodeRecordFile(rec));
  await restartBob(p);
  const v = p.bob.channel(id)!;
  assert.equal(v.phase, 'open');
  assert.equal(v.actions.createEmpty.ok, true, 'the turn is Bob\'s: he passes it (or pays)');
  await until('reconnected', () => p.bob.partners().some((x) => x.online));
  const passed = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 1n, 20_000);
  await p.bob.createEmpty();
  await passed;
  // Saved: the next start needs no repair.
  await p.bob.stop();
  assert.equal((decodeRecordFile(await readFile(file), file) as { life: string }).life, 'open');
  await restartBob(p);
});

withPair("a rebuilt record waits for the partner's latest state before the node closes or signs at its journal's (it may be an older backup's)", async (p) => {
  const { id, dir } = await bobStopped(p);
  await p.alice.stop(); // the partner is away: nobody can tell Bob whether his journal is the latest
  await rm(join(dir, 'record.json'));
  await restartBob(p);
  const v = p.bob.channel(id)!;
  assert.equal(v.restorePending, true);
  await assert.rejects(p.bob.withdraw({ mode: 'unilateral' }), (e: { code?: string }) => e.code === 'RESTORE_PENDING');
  // The partner back: its answer settles it, and the channel is as before.
  p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  await connect(p.alice, p.bob);
  await until('the partner answered', () => p.bob.channel(id)?.restorePending === false);
  assert.equal(p.bob.channel(id)!.latest?.step, 3n);
});

test('a missing record beside a journal holding only the initial state as proposed (not signed by both yet) is rebuilt as locked: listed, and leave is possible', async () => {
  const p = await openPair({ challengePeriod: PERIOD, bob: { autoMode: false } });
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    const initial = waitForEvent(p.bob, 'stateReceived', (e) => e.state.step === 0n, 60_000);
    await p.bob.deposit();
    await initial; // Bob (by hand) has not signed it
    const id = p.alice.currentChannel()!.channelId;
    await p.alice.stop();
    await rm(join(p.dir, 'alice', 'channels', id, 'record.json'));
    p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    const v = p.alice.channel(id);
    assert.ok(v, `listed (broken: ${JSON.stringify(p.alice.brokenChannels())})`);
    assert.deepEqual([v.phase, v.latest, v.depositA, v.depositB], ['locked', null, TON('3'), TON('4')]);
    assert.equal(v.actions.exit.ok, true);
  } finally {
    await closePair(p);
  }
});

withPair("a node whose whole folder was lost still tells the person what its partner sends for the channel (its close): a backup can still be imported", async (p) => {
  await fund(p);
  await payOne(p);
  await p.bob.stop();
  await rm(join(p.dir, 'bob'), { recursive: true, force: true });
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const errors: string[] = [];
  p.bob.on((e: NodeEvent) => void (e.type === 'error' && errors.push(`${e.code}: ${e.message}`)));
  await connect(p.alice, p.bob);
  await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
  await until('Bob hears of the channel', () => errors.length > 0);
  assert.ok(errors.some((m) => /^UNKNOWN_CHANNEL/.test(m)), errors.join('\n'));
});

withPair("a corrupt record beside an empty journal (a channel still funding) is rebuilt from the contract its damaged text names: A's deposit can be taken back", async (p) => {
  const f = await restartFaulty(p, 'bob');
  await connect(p.alice, p.bob);
  f.inject({ method: 'deposit', error: 'INSUFFICIENT_FUNDS' }); // Bob's deposit is refused before it leaves
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await p.bob.deposit().catch(() => undefined);
  await until("deployed with A's deposit", () => p.alice.currentChannel()?.phase === 'funding' && p.alice.currentChannel()!.depositA > 0n, 60_000);
  const id = p.alice.currentChannel()!.id;
  await p.bob.stop();
  await p.alice.stop();
  const folders = await readdir(join(p.dir, 'alice', 'channels'));
  assert.equal(folders.length, 1);
  const dir = join(p.dir, 'alice', 'channels', folders[0]!);
  const file = join(dir, 'record.json');
  const bytes = await readFile(file);
  bytes[bytes.length - 20]! ^= 1;
  await writeFile(file, bytes);
  p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  const v = p.alice.channel(id);
  assert.ok(v, `channel ${id} is listed (broken: ${JSON.stringify(p.alice.brokenChannels())})`);
  assert.deepEqual([v.phase, v.depositA], ['funding', 3_000_000_000n]);
  assert.equal(v.actions.refund.ok, true);
  const r = await p.alice.refund({ channel: id });
  assert.equal(r.depositA, 0n, 'the deposit is back');
});

withPair('a stop while the retry reads the chain for a lost record ends that read: the node stops at once, tells nothing after, and the next start rebuilds the record', async (p) => {
  const { id, dir } = await bobStopped(p);
  await rm(join(dir, 'record.json'));
  // The chain is out of reach at the start (the channel is broken, tried again), then does not answer: a read of
  // an endpoint that accepts the connection and says nothing takes minutes (6 attempts of 15 s each, three times).
  let reads = 0;
  let readHangs!: () => void;
  const hanging = new Promise<void>((r) => (readHangs = r));
  const chain = new Proxy(p.chain, {
    get(t, k) {
      const v = Reflect.get(t, k) as unknown;
      if (k !== 'getChannelStatus' || typeof v !== 'function') return v;
      return async (address: unknown, o?: { signal?: AbortSignal }) => {
        if (++reads <= 3) throw new ChainError('ENDPOINT_UNREACHABLE', 'injected fault: the endpoint is out of reach');
        readHangs();
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, 30_000);
          timer.unref();
          o?.signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new ChainError('CANCELLED', 'the read was stopped'));
          });
        });
        return (v as (...a: unknown[]) => unknown).call(t, address, o);
      };
    },
  }) as Chain;
  p.bob = await createNode({ ...p.common, chain, recoverAgainMs: 100, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const events: NodeEvent[] = [];
  p.bob.on((e) => events.push(e));
  assert.equal(p.bob.brokenChannels()[0]?.retrying, true, 'broken while the chain does not answer');
  await hanging;
  const from = events.length;
  const began = Date.now();
  await p.bob.stop();
  const took = Date.now() - began;
  assert.ok(took < 5_000, `the stop took ${took} ms: it waited for the retry's read of the chain`);
  assert.deepEqual(events.slice(from).filter((e) => e.type === 'error'), [], 'nothing told after the stop');
  await restartBob(p);
  await until('the channel is rebuilt at the next start', () => p.bob.channel(id));
  assert.equal(p.bob.channel(id)!.phase, 'open');
});
