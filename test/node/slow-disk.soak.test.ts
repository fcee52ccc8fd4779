// A short soak of "machine ahead of disk": two nodes on the sandbox chain whose journal writes are acknowledged
// late (slow-disk.ts: in order, every write 0–300 ms late, or chosen steps 1 s late), driven by a seeded plan of
// sends and pays from either side, empty states, turn requests and signatures by hand, then a withdraw (once both
// agree, or by both at once). After each run both nodes hold the same states, the balances add up to the deposits,
// no call hung, the automatic pass came after every payment to a partner in automatic mode (and the turn after every
// turn request), stateSigned came once per step in step order, no state went to the chain before its sender's
// journal held it, and both are paid by the close state both signed.
// Replaying and exploring: SYNCHANNEL_SLOWDISK_SEEDS=<seed>[,<seed>…] (the profile is the seed modulo the
// profiles), _OPS (operations per run), _LAYER_MS (100: writes 0–300 ms late), _END (settled, both, racing: right
// after the last operation; mixed: any of them) and _DROPS (the chance that an operation drops the connections instead).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { waitForEvent, type ChannelView, type NodeEvent } from '../../src/node/index.js';
import { Rng } from '../soak/rng.js';
import { TON, closePair, openPair, until, type Pair, type TestNode } from '../helpers/nodes.js';
import { slowDisk, type Entry } from '../helpers/slow-disk.js';

type Side = 'alice' | 'bob';
type Profile = 'auto-random' | 'auto-steps' | 'bob-manual' | 'alice-manual' | 'auto-pairs';
const PROFILES: readonly Profile[] = ['auto-random', 'auto-steps', 'bob-manual', 'alice-manual', 'auto-pairs'];
const DEPOSIT = { alice: '3', bob: '4' };
const env = (name: string) => process.env[`SYNCHANNEL_SLOWDISK_${name}`];
const OPS = Number(env('OPS') ?? 20);
/** each of three layers of slow acknowledgments delays a write this long, with probability 1/2 */
const LAYER_MS = Number(env('LAYER_MS') ?? 100);
const END = (env('END') ?? 'mixed') as 'settled' | 'racing' | 'both' | 'mixed';
const DROPS = Number(env('DROPS') ?? 0);
/** refusals a call may answer with in a random plan (the turn, a state in flight, nothing to sign…): not failures */
const REFUSALS = new Set(['NOT_YOUR_TURN', 'PENDING_STATE', 'INSUFFICIENT_BALANCE', 'ALREADY_YOUR_TURN', 'NOTHING_TO_SIGN', ...(DROPS > 0 ? ['PARTNER_OFFLINE'] : [])]);
const WAIT_MS = 10_000;
/** a call that has not settled this long after its own wait hung */
const HANG_MS = WAIT_MS + 8_000;

const codeOf = (e: unknown) => (e as { code?: string }).code ?? 'NO_CODE';
const other = (s: Side): Side => (s === 'alice' ? 'bob' : 'alice');
const view = (n: TestNode): ChannelView => n.currentChannel()!;

interface Run {
  seed: number;
  profile: Profile;
  problems: string[];
  log: string[];
  counts: Record<string, number>;
  end?: string;
  /** a turn request of this side not yet answered: the state that answers it may be the partner's payment */
  asked: Record<Side, boolean>;
  /** turn requests each side made that the node took (requestEmpty ok) */
  requests: Record<Side, number>;
  /** when the plan last dropped the connections (ms; 0: never) */
  lastDrop: number;
}

