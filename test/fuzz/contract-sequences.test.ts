// Property test of the compiled channel contract (@ton/sandbox): random sequences of every op from A, B and a
// stranger, bounceable or not, with too little or plenty of value, states both signed at any step, tag and split,
// and time moving on. After each message: every coin the contract sends goes to A, B or that message's sender; a
// stranger and a non-payout op get back at most what they sent; while funding the deposits are what the accepted
// deposits and refunds say, and after the lock they never change; a payout gives each party at least its balance in
// what was paid; a closed record never changes. After the sequence both can still leave: every deposit comes back,
// or the channel pays out and holds nothing. A failure prints fast-check's seed (rerun with CONTRACT_SEQ_SEED).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Cell, beginCell, toNano, type Address } from '@ton/core';
import type { BlockchainTransaction, SandboxContract, TreasuryContract } from '@ton/sandbox';
import {
  DEPOSIT_FEE, OP_PAID_A, OP_PAID_B, challengeBody, cooperativeCloseBody, depositBody, exitBody, finishCloseBody, refundBody, startCloseBody, topUpBody,
} from '../../src/contract/index.js';
import { PERIOD, dest, expectOk, makeWorld, signBoth, st, tagOf, type World } from '../contract/helpers.js';

type Who = 'A' | 'B' | 'S';
type Kind = 'deposit' | 'refund' | 'top_up' | 'plain' | 'exit' | 'finish' | 'start' | 'challenge' | 'coop' | 'junk';
interface Send { kind: Kind; who: Who; value: bigint; bounce: boolean; amount: bigint; step: bigint; pctA: bigint; close: boolean }
type Act = Send | { kind: 'time'; dt: number };

const DEP = toNano('1');
const runs = Number(process.env.CONTRACT_SEQ_RUNS ?? 25);
const seed = process.env.CONTRACT_SEQ_SEED === undefined ? undefined : Number(process.env.CONTRACT_SEQ_SEED);

const sendArb: fc.Arbitrary<Act> = fc.record({
  kind: fc.constantFrom<Kind>('deposit', 'deposit', 'refund', 'top_up', 'plain', 'exit', 'finish', 'start', 'challenge', 'coop', 'junk'),
  who: fc.constantFrom<Who>('A', 'A', 'B', 'B', 'S'),
  value: fc.constantFrom(toNano('0.0005'), toNano('0.01'), toNano('0.05'), toNano('1')),
  bounce: fc.boolean(),
  amount: fc.constantFrom(0n, 1n, DEP / 2n, DEP, 2n * DEP),
  step: fc.constantFrom(0n, 1n, 2n, 5n, 6n, 2n ** 64n - 1n),
  pctA: fc.bigInt({ min: 0n, max: 100n }),
  close: fc.boolean(),
});
const actArb: fc.Arbitrary<Act> = fc.oneof({ weight: 5, arbitrary: sendArb }, { weight: 1, arbitrary: fc.record({ kind: fc.constant('time' as const), dt: fc.constantFrom(1, PERIOD / 2, PERIOD, 2 * PERIOD) }) });

function party(w: World, who: Who): SandboxContract<TreasuryContract> {
  return who === 'A' ? w.a : who === 'B' ? w.b : w.stranger;
}

async function body(w: World, a: Send): Promise<Cell> {
  const by = a.who === 'S' ? 'other' : a.who;
  const d = await w.channel.getChannelData().catch(() => null);
  const total = d ? d.depositA + d.depositB : 0n;
  const balanceA = (total * a.pctA) / 100n;
  const signed = signBoth(w, st(w, a.step, balanceA, total - balanceA, a.close ? 'close' : 'state'));
  switch (a.kind) {
    case 'deposit': return depositBody(a.amount);
    case 'refund': return refundBody();
    case 'top_up': return topUpBody();
    case 'plain': return Cell.EMPTY;
    case 'exit': return exitBody();
    case 'finish': return finishCloseBody();
    case 'start': return startCloseBody(signed, by);
    case 'challenge': return challengeBody(signed, by);
    case 'coop': return cooperativeCloseBody(signed, by);
    case 'junk': return beginCell().storeUint(0xdeadbeef, 32).endCell();
  }
}

async function storage(w: World): Promise<Cell | null> {
  const s = (await w.bc.getContract(w.channel.address)).accountState;
  return s?.type === 'active' ? (s.state.data ?? null) : null;
}

/** Checks one transaction of the contract (where its coins went, to whom a payout tag went); returns what A and B got. */
function checkTx(w: World, tx: BlockchainTransaction, sender: Address, paidOut: boolean): { toA: bigint; toB: bigint } {
  const info = tx.inMessage?.info;
  assert.ok(info?.type === 'internal');
  let toA = 0n;
  let toB = 0n;
  let toSender = 0n;
  for (const m of tx.outMessages.values()) {
    assert.ok(m.info.type === 'internal');
    const to = m.info.dest;
    const v = m.info.value.coins;
    assert.ok(to.equals(w.a.address) || to.equals(w.b.address) || to.equals(sender), `a message to ${to.toString()}: neither a party nor the sender`);
    if (to.equals(w.a.address)) toA += v;
    if (to.equals(w.b.address)) toB += v;
    if (to.equals(sender)) toSender += v;
    const tag = tagOf(m.body);
    if (tag === OP_PAID_A) assert.ok(to.equals(w.a.address), 'payA goes to A');
    if (tag === OP_PAID_B) assert.ok(to.equals(w.b.address), 'payB goes to B');
  }
  const isParty = sender.equals(w.a.address) || sender.equals(w.b.address);
  if (!paidOut && !(isParty && tagOf(tx.inMessage!.body) === 0x72656675)) {
    // no payout, no refund: the sender gets back at most what it sent and nobody else gets anything
    assert.ok(toSender <= info.value.coins, `the sender got ${toSender} for ${info.value.coins}`);
    if (!isParty) assert.equal(toA + toB, 0n, 'a stranger\'s message paid a party outside a payout');
  }
  if (!isParty) assert.ok(toSender <= info.value.coins, 'a stranger gets at most its own value back');
  return { toA, toB };
}

