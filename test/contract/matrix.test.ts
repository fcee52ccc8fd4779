// Every message from A, from B and from a stranger in every phase, each carrying 1 TON more than it needs: the
// table below is the contract's whole answer. A refused message changes nothing and bounces; an accepted one keeps
// only what its op takes (a deposit's amount and fee, a top_up), and a payout follows the documented shares.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, toNano, type Cell } from '@ton/core';
import type { BlockchainTransaction } from '@ton/sandbox';
import { ChannelExit as X, DEPOSIT_FEE, challengeBody, cooperativeCloseBody, depositBody, exitBody, finishCloseBody, refundBody, startCloseBody, topUpBody, type Submitter } from '../../src/contract/index.js';
import {
  DEP_A, NOW, PERIOD, balance, balancesBefore, checkPayout, compute, expectExit, expectOk, makeWorld, openWorld, signBoth, st, storageFee, txOn, type World,
} from './helpers.js';

const EXTRA = toNano('1');
const AMOUNT = toNano('1');
type Phase = 'funding' | 'open' | 'closing' | 'closing, window over' | 'closed';
type Op = 'deposit' | 'refund' | 'cooperative_close' | 'start_close' | 'challenge' | 'finish_close' | 'exit' | 'top_up' | 'plain' | 'unknown op';
type Who = 'A' | 'B' | 'S';
/** ok, or the exit code, for A, B and a stranger. */
type Row = Record<Who, 'ok' | number>;
const all = (v: 'ok' | number): Row => ({ A: v, B: v, S: v });

const CLOSED_STEP = 5n; // B's start_close: step 5, floor 6
const SIGNED_STEP = 9n;
const UNDERFLOW = 9;

const TABLE: Record<Phase, Record<Op, Row>> = {
  funding: {
    deposit: { A: 'ok', B: 'ok', S: X.NOT_PARTY },
    refund: { A: 'ok', B: X.NOTHING_TO_REFUND, S: X.NOT_PARTY },
    cooperative_close: all(X.NOT_OPEN),
    start_close: all(X.NOT_OPEN),
    challenge: all(X.NOT_CLOSING),
    finish_close: all(X.NOT_CLOSING),
    exit: all(X.NOT_OPEN),
    top_up: all('ok'),
    plain: all('ok'),
    'unknown op': all(X.UNKNOWN_OP),
  },
  open: {
    deposit: all(X.NOT_FUNDING),
    refund: all(X.NOT_FUNDING),
    cooperative_close: all('ok'),
    start_close: { A: 'ok', B: 'ok', S: X.NOT_PARTY },
    challenge: all(X.NOT_CLOSING),
    finish_close: all(X.NOT_CLOSING),
    exit: { A: 'ok', B: 'ok', S: X.NOT_PARTY },
    top_up: all('ok'),
    plain: all('ok'),
    'unknown op': all(X.UNKNOWN_OP),
  },
  closing: {
    deposit: all(X.NOT_FUNDING),
    refund: all(X.NOT_FUNDING),
    cooperative_close: all('ok'),
    start_close: all(X.NOT_OPEN),
    challenge: all('ok'),
    finish_close: all(X.TOO_EARLY),
    exit: all(X.NOT_OPEN),
    top_up: all('ok'),
    plain: all('ok'),
    'unknown op': all(X.UNKNOWN_OP),
  },
  'closing, window over': {
    deposit: all(X.NOT_FUNDING),
    refund: all(X.NOT_FUNDING),
    cooperative_close: all('ok'),
    start_close: all(X.NOT_OPEN),
    challenge: all(X.TOO_LATE),
    finish_close: all('ok'),
    exit: all(X.NOT_OPEN),
    top_up: all('ok'),
    plain: all('ok'),
    'unknown op': all(X.UNKNOWN_OP),
  },
  // CLOSED: the storage is the paid record, so reading it as live storage fails (cell underflow, 9)
  closed: {
    deposit: all(UNDERFLOW),
    refund: all(UNDERFLOW),
    cooperative_close: all(UNDERFLOW),
    start_close: all(UNDERFLOW),
    challenge: all(UNDERFLOW),
    finish_close: all(UNDERFLOW),
    exit: all(UNDERFLOW),
    top_up: all(X.CLOSED),
    plain: all('ok'),
    'unknown op': all(X.UNKNOWN_OP),
  },
};