/** Settles with the call's value or error, or says it hung. */
async function bounded<T>(what: string, p: Promise<T>, ms = HANG_MS): Promise<{ ok: true; v: T } | { ok: false; e: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} did not settle within ${ms} ms`), { code: 'HUNG' })), ms);
  });
  try {
    return { ok: true, v: await Promise.race([p, hung]) };
  } catch (e) {
    return { ok: false, e };
  } finally {
    clearTimeout(timer);
  }
}

/** Slow acknowledgments on one side: every write 0–300 ms late (in steps of 100 ms), or chosen steps 1 s late. */
async function slowSide(r: Rng, node: TestNode, id: string, kind: 'random' | 'steps', say: (s: string) => void): Promise<void> {
  if (kind === 'random') {
    // Layered: each layer delays a write by LAYER_MS with probability 1/2 (its own random source: the plan's stays put).
    const disk = new Rng(r.int(1, 1e9));
    for (let i = 0; i < 3; i++) await slowDisk(node, id, () => disk.chance(0.5), LAYER_MS);
    say(`every write 0–${3 * LAYER_MS} ms late`);
    return;
  }
  const steps = new Set<bigint>([0n, ...Array.from({ length: 4 }, () => BigInt(r.int(1, 12)))]);
  const kinds = r.pick([['committed'], ['staged'], ['committed', 'staged']]);
  await slowDisk(node, id, (e: Entry) => kinds.includes(e.kind) && steps.has(e.state.state.step), 1_000);
  say(`${kinds.join('+')} writes of steps ${[...steps].join(',')} 1 s late`);
}

/**
 * A person at a node in manual mode: signs what awaits them and answers turn requests, each after a moment. `stop`
 * resolves once the act under way (if any) is done: a withdraw of this node starts after it.
 */
function person(r: Rng, node: TestNode, run: Run, name: Side): { stop: () => Promise<void> } {
  let acting: Promise<void> | null = null;
  const tick = setInterval(() => {
    if (acting) return;
    const v = node.currentChannel();
    if (!v || v.phase !== 'open') return;
    const act = v.pending?.awaiting === 'me' ? 'sign' : v.turnRequestedByPartner && v.myTurn && !v.pending ? 'createEmpty' : null;
    if (!act) return;
    acting = new Promise<void>((res) => setTimeout(res, r.int(0, 600)))
      .then(() => bounded(`${name}'s person: ${act}`, act === 'sign' ? node.sign() : node.createEmpty()))
      .then((x) => {
        if (x.ok) run.counts[`person ${act}`] = (run.counts[`person ${act}`] ?? 0) + 1;
        else if (codeOf(x.e) === 'HUNG' || !REFUSALS.has(codeOf(x.e))) run.problems.push(`${name}'s person ${act}: ${codeOf(x.e)} ${(x.e as Error).message}`);
        acting = null;
      });
  }, 50);
  return {
    stop: async () => {
      clearInterval(tick);
      await acting;
    },
  };
}

/** The channel opened (A's proposal, B's deposit, state 0 signed by both) with the slow disks in place from the start. */
async function fundSlow(p: Pair, r: Rng, profile: Profile, run: Run, manual: Side | null, onDisk: Record<Side, Entry[]>, checks: Promise<void>[]): Promise<void> {
  const say = (side: Side) => (s: string) => run.log.push(`${side}: ${s}`);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const opened = await p.alice.open({ myDeposit: TON(DEPOSIT.alice), partnerDeposit: TON(DEPOSIT.bob) });
  await proposed;
  const id = opened.channelId;
  const kind = profile === 'auto-steps' ? 'steps' : 'random';
  const sides: Side[] = r.pick([['alice'], ['bob'], ['alice', 'bob']]);
  const signed = { alice: waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 0n, 60_000), bob: waitForEvent(p.bob, 'stateSigned', (e) => e.state.step === 0n, 60_000) };
  if (sides.includes('alice')) await slowSide(r, p.alice, id, kind, say('alice'));
  // Outermost: what each node was told is on disk (its states both signed), to compare with what goes to the chain.
  onDisk.alice = (await slowDisk(p.alice, id, (e) => e.kind === 'committed', 0)).acked;
  const deposit = p.bob.deposit();
  if (sides.includes('bob')) await slowSide(r, p.bob, id, kind, say('bob'));
  onDisk.bob = (await slowDisk(p.bob, id, (e) => e.kind === 'committed', 0)).acked;
  await deposit;
  if (manual === 'bob') {
    await waitForEvent(p.bob, 'stateReceived', (e) => e.state.step === 0n, 60_000);
    await p.bob.sign();
  }
  // Half the runs: Bob pays as soon as his side is open, while Alice's write of state 0 may still be under way (her
  // automatic pass must come all the same).
  if (r.chance(0.5)) {
    await signed.bob;
    const what = 'bob.send(50000000) as soon as state 0 is signed on his side';
    const x = await bounded(what, p.bob.send(TON('0.05'), { waitMs: WAIT_MS }));
    run.log.push(`${what}: ${x.ok ? `ok (step ${x.v.step}; alice ${view(p.alice).phase})` : codeOf(x.e)}`);
    if (!x.ok) run.problems.push(`${what}: ${codeOf(x.e)} ${(x.e as Error).message}`);
    else if (manual !== 'alice') {
      // awaited before any other operation: a state of Alice's own would hide a missing pass
      expectTurnBack(run, checks, p.bob, 'bob', what, x.v.step + 1n);
      await checks[checks.length - 1];
    }
  }
  await Promise.all([signed.alice, signed.bob]);
}

