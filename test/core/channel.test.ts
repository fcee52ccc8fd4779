import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Channel,
  TRANSITIONS,
  creatorOf,
  otherParty,
  type ChannelOp,
  type ChannelPhase,
} from '../../src/core/channel.js';
import { CHANNEL_ERROR_CODES, ChannelError, isChannelError } from '../../src/core/errors.js';
import { sign, verify } from '../../src/core/signer.js';
import { stateHash, statesEqual } from '../../src/core/state.js';
import { TON, channelAddr, keysA, keysB, keysEve, openPair, otherAddr, params } from './helpers.js';
import { expectCode, fingerprint, signedBy } from './channelHelpers.js';

describe('turn rule', () => {
  test('creatorOf: A creates even steps (step 0 included), B odd ones', () => {
    assert.equal(creatorOf(0n), 'A');
    assert.equal(creatorOf(1n), 'B');
    assert.equal(creatorOf(2n), 'A');
    assert.equal(creatorOf(12345678901234567891n), 'B');
    assert.equal(otherParty('A'), 'B');
    assert.equal(otherParty('B'), 'A');
  });
});

describe('transition table', () => {
  const phases: ChannelPhase[] = ['NEW', 'INIT_PROPOSED', 'INIT_RECEIVED', 'OPEN', 'PROPOSED', 'RECEIVED', 'FINAL', 'CLOSING'];
  const ops: ChannelOp[] = [
    'proposeInitial',
    'receiveInitial',
    'propose',
    'receiveProposal',
    'receiveCloseProposal',
    'countersign',
    'acceptCountersignature',
    'requestTurn',
    'receiveTurnRequest',
    'importCommitted',
    'markClosing',
  ];
  test('covers every phase x operation with a target or a known error code', () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...phases].sort());
    for (const p of phases) {
      assert.deepEqual(Object.keys(TRANSITIONS[p]).sort(), [...ops].sort(), `${p} lists every operation`);
      for (const op of ops) {
        const r = TRANSITIONS[p][op];
        if ('to' in r) {
          assert.ok(r.to.length > 0);
          for (const t of r.to) assert.ok(phases.includes(t), `${p}.${op} -> ${t}`);
        } else {
          assert.ok((CHANNEL_ERROR_CODES as readonly string[]).includes(r.reject), `${p}.${op}: ${r.reject}`);
          assert.ok(r.why.length > 10);
        }
      }
      assert.deepEqual(TRANSITIONS[p].markClosing, { to: ['CLOSING'] }, 'the chain can always report a close');
    }
  });

  test('the machine consults it: rule() and can() follow the phase', () => {
    const { a, b } = openPair();
    assert.equal(a.phase, 'OPEN');
    assert.ok(a.can('propose') && !a.can('countersign'));
    assert.deepEqual(a.rule('countersign'), TRANSITIONS.OPEN.countersign);
    b.proposeEmpty();
    assert.equal(b.phase, 'PROPOSED');
    assert.ok(!b.can('propose') && b.can('acceptCountersignature'));
  });
});