async function reach(phase: Phase): Promise<World> {
  if (phase === 'funding') {
    const w = await makeWorld();
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: DEP_A + DEPOSIT_FEE, deposit: DEP_A }), w.channel.address);
    return w;
  }
  const w = await openWorld();
  if (phase === 'open') return w;
  expectOk(await w.channel.sendStartClose(w.b.getSender(), signBoth(w, st(w, CLOSED_STEP, toNano('3'), toNano('5')))), w.channel.address);
  if (phase === 'closing') return w;
  w.bc.now = NOW + PERIOD;
  if (phase === 'closed') expectOk(await w.channel.sendFinishClose(w.a.getSender()), w.channel.address);
  return w;
}

function bodyOf(w: World, op: Op, by: Submitter): { body: Cell; value: bigint } {
  const signed = (tag: 'state' | 'close') => signBoth(w, st(w, SIGNED_STEP, toNano('4'), toNano('4'), tag));
  switch (op) {
    case 'deposit': return { body: depositBody(AMOUNT), value: AMOUNT + DEPOSIT_FEE + EXTRA };
    case 'refund': return { body: refundBody(), value: EXTRA };
    case 'cooperative_close': return { body: cooperativeCloseBody(signed('close'), by), value: EXTRA };
    case 'start_close': return { body: startCloseBody(signed('state'), by), value: EXTRA };
    case 'challenge': return { body: challengeBody(signed('state'), by), value: EXTRA };
    case 'finish_close': return { body: finishCloseBody(), value: EXTRA };
    case 'exit': return { body: exitBody(), value: EXTRA };
    case 'top_up': return { body: topUpBody(), value: EXTRA };
    case 'plain': return { body: beginCell().endCell(), value: EXTRA };
    case 'unknown op': return { body: beginCell().storeUint(0x7470_0001, 32).endCell(), value: EXTRA }; // a reserved "tp.." op
  }
}

async function storage(w: World): Promise<string> {
  const acc = (await w.bc.getContract(w.channel.address)).accountState;
  return acc?.type === 'active' ? (acc.state.data?.hash().toString('hex') ?? '') : String(acc?.type);
}

/** What an accepted op leaves on the contract beyond its storage fee (everything else went back). */
function kept(op: Op, tx: BlockchainTransaction): bigint | null {
  const c = compute(tx)!;
  const gas = tx.description.type === 'generic' && tx.description.computePhase.type === 'vm' ? tx.description.computePhase.gasFees : 0n;
  assert.equal(c.exitCode, 0);
  if (op === 'deposit') return AMOUNT + DEPOSIT_FEE - gas;
  if (op === 'top_up') return EXTRA - tx.totalFees.coins + storageFee(tx);
  if (op === 'refund') return null;
  return 0n;
}

describe('channel contract: every message from A, B and a stranger in every phase', () => {
  for (const [phase, ops] of Object.entries(TABLE) as Array<[Phase, Record<Op, Row>]>) {
    for (const [op, row] of Object.entries(ops) as Array<[Op, Row]>) {
      test(`${phase}: ${op}`, async () => {
        for (const who of ['A', 'B', 'S'] as const) {
          const w = await reach(phase);
          const from = who === 'A' ? w.a : who === 'B' ? w.b : w.stranger;
          const { body, value } = bodyOf(w, op, who === 'S' ? 'other' : who);
          const s0 = await storage(w);
          const before = await balancesBefore(w);
          const r = await from.send({ to: w.channel.address, value, bounce: true, body });
          const tx = txOn(r.transactions, w.channel.address);
          const expected = row[who];
          if (expected !== 'ok') {
            expectExit(r, w.channel.address, expected, from.address);
            assert.equal(await storage(w), s0, `${who}: a refused message changes nothing`);
            assert.equal(await balance(w, w.channel.address), before.contract - storageFee(tx), `${who}: the whole value bounces`);
            continue;
          }
          expectOk(r, w.channel.address);
          if (op === 'cooperative_close' || op === 'finish_close') {
            const paid = op === 'finish_close' ? { step: CLOSED_STEP, balanceA: toNano('3'), balanceB: toNano('5') } : { step: SIGNED_STEP, balanceA: toNano('4'), balanceB: toNano('4') };
            await checkPayout(w, r.transactions, before, paid, from.address);
            continue;
          }
          const k = kept(op, tx);
          if (k !== null) assert.equal(await balance(w, w.channel.address), before.contract - storageFee(tx) + k, `${who}: the contract keeps only what ${op} takes`);
        }
      });
    }
  }
});