const PARTY: Record<Side, 'A' | 'B'> = { alice: 'A', bob: 'B' };
/** the first step after `after` that `side` creates (steps alternate: A makes the even ones) */
const nextOf = (side: Side, after: bigint): bigint => ((after + 1n) % 2n === 0n) === (PARTY[side] === 'A') ? after + 1n : after + 2n;

/**
 * Resolves once `came()` holds; rejects when it has not 8 s after the later of now and the last dropped
 * connection (a drop makes the nodes redial first, and the plan may drop them again and again meanwhile).
 */
async function cameInTime(run: Run, came: () => boolean): Promise<void> {
  const start = Date.now();
  while (!came()) {
    if (Date.now() - Math.max(start, run.lastDrop) > 8_000) throw new Error('not in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Checks that go on while the plan does: the partner in automatic mode passes the turn back after a payment, and
 * passes it when asked. Each condition only becomes true for good (steps only grow), so later operations cannot undo it.
 */
function expectTurnBack(run: Run, checks: Promise<void>[], node: TestNode, side: Side, what: string, partnerStep: bigint, payment = false): void {
  // A payee that asks for the turn before it countersigns the payment keeps the turn the payment gives it (a
  // request it makes later is refused, the turn being its own): then no pass is owed.
  const requests = run.requests[other(side)];
  const came = () => {
    const v = view(node);
    return v.latest!.step >= partnerStep || (v.pending?.awaiting === 'me' && v.pending.step >= partnerStep) || v.phase !== 'open';
  };
  checks.push(
    cameInTime(run, came).then(
      () => undefined,
      () => {
        const v = view(node);
        if (payment && run.requests[other(side)] > requests) return void run.log.push(`${what}: no pass, as ${other(side)} asked for the turn meanwhile`);
        run.problems.push(`${what}: the partner in automatic mode made no state ${partnerStep} within 8 s${run.lastDrop ? ' (of the last drop)' : ''} (${side} at step ${v.latest!.step}, myTurn ${v.myTurn}, pending ${v.pending?.step ?? '-'}/${v.pending?.awaiting ?? '-'})`);
      },
    ),
  );
}

type Op = 'send' | 'createEmpty' | 'requestEmpty' | 'sign' | 'pay';

function call(node: TestNode, op: Op, amount: bigint): Promise<unknown> {
  if (op === 'send') return node.send(amount, { waitMs: WAIT_MS });
  if (op === 'pay') return node.pay(amount);
  if (op === 'createEmpty') return node.createEmpty();
  if (op === 'requestEmpty') return node.requestEmpty();
  return node.sign();
}

/** One operation of the plan, started after a pause of 0–150 ms; resolves once the call settled. */
async function operate(p: Pair, r: Rng, run: Run, manual: Side | null, checks: Promise<void>[], tag = ''): Promise<void> {
  if (DROPS > 0 && r.chance(DROPS)) {
    const side = r.pick(['alice', 'bob'] as const);
    run.log.push(`${tag}${side} drops its connections`);
    run.counts.drop = (run.counts.drop ?? 0) + 1;
    run.lastDrop = Date.now();
    (p[side] as unknown as { node: { ctx: { o: { p2p: { dropConnections(): void } } } } }).node.ctx.o.p2p.dropConnections();
    return;
  }
  const op = r.pick<Op>(['send', 'send', 'send', 'createEmpty', 'requestEmpty', ...(manual ? (['sign'] as const) : (['pay'] as const))]);
  // Mostly the side that can do it now: the turn's holder proposes, the other asks for the turn.
  const proposes = op === 'send' || op === 'createEmpty' || op === 'pay';
  const turn: Side = view(p.alice).myTurn ? 'alice' : 'bob';
  const side: Side = op === 'sign' ? manual! : r.chance(0.75) ? (proposes ? turn : op === 'requestEmpty' ? other(turn) : turn) : r.pick(['alice', 'bob'] as const);
  const node = p[side];
  const partnerAuto = manual !== other(side);
  const amount = TON('0.01') * BigInt(r.int(1, 40));
  await new Promise((res) => setTimeout(res, r.int(0, 150)));
  const before = view(node).latest!.step;
  // A request is answered once its side holds the turn.
  for (const s of ['alice', 'bob'] as const) if (view(p[s]).myTurn) run.asked[s] = false;
  const what = `${tag}${side}.${op}${op === 'send' || op === 'pay' ? `(${amount})` : ''} at step ${before}`;
  const x = await bounded(what, call(node, op, amount));
  if (!x.ok) {
    const code = codeOf(x.e);
    run.log.push(`${what}: ${code}`);
    run.counts[`${op} refused`] = (run.counts[`${op} refused`] ?? 0) + 1;
    if (code === 'HUNG' || !REFUSALS.has(code)) run.problems.push(`${what}: ${code} ${(x.e as Error).message}`);
    return;
  }
  run.counts[`${op} ok`] = (run.counts[`${op} ok`] ?? 0) + 1;
  const step = (x.v as { step?: bigint } | undefined)?.step;
  run.log.push(`${what}: ok${step !== undefined ? ` (step ${step})` : ''}`);
  if (op === 'requestEmpty') {
    run.asked[side] = true;
    run.requests[side]++;
  }
  // A partner that asked for the turn keeps the one a payment gives it: no automatic pass then.
  const keeps = run.asked[other(side)];
  if (op === 'send' || op === 'pay' || op === 'createEmpty') run.asked[other(side)] = false;
  if (!partnerAuto) return;
  // A payment (send, pay) gets the automatic pass; a turn request gets the turn.
  if ((op === 'send' || op === 'pay') && !keeps) expectTurnBack(run, checks, node, side, what, step! + 1n, true);
  else if (op === 'requestEmpty') expectTurnBack(run, checks, node, side, what, nextOf(other(side), before));
}

/** Both nodes agree: same latest step, balances and history, nothing pending, balances adding up to the deposits. */
async function checkAgreed(p: Pair, run: Run, when: string): Promise<void> {
  const settled = () => {
    const a = view(p.alice);
    const b = view(p.bob);
    return a.latest!.step === b.latest!.step && !a.pending && !b.pending;
  };
  if (!(await until(`both settled ${when}`, settled, 15_000).then(() => true, () => false))) {
    const a = view(p.alice);
    const b = view(p.bob);
    run.problems.push(`${when}: not settled within 15 s (alice step ${a.latest!.step} pending ${a.pending?.step ?? '-'}/${a.pending?.awaiting ?? '-'}, bob step ${b.latest!.step} pending ${b.pending?.step ?? '-'}/${b.pending?.awaiting ?? '-'})`);
    return;
  }
  const a = view(p.alice).latest!;
  const b = view(p.bob).latest!;
  if (a.balanceA !== b.balanceA || a.balanceB !== b.balanceB || a.tag !== b.tag) run.problems.push(`${when}: alice holds ${a.step} ${a.tag} A ${a.balanceA} B ${a.balanceB}, bob ${b.step} ${b.tag} A ${b.balanceA} B ${b.balanceB}`);
  if (a.balanceA + a.balanceB !== TON(DEPOSIT.alice) + TON(DEPOSIT.bob)) run.problems.push(`${when}: balances ${a.balanceA} + ${a.balanceB} do not add up to the deposits`);
  const [ha, hb] = await Promise.all([p.alice.history(undefined, 0n, a.step + 1n), p.bob.history(undefined, 0n, b.step + 1n)]);
  const line = (s: { step: bigint; balanceA: bigint; sigA: string | null; sigB: string | null }) => `${s.step}:${s.balanceA}:${s.sigA}:${s.sigB}`;
  if (ha.length !== Number(a.step + 1n) || ha.map(line).join() !== hb.map(line).join()) run.problems.push(`${when}: the journals differ (alice ${ha.length} states, bob ${hb.length})`);
}

async function soak(seed: number): Promise<Run> {
  const profile = PROFILES[seed % PROFILES.length]!;
  const run: Run = { seed, profile, problems: [], log: [], counts: {}, asked: { alice: false, bob: false }, requests: { alice: 0, bob: 0 }, lastDrop: 0 };
  const r = new Rng(seed);
  const manual: Side | null = profile === 'bob-manual' ? 'bob' : profile === 'alice-manual' ? 'alice' : null;
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 8_000, ...(manual === 'alice' ? { autoMode: false, bob: { autoMode: true } } : manual === 'bob' ? { bob: { autoMode: false } } : {}) });
  const signed: Record<Side, bigint[]> = { alice: [], bob: [] };
  const errors: string[] = [];
  const offs = (['alice', 'bob'] as const).map((s) =>
    p[s].on((e: NodeEvent) => {
      if (e.type === 'stateSigned') signed[s].push(e.state.step);
      if (e.type === 'error') errors.push(`${s}: ${e.code} ${e.message}`);
    }),
  );
  let people: { stop: () => Promise<void> } | null = null;
  // Every state a node sends to the chain is one its journal holds (acknowledged), never one still being written.
  const onDisk: Record<Side, Entry[]> = { alice: [], bob: [] };
  const chain = p.chain as unknown as Record<string, (w: { address: { equals(a: unknown): boolean } }, c: unknown, s: { state: { step: bigint; tag: string } }, ...rest: unknown[]) => Promise<unknown>>;
  for (const op of ['cooperativeClose', 'startClose', 'challenge']) {
    const real = chain[op]!.bind(p.chain);
    chain[op] = (w, c, st, ...rest) => {
      const side: Side = w.address.equals(Address.parse(p.alice.getAccount())) ? 'alice' : 'bob';
      const held = onDisk[side].some((e) => e.state.state.step === st.state.step && e.state.state.tag === st.state.tag);
      run.log.push(`${side} sends ${op} with step ${st.state.step} (${st.state.tag})${held ? '' : ' NOT ON DISK'}`);
      if (!held) run.problems.push(`${side}: ${op} with step ${st.state.step} (${st.state.tag}) went to the chain before its journal held it`);
      return real(w, c, st, ...rest);
    };
  }
  const checks: Promise<void>[] = [];
  try {
    await fundSlow(p, r, profile, run, manual, onDisk, checks);
    if (manual) people = person(new Rng(seed * 7 + 1), p[manual], run, manual);
    for (let i = 0; i < OPS; i++) {
      // auto-pairs: two operations at once (a person and a script on either side), the second 0–150 ms later
      if (profile === 'auto-pairs') await Promise.all([operate(p, r, run, manual, checks, `${i}a `), operate(p, r, run, manual, checks, `${i}b `)]);
      else await operate(p, r, run, manual, checks, `${i} `);
    }
    // settled: the withdraw once both agree; both: both sides at once; racing: right after the last operation (a
    // turn request crossing a payment, a pass staged behind a countersignature: withdraw-races.test.ts).
    const end = END === 'mixed' ? r.pick(['settled', 'both', 'racing'] as const) : END;
    run.end = end;
    if (end !== 'racing') {
      await Promise.all(checks);
      await checkAgreed(p, run, 'before the withdraw');
    }
    // The person stops before their node withdraws (a sign of theirs racing it: withdraw-races.test.ts).
    await people?.stop();
    const first: Side = manual ?? (r.chance(0.5) ? 'alice' : 'bob');
    const who: Side[] = end === 'both' ? [first, other(first)] : [first];
    const ws = await Promise.all(who.map((s) => bounded(`${s}.withdraw`, p[s].withdraw({}), 30_000)));
    ws.forEach((w, i) => {
      const s = who[i]!;
      if (!w.ok) run.problems.push(`${s}.withdraw (${end}): ${codeOf(w.e)} ${(w.e as Error).message}`);
      else if (w.v.mode !== 'cooperative' || w.v.fellBack) run.problems.push(`${s}.withdraw (${end}): ${w.v.mode}${w.v.fellBack ? `, fell back (${w.v.fallbackReason})` : ''}`);
      run.log.push(`${s}.withdraw (${end}): ${w.ok ? `${w.v.mode} step ${w.v.step}` : codeOf(w.e)}`);
    });
    await Promise.all(checks);
    const closed = await until('both closed', () => view(p.alice).phase === 'closed' && view(p.bob).phase === 'closed', 20_000).then(() => true, () => false);
    if (!closed) run.problems.push(`after the withdraw: alice ${view(p.alice).phase}, bob ${view(p.bob).phase}`);
    await checkAgreed(p, run, 'after the withdraw');
    for (const s of ['alice', 'bob'] as const) {
      const v = view(p[s]);
      const l = v.latest!;
      if (l.tag !== 'close') run.problems.push(`${s}: the latest state after a cooperative withdraw is a ${l.tag} (step ${l.step})`);
      const po = v.payout;
      if (closed && (!po || po.step !== l.step || po.balanceA !== l.balanceA || po.balanceB !== l.balanceB || !po.matchesLatest)) {
        run.problems.push(`${s}: paid by ${po ? `step ${po.step} A ${po.balanceA} B ${po.balanceB} (matchesLatest ${po.matchesLatest})` : 'nothing'}, latest both signed ${l.step} A ${l.balanceA} B ${l.balanceB}`);
      }
      // stateSigned in step order, each step once, up to the close state
      const steps = signed[s];
      const ordered = steps.every((x, i) => x === BigInt(i));
      if (!ordered || steps.length !== Number(l.step + 1n)) run.problems.push(`${s}: stateSigned came for steps ${steps.join(',')} (latest ${l.step})`);
    }
  } catch (e) {
    run.problems.push(`run stopped: ${codeOf(e)} ${(e as Error).stack}`);
  } finally {
    await people?.stop();
    for (const off of offs) off();
    await closePair(p);
  }
  if (errors.length) run.log.push(...errors.map((e) => `error event: ${e}`));
  return run;
}

const SEEDS = (env('SEEDS') ?? '10,21,507,43,54').split(',').map(Number);

test(`slow journal acknowledgments (seeds ${SEEDS.join(',')}): both nodes agree, nothing hangs, the pass comes, the payout is the latest state`, { timeout: 90_000 * Math.max(1, Math.ceil(SEEDS.length / 5)) }, async (t) => {
  const failed: Run[] = [];
  for (const seed of SEEDS) {
    const t0 = Date.now();
    const run = await soak(seed);
    const counts = Object.entries(run.counts).map(([k, v]) => `${k} ${v}`).join(', ');
    t.diagnostic(`seed ${seed} (${run.profile}, withdraw ${run.end ?? '-'}) ${Date.now() - t0} ms: ${run.problems.length} problem(s); ${counts}`);
    if (run.problems.length) {
      failed.push(run);
      for (const l of run.log) t.diagnostic(`  ${l}`);
      for (const l of run.problems) t.diagnostic(`  PROBLEM ${l}`);
    }
  }
  assert.deepEqual(failed.map((r) => `${r.seed} (${r.profile}): ${r.problems.join(' | ')}`), []);
});