describe('construction', () => {
  test('rejects a secret key that is not the party\'s channel key', () => {
    expectCode(() => new Channel(params, 'A', keysB.secretKey), 'WRONG_KEY', /not party A's channel key/);
    expectCode(() => new Channel(params, 'B', keysEve.secretKey), 'WRONG_KEY');
    expectCode(() => new Channel(params, 'C' as 'A', keysA.secretKey), 'INVALID_TRANSITION');
  });

  test('a new channel has no state, no turn and zero balances', () => {
    const a = new Channel(params, 'A', keysA.secretKey);
    assert.equal(a.phase, 'NEW');
    assert.equal(a.latest, null);
    assert.equal(a.staged, null);
    assert.equal(a.turn, null);
    assert.equal(a.isMyTurn, false);
    assert.equal(a.myBalance, 0n);
    assert.equal(a.total, 0n);
    assert.equal(a.count, 0n);
    assert.equal(a.partner, 'B');
  });
});

describe('opening: the initial state (step 0)', () => {
  test('A proposes, B checks against the deposits and countersigns, A accepts', () => {
    const a = new Channel(params, 'A', keysA.secretKey);
    const b = new Channel(params, 'B', keysB.secretKey);
    const init = a.proposeInitial(5n * TON, 3n * TON);
    assert.equal(a.phase, 'INIT_PROPOSED');
    assert.equal(init.state.step, 0n);
    assert.equal(init.sigB, null);
    assert.ok(verify(stateHash(init.state), init.sigA!, keysA.publicKey));
    assert.equal(a.stagedBy, 'A');
    assert.deepEqual(b.receiveInitial(init, { depositA: 5n * TON, depositB: 3n * TON }), { step: 0n, kind: 'initial', amount: 0n });
    assert.equal(b.phase, 'INIT_RECEIVED');
    assert.ok(b.pending);
    const full = b.countersign();
    assert.ok(verify(stateHash(full.state), full.sigB!, keysB.publicKey));
    assert.equal(b.phase, 'OPEN');
    assert.equal(b.isMyTurn, true, 'B has the turn after the initial state');
    a.acceptCountersignature(full.sigB!);
    assert.equal(a.phase, 'OPEN');
    assert.equal(a.isMyTurn, false);
    assert.equal(a.turn, 'B');
    assert.equal(a.myBalance, 5n * TON);
    assert.equal(b.myBalance, 3n * TON);
    assert.equal(b.partnerBalance, 5n * TON);
    assert.equal(a.total, 8n * TON);
    assert.equal(a.count, 1n);
  });

  test('proposeInitial: only A, no negative deposits, not both zero, only once', () => {
    const b = new Channel(params, 'B', keysB.secretKey);
    expectCode(() => b.proposeInitial(1n, 1n), 'INVALID_TRANSITION', /only A creates the initial state/);
    const a = new Channel(params, 'A', keysA.secretKey);
    expectCode(() => a.proposeInitial(-1n, 5n), 'AMOUNT_NOT_POSITIVE', /negative/);
    expectCode(() => a.proposeInitial(0n, 0n), 'AMOUNT_NOT_POSITIVE', /both deposits are zero/);
    assert.equal(a.phase, 'NEW');
    a.proposeInitial(0n, 1n);
    expectCode(() => a.proposeInitial(0n, 1n), 'PENDING_STATE', /wait for B/);
  });

  test('receiveInitial: each check rejects and leaves B unchanged', () => {
    const a = new Channel(params, 'A', keysA.secretKey);
    const init = a.proposeInitial(5n * TON, 3n * TON);
    const expected = { depositA: 5n * TON, depositB: 3n * TON };
    const b = new Channel(params, 'B', keysB.secretKey);
    const before = fingerprint(b);
    expectCode(() => new Channel(params, 'A', keysA.secretKey).receiveInitial(init, expected), 'INVALID_TRANSITION', /only B receives/);
    expectCode(() => a.receiveInitial(init, expected), 'INVALID_TRANSITION', /already exists/);
    expectCode(() => b.receiveInitial(signedBy({ ...init.state, channel: otherAddr }, 'A', keysA.secretKey), expected), 'WRONG_CHANNEL');
    expectCode(() => b.receiveInitial(signedBy({ ...init.state, step: 1n }, 'A', keysA.secretKey), expected), 'STEP_GAP', /expected the initial state/);
    expectCode(() => b.receiveInitial(signedBy({ ...init.state, tag: 'close' }, 'A', keysA.secretKey), expected), 'INVALID_TRANSITION', /not a close state/);
    expectCode(() => b.receiveInitial(init, { depositA: 5n * TON, depositB: 2n * TON }), 'INITIAL_MISMATCH', /B 3 TON.*B 2 TON/);
    expectCode(() => b.receiveInitial({ ...init, sigA: null }, expected), 'BAD_SIGNATURE', /missing/);
    const e = expectCode(() => b.receiveInitial(signedBy(init.state, 'A', keysEve.secretKey), expected), 'BAD_SIGNATURE', /A's signature/);
    assert.equal(e.details?.party, 'A');
    assert.equal(fingerprint(b), before);
    b.receiveInitial(init, expected);
    expectCode(() => b.receiveInitial(init, expected), 'PENDING_STATE');
    expectCode(() => b.proposeEmpty(), 'PENDING_STATE', /countersign/);
    expectCode(() => b.requestTurn(), 'PENDING_STATE');
    expectCode(() => b.acceptCountersignature(Buffer.alloc(64)), 'NOTHING_TO_SIGN');
    expectCode(() => b.receiveProposal(init), 'NOT_OPEN');
    expectCode(() => b.receiveTurnRequest(), 'NOT_OPEN');
    expectCode(() => b.proposeInitial(1n, 1n), 'INVALID_TRANSITION');
  });

  test('before the channel is open: proposals, receipts, signing and turn requests are refused', () => {
    const a = new Channel(params, 'A', keysA.secretKey);
    expectCode(() => a.proposePayment(1n), 'NOT_OPEN', /open it first/);
    expectCode(() => a.proposeEmpty(), 'NOT_OPEN');
    expectCode(() => a.proposeClose(), 'NOT_OPEN');
    expectCode(() => a.receiveProposal(signedBy({ tag: 'state', channel: channelAddr, step: 1n, balanceA: 1n, balanceB: 1n }, 'B', keysB.secretKey)), 'NOT_OPEN');
    expectCode(() => a.countersign(), 'NOTHING_TO_SIGN');
    expectCode(() => a.acceptCountersignature(Buffer.alloc(64)), 'NOTHING_TO_SIGN');
    expectCode(() => a.requestTurn(), 'NOT_OPEN');
    expectCode(() => a.receiveTurnRequest(), 'NOT_OPEN');
    a.proposeInitial(1n, 1n);
    expectCode(() => a.proposeEmpty(), 'NOT_OPEN', /awaits B's signature/);
    expectCode(() => a.countersign(), 'NOTHING_TO_SIGN');
    expectCode(() => a.requestTurn(), 'NOT_OPEN');
    expectCode(() => a.receiveTurnRequest(), 'NOT_OPEN');
    expectCode(() => a.receiveInitial(a.staged!, { depositA: 1n, depositB: 1n }), 'INVALID_TRANSITION');
    expectCode(() => a.receiveProposal(a.staged!), 'NOT_OPEN');
  });

  test('acceptCountersignature rejects a wrong signature and stays staged', () => {
    const a = new Channel(params, 'A', keysA.secretKey);
    const init = a.proposeInitial(2n, 2n);
    expectCode(() => a.acceptCountersignature(sign(stateHash(init.state), keysEve.secretKey)), 'BAD_SIGNATURE', /B's signature/);
    expectCode(() => a.acceptCountersignature(Buffer.alloc(10)), 'BAD_SIGNATURE');
    assert.equal(a.phase, 'INIT_PROPOSED');
    a.acceptCountersignature(sign(stateHash(init.state), keysB.secretKey));
    assert.equal(a.phase, 'OPEN');
  });
});

describe('payments and empty states', () => {
  test('a payment moves money from the proposer to the receiver and passes the turn', () => {
    const { a, b } = openPair();
    const p = b.proposePayment(TON);
    assert.equal(b.phase, 'PROPOSED');
    assert.equal(p.state.step, 1n);
    assert.equal(p.state.balanceB, 2n * TON);
    assert.equal(p.state.balanceA, 6n * TON);
    assert.equal(b.myBalance, 3n * TON, 'a staged payment is not committed');
    assert.deepEqual(a.receiveProposal(p), { step: 1n, kind: 'payment', amount: TON });
    assert.equal(a.phase, 'RECEIVED');
    assert.ok(a.pending && statesEqual(a.pending.state, p.state));
    const full = a.countersign();
    assert.ok(full.sigA && full.sigB);
    assert.equal(a.myBalance, 6n * TON);
    assert.equal(a.isMyTurn, true);
    const committed = b.acceptCountersignature(full.sigA!);
    assert.equal(b.myBalance, 2n * TON);
    assert.equal(b.isMyTurn, false);
    assert.ok(statesEqual(committed.state, full.state));
    // A's turn now: A pays back 0.5 TON.
    const q = a.proposePayment(TON / 2n);
    assert.equal(q.state.step, 2n);
    assert.deepEqual(b.receiveProposal(q), { step: 2n, kind: 'payment', amount: TON / 2n });
    a.acceptCountersignature(b.countersign().sigB!);
    assert.equal(a.myBalance, 5n * TON + TON / 2n);
    assert.equal(b.myBalance, 2n * TON + TON / 2n);
    assert.equal(a.count, 3n);
    assert.equal(a.latest!.state.step, 2n);
  });

  test('proposal guards: turn, amount, balance, pending', () => {
    const { a, b } = openPair(5n * TON, 3n * TON);
    expectCode(() => a.proposePayment(TON), 'NOT_YOUR_TURN', /request the turn with requestEmpty/);
    expectCode(() => a.proposeEmpty(), 'NOT_YOUR_TURN');
    expectCode(() => a.proposeClose(), 'NOT_YOUR_TURN');
    expectCode(() => b.proposePayment(0n), 'AMOUNT_NOT_POSITIVE', /more than zero/);
    expectCode(() => b.proposePayment(-5n), 'AMOUNT_NOT_POSITIVE');
    const e = expectCode(() => b.proposePayment(4n * TON), 'INSUFFICIENT_BALANCE', /you have 3 TON, asked 4 TON/);
    assert.equal(e.details?.have, 3n * TON);
    assert.equal(e.details?.asked, 4n * TON);
    b.proposePayment(3n * TON); // exactly everything is fine
    expectCode(() => b.proposePayment(1n), 'PENDING_STATE', /awaits the partner's countersignature/);
    expectCode(() => b.proposeEmpty(), 'PENDING_STATE');
    expectCode(() => b.countersign(), 'NOTHING_TO_SIGN', /our own proposal/);
  });

  test('an empty state changes nothing but the step and hands the turn over', () => {
    const { a, b } = openPair();
    const e = b.proposeEmpty();
    assert.deepEqual(a.receiveProposal(e), { step: 1n, kind: 'empty', amount: 0n });
    b.acceptCountersignature(a.countersign().sigA!);
    assert.equal(a.isMyTurn, true);
    assert.equal(b.isMyTurn, false);
    assert.equal(a.myBalance, 5n * TON);
  });

  test('automatic turn passing: countersign and piggyback an empty state, applied in order', () => {
    const { a, b } = openPair();
    // A wants to pay but B has the turn: A asks for it.
    assert.deepEqual(a.requestTurn(), { atStep: 0n });
    assert.equal(a.turnRequested, true);
    b.receiveTurnRequest();
    assert.equal(b.partnerWantsTurn, true);
    const empty = b.proposeEmpty();
    assert.equal(b.partnerWantsTurn, false, 'answered by the empty state');
    a.receiveProposal(empty);
    b.acceptCountersignature(a.countersign().sigA!);
    assert.equal(a.turnRequested, false, 'the turn arrived');
    // From now on A pays, and B (auto mode) countersigns and passes the turn back in one message.
    for (let i = 0; i < 5; i++) {
      const pay = a.proposePayment(TON / 10n);
      b.receiveProposal(pay);
      const counter = b.countersign();
      const back = b.proposeEmpty();
      a.acceptCountersignature(counter.sigB!);
      a.receiveProposal(back);
      a.countersign();
      b.acceptCountersignature(a.latest!.sigA!);
    }
    assert.equal(b.myBalance, 3n * TON + TON / 2n);
    assert.equal(a.latest!.state.step, b.latest!.state.step);
    assert.equal(a.count, BigInt(2 + 5 * 2));
  });

  test('a turn request that arrives while our own proposal waits is already answered by it: nothing is recorded', () => {
    const { a, b } = openPair();
    a.requestTurn();
    const empty = b.proposeEmpty(); // B passes the turn; A's request (resent after a restart) arrives after it
    assert.equal(b.receiveTurnRequest(), false, 'not a new request: the state staged hands the turn over');
    assert.equal(b.partnerWantsTurn, false);
    a.receiveProposal(empty);
    b.acceptCountersignature(a.countersign().sigA!);
    assert.equal(b.partnerWantsTurn, false, 'no stale request once the turn is the partner’s');
  });

  test('requestTurn: refused with the turn in hand or a pending state; allowed while our proposal waits', () => {
    const { a, b } = openPair();
    expectCode(() => b.requestTurn(), 'ALREADY_YOUR_TURN', /propose a payment or an empty state/);
    const p = b.proposeEmpty();
    assert.deepEqual(b.requestTurn(), { atStep: 0n });
    a.receiveProposal(p);
    expectCode(() => a.requestTurn(), 'PENDING_STATE');
    // A request reaching B while B's own state waits is answered by that state (it hands the turn over).
    assert.equal(b.receiveTurnRequest(), false);
    assert.equal(b.partnerWantsTurn, false);
    // B asked while its own proposal was in flight; A records it and answers once the turn is A's.
    assert.equal(a.receiveTurnRequest(), true);
    assert.equal(a.partnerWantsTurn, true);
    b.acceptCountersignature(a.countersign().sigA!);
    a.proposeEmpty();
    assert.equal(a.partnerWantsTurn, false);
    // A request that crossed the empty state (the requester already has the turn) records nothing.
    const { a: a2, b: b2 } = openPair();
    assert.equal(a2.receiveTurnRequest(), false);
    assert.equal(a2.partnerWantsTurn, false);
    void b2;
  });
});

test('isChannelError narrows by code', () => {
  const e = new ChannelError('STEP_GAP', 'x', { expected: 1n });
  assert.ok(isChannelError(e));
  assert.ok(isChannelError(e, 'STEP_GAP'));
  assert.ok(!isChannelError(e, 'WRONG_CHANNEL'));
  assert.ok(!isChannelError(new Error('x')));
  assert.equal(e.name, 'ChannelError');
});

test("a refusal by phase names the operation in a person's words, not the machine's method or phase", () => {
  const { a, b } = openPair();
  const proposal = b.proposeEmpty();
  a.markClosing();
  const e = expectCode(() => a.receiveProposal(proposal), 'CHANNEL_CLOSING');
  assert.match(e.message, /^cannot take the partner's proposed state now: /);
  assert.doesNotMatch(e.message, /receiveProposal|\(CLOSING\)/);
  assert.match(expectCode(() => a.requestTurn(), 'CHANNEL_CLOSING').message, /^cannot ask for the turn now: /);
});