interface Model { depositA: bigint; depositB: bigint; locked: boolean; closed: string | null }

async function step(w: World, a: Send, m: Model): Promise<void> {
  const from = party(w, a.who);
  const value = a.kind === 'deposit' ? a.amount + DEPOSIT_FEE + (a.value > toNano('0.01') ? a.value : 0n) : a.value;
  const r = await from.send({ to: w.channel.address, value, bounce: a.bounce, body: await body(w, a) });
  const txs = r.transactions.filter((t) => dest(t)?.equals(w.channel.address));
  const s = await w.channel.getChannelStatus();
  for (const tx of txs) {
    const ok = tx.description.type === 'generic' && !tx.description.aborted && tx.description.computePhase.type === 'vm' && tx.description.computePhase.success;
    const paidOut = ok && s.status === 'closed' && m.closed === null;
    const { toA, toB } = checkTx(w, tx, from.address, paidOut);
    if (ok && !m.locked) {
      if (a.kind === 'deposit') m[a.who === 'A' ? 'depositA' : 'depositB'] += a.amount;
      if (a.kind === 'refund') m[a.who === 'A' ? 'depositA' : 'depositB'] = 0n;
    }
    if (paidOut && s.status === 'closed') {
      assert.ok(toA >= s.paid.balanceA && toB >= s.paid.balanceB, `a payout below the balances paid: A ${toA} of ${s.paid.balanceA}, B ${toB} of ${s.paid.balanceB}`);
      assert.equal(s.paid.balanceA + s.paid.balanceB, m.depositA + m.depositB, 'the paid balances add up to the deposits');
    }
  }
  if (s.status === 'closed') {
    const data = (await storage(w))!.hash().toString('hex');
    if (m.closed !== null) assert.equal(data, m.closed, 'a closed record never changes');
    m.closed = data;
    return;
  }
  assert.ok(s.status === 'funding' || s.status === 'open' || s.status === 'closing', `status ${s.status}`);
  if (s.status !== 'funding') m.locked = true;
  assert.equal(s.data.depositA, m.depositA, "A's deposit is what its accepted deposits and refunds say");
  assert.equal(s.data.depositB, m.depositB, "B's deposit is what its accepted deposits and refunds say");
}

/** Both leave: refunds while funding, else an exit (when open) and the finish, by `closer`; nothing of theirs stays. */
async function leave(w: World, m: Model, exiter: 'A' | 'B', closer: Who): Promise<void> {
  const plain: Omit<Send, 'kind' | 'who'> = { value: toNano('0.05'), bounce: true, amount: 0n, step: 0n, pctA: 0n, close: false };
  let s = await w.channel.getChannelStatus();
  if (s.status === 'funding') {
    if (s.data.depositA > 0n) expectOk(await w.channel.sendRefund(w.a.getSender()), w.channel.address);
    if (s.data.depositB > 0n) expectOk(await w.channel.sendRefund(w.b.getSender()), w.channel.address);
    const d = await w.channel.getChannelData();
    assert.equal(d.depositA + d.depositB, 0n, 'every deposit came back');
    return;
  }
  if (s.status === 'open') {
    await step(w, { ...plain, kind: 'exit', who: exiter }, m);
    s = await w.channel.getChannelStatus();
  }
  if (s.status === 'closing') {
    w.bc.now = Math.max(w.bc.now ?? 0, s.data.deadline ?? 0);
    await step(w, { ...plain, kind: 'finish', who: closer }, m);
    assert.equal((await w.channel.getChannelStatus()).status, 'closed', 'the finish paid out');
    assert.equal(await w.channel.getBalance(), 0n, 'the payout leaves nothing on the contract');
    return;
  }
  assert.equal(s.status, 'closed');
}

test(`random sequences of every op from A, B and a stranger: coins go only where they may, and both can always leave (${runs} runs)`, { timeout: 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.array(actArb, { minLength: 1, maxLength: 14 }), fc.constantFrom<'A' | 'B'>('A', 'B'), fc.constantFrom<Who>('A', 'B', 'S'), async (lock, acts, exiter, closer) => {
      const w = await makeWorld({ expectedDepositA: DEP, expectedDepositB: DEP });
      const m: Model = { depositA: 0n, depositB: 0n, locked: false, closed: null };
      // A deploys with half its deposit, as the node does with all of it; half of the runs start from the lock
      expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP / 2n + DEPOSIT_FEE, deposit: DEP / 2n }), w.channel.address);
      m.depositA = DEP / 2n;
      if (lock) {
        expectOk(await w.channel.sendDeposit(w.a.getSender(), { amount: DEP / 2n }), w.channel.address);
        expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: DEP }), w.channel.address);
        Object.assign(m, { depositA: DEP, depositB: DEP, locked: true });
      }
      for (const a of acts) {
        if (a.kind === 'time') w.bc.now = (w.bc.now ?? 0) + a.dt;
        else await step(w, a, m);
      }
      await leave(w, m, exiter, closer);
    }),
    { numRuns: runs, ...(seed === undefined ? {} : { seed }) },
  );
});
