// What each action says when the channel's phase does not allow it: the next step it names is a command that
// exists in that phase (decline on a locked channel said "exit", which quits the CLI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS, capabilities, type Action, type CapabilityInput } from '../../src/core/capabilities.js';
import type { LifePhase } from '../../src/core/lifecycle.js';
import { givesNextStep } from '../../src/core/errors.js';

function input(life: LifePhase): CapabilityInput {
  const off = { phase: 'OPEN' as const, turn: 'A' as const, stagedBy: null, latestStep: 3n, latestTag: 'state' as const, myBalance: 1n };
  return { me: 'A', life, off, expectedMine: 1n, depositedMine: 1n, deadlinePassed: false, restorePending: false };
}

test('decline, once a contract exists, names what to do in that phase', () => {
  const why = (life: LifePhase) => {
    const c = capabilities(input(life)).decline;
    assert.equal(c.ok, false);
    return (c as { why: string }).why;
  };
  assert.match(why('funding'), /refund/);
  assert.match(why('deploying'), /refund/);
  assert.match(why('locked'), /\(leave\)/);
  assert.match(why('open'), /withdraw/);
  assert.match(why('closing'), /close is under way/);
  for (const life of ['funding', 'deploying', 'locked', 'open', 'closing'] as const) assert.doesNotMatch(why(life), /\bexit\b/);
  assert.equal(capabilities(input('proposed')).decline.ok, true);
});

test("refund before any contract names the next step of this party: B accepts or declines, A waits for the partner", () => {
  const refund = (me: 'A' | 'B', life: LifePhase) => capabilities({ ...input(life), me, depositedMine: 0n }).refund as { ok: false; code: string; why: string };
  assert.match(refund('B', 'proposed').why, /accept your partner's proposal with deposit, or decline it/);
  assert.doesNotMatch(refund('B', 'proposed').why, /wait/);
  assert.match(refund('A', 'proposed').why, /your partner has not accepted your proposal/);
  assert.match(refund('B', 'accepted').why, /not deployed/);
});

// `refund` on one's own pending proposal got NO_CONTRACT's next step appended: "open a channel, or accept one with
// deposit", to someone who had just opened one; after an acceptance it said the same while the deposit was on its way.
test('refund before any contract says its own next step, so the code\'s "open a channel" is not appended', () => {
  const refund = (me: 'A' | 'B', life: LifePhase) => capabilities({ ...input(life), me, depositedMine: 0n }).refund as { ok: false; code: string; why: string };
  assert.ok(givesNextStep(refund('A', 'proposed').why), refund('A', 'proposed').why);
  assert.match(refund('A', 'proposed').why, /nothing to refund: decline takes your proposal back/);
  for (const [me, life] of [['A', 'accepted'], ['B', 'accepted'], ['A', 'deploying'], ['B', 'deploying']] as const) {
    const why = refund(me, life).why;
    assert.ok(givesNextStep(why), why);
    assert.doesNotMatch(why, /open a channel/);
  }
});

test('send with a balance of 0 says what can change that', () => {
  const c = capabilities({ ...input('open'), off: { phase: 'OPEN', turn: 'A', stagedBy: null, latestStep: 3n, latestTag: 'state', myBalance: 0n } }).send as { ok: false; why: string };
  assert.match(c.why, /^your balance in the channel is 0: you can pay once your partner pays you/);
});

test('withdraw and leave before the lock send to refund only a party with a deposit in the contract', () => {
  const why = (action: 'withdraw' | 'exit', life: LifePhase, deposited: bigint) => (capabilities({ ...input(life), off: null, depositedMine: deposited })[action] as { why: string }).why;
  for (const action of ['withdraw', 'exit'] as const) {
    assert.match(why(action, 'funding', 1n), /take your deposit back with refund/);
    // nothing of this party's is in the contract: refund would only say so
    assert.doesNotMatch(why(action, 'funding', 0n), /refund/);
    assert.match(why(action, 'funding', 0n), /no deposit in the contract/);
    assert.doesNotMatch(why(action, 'proposed', 0n), /refund/);
    assert.doesNotMatch(why(action, 'accepted', 0n), /refund/);
    // a proposal (accepted or not) with nothing deposited: decline is the way out, and it is said
    for (const life of ['proposed', 'accepted'] as const) {
      assert.match(why(action, life, 0n), /nothing to take out; decline the channel to give it up/);
      assert.ok(givesNextStep(why(action, life, 0n)), 'no code hint after it');
      assert.equal(capabilities({ ...input(life), off: null, depositedMine: 0n }).decline.ok, true);
    }
  }
});

test('withdraw and leave on a funding channel whose deposits are both in say the lock is coming, not refund', () => {
  // B told to leave after refusing A's initial state (INITIAL_MISMATCH), before its node saw the lock
  const c = capabilities({ ...input('funding'), me: 'B', off: null, depositedMine: 1n, bothIn: true });
  for (const action of ['withdraw', 'exit'] as const) {
    const why = (c[action] as { why: string }).why;
    assert.match(why, /this node has not seen the lock yet, but both deposits are in \(the contract locks with the second\): it takes the lock at its next read of the chain \(seconds\); then run it again/);
    assert.doesNotMatch(why, /refund/);
  }
});

test('refund, decline and deposit on a funding channel whose deposits are both in offer no refund: the contract locked', () => {
  // the record shows both deposits in, this node has not read the lock yet: the contract refuses a refund (a fee)
  const c = capabilities({ ...input('funding'), off: null, depositedMine: 1n, bothIn: true });
  assert.equal(c.refund.ok, false);
  const why = (action: 'refund' | 'decline' | 'deposit' | 'send') => (c[action] as { why: string }).why;
  assert.equal((c.refund as { code: string }).code, 'NOT_FUNDING');
  assert.match(why('refund'), /^both deposits are in, so refund no longer takes a deposit back: the contract locked with the second.*leave with the deposits \(leave\)$/);
  for (const action of ['decline', 'deposit', 'send'] as const) {
    assert.match(why(action), /both deposits are in: the contract locked with the second/, action);
    assert.doesNotMatch(why(action), /refund|waiting for your partner's/, action);
  }
});

test('withdraw and leave before the lock, with a deposit of this party sent and not landed, say to wait for it', () => {
  const why = (action: 'withdraw' | 'exit') => (capabilities({ ...input('funding'), off: null, depositedMine: 0n, depositInFlight: true })[action] as { why: string }).why;
  for (const action of ['withdraw', 'exit'] as const) {
    assert.match(why(action), /may still land/);
    assert.doesNotMatch(why(action), /no deposit in the contract/);
  }
});

test('a deposit or deployment of this party that may still land: no deposit, decline or refund offered, with the time to wait', () => {
  const funding = { ...input('funding'), me: 'B' as const, off: null, depositedMine: 0n, depositInFlight: true, mayLandS: 170, declineWaitS: 590 };
  const c = capabilities(funding);
  assert.deepEqual([c.deposit.ok, c.decline.ok, c.refund.ok], [false, false, false]);
  assert.match((c.deposit as { why: string }).why, /your deposit sent earlier is not on chain yet and may still land: wait about 170 s/);
  assert.equal((c.deposit as { code: string }).code, 'MAY_STILL_LAND');
  assert.equal((c.decline as { code: string }).code, 'MAY_STILL_LAND');
  assert.match((c.decline as { why: string }).why, /may still land .*wait about 590 s, then decline again/);
  assert.match((c.refund as { why: string }).why, /may still land: wait for it/);
  // the deposit's own wait is over, decline's margin is not: deposit is offered again, decline still waits
  const later = capabilities({ ...funding, depositInFlight: false, mayLandS: 0, declineWaitS: 300 });
  assert.deepEqual([later.deposit.ok, later.decline.ok], [true, false]);
  const accepted = capabilities({ ...input('accepted'), off: null, depositedMine: 0n, depositInFlight: true, mayLandS: 100, declineWaitS: 520 });
  assert.match((accepted.deposit as { why: string }).why, /your deployment \(it carries your deposit\) sent earlier .* wait about 100 s/);
  assert.match((accepted.decline as { why: string }).why, /your deployment may still land .*wait about 100 s/);
  const over = capabilities({ ...funding, depositInFlight: false, mayLandS: 0, declineWaitS: 0 });
  assert.deepEqual([over.deposit.ok, over.decline.ok], [true, true]);
});

test("B, once A took back the deposit its deployment carried: no deposit offered, and refund says to decline", () => {
  const b = { ...input('funding'), me: 'B' as const, off: null, depositedMine: 0n, expectedMine: 4n, partnerRefunded: true };
  const c = capabilities(b);
  assert.equal(c.deposit.ok ? 'ok' : c.deposit.code, 'PARTNER_REFUNDED');
  assert.match((c.deposit as { why: string }).why, /took their deposit back .*Decline the channel \(decline\)/);
  assert.match((c.refund as { why: string }).why, /your partner took theirs back: decline the channel/);
  assert.equal(c.decline.ok, true);
  // A deposited again: deposit is offered
  assert.equal(capabilities({ ...b, partnerRefunded: false }).deposit.ok, true);
});

test("a payment before the channel opens names this party's missing step; an ended channel says to open a new one; a locked one takes no deposit", () => {
  const why = (o: Partial<CapabilityInput>, action: 'send' | 'createEmpty' | 'requestEmpty' | 'deposit' | 'withdraw' = 'send') => (capabilities({ ...input('open'), ...o })[action] as { why: string }).why;
  const before = { off: null };
  assert.match(why({ ...before, me: 'B', life: 'proposed' }), /accept your partner's proposal with deposit first/);
  assert.match(why({ ...before, me: 'B', life: 'proposed' }, 'createEmpty'), /accept your partner's proposal with deposit first/);
  assert.match(why({ ...before, me: 'A', life: 'proposed' }), /your partner has not accepted it yet/);
  assert.match(why({ ...before, life: 'funding', depositedMine: 0n }), /your deposit is not in yet: deposit/);
  assert.match(why({ ...before, life: 'funding' }), /waiting for your partner's deposit/);
  assert.match(why({ ...before, life: 'deploying' }), /the contract is being deployed/);
  assert.match(why({ life: 'closed' }), /closed and paid out: open a new channel to pay again/);
  assert.match(why({ life: 'rejected' }, 'deposit'), /declined: it takes no deposit: open a new channel/);
  assert.match(why({ life: 'locked' }, 'deposit'), /takes no more deposits/);
});

test("send while our own state awaits the partner says to wait for their signature, or leave alone; never to sign it (the code's generic hint)", () => {
  const c = capabilities({ ...input('open'), off: { phase: 'PROPOSED', turn: 'A', stagedBy: 'A', latestStep: 3n, latestTag: 'state', myBalance: 1n } }).send as { ok: false; code: string; why: string };
  assert.equal(c.code, 'PENDING_STATE');
  assert.equal(c.why, "your last state awaits your partner's signature: wait for it (if they never sign it, close alone with withdraw)");
  assert.ok(givesNextStep(c.why), 'the words say what to do: the code\'s hint ("sign the pending state first …") is not added');
});

test("refund is not offered while a refund of the channel's earlier controller (before an import loaded it again) is on its way, and says why", () => {
  const c = capabilities({ ...input('funding'), refundHandedOver: true }).refund;
  assert.ok(!c.ok && c.code === 'REFUND_UNDER_WAY' && /still under way: wait for its result/.test(c.why), JSON.stringify(c));
  assert.equal(capabilities(input('funding')).refund.ok, true);
});

test('withdraw and leave are not offered while our close or exit is on its way or may still land, and say what to wait for', () => {
  const close = capabilities({ ...input('open'), leaveOnWay: { step: 3n, mayLandS: 0 } }).withdraw as { ok: false; code: string; why: string };
  assert.equal(close.code, 'WITHDRAW_UNDER_WAY');
  assert.match(close.why, /your close with step 3 is on its way to the contract: wait for it/);
  const marked = capabilities({ ...input('open'), leaveOnWay: { step: 3n, mayLandS: 40 } }).withdraw as { ok: false; why: string };
  assert.match(marked.why, /was sent and may still land \(about 40 s\)/);
  // before the node's first read of the chain's time: it may still land for a time not known yet, without a figure
  const unread = capabilities({ ...input('open'), leaveOnWay: { step: 3n, mayLandS: 0, timeNotKnown: true } }).withdraw as { ok: false; code: string; why: string };
  assert.equal(unread.code, 'WITHDRAW_UNDER_WAY');
  assert.match(unread.why, /your close with step 3 was sent and may still land: for how long is not known yet \(the node reads the chain's time first\)/);
  assert.doesNotMatch(unread.why, /on its way|\d+ s\b/);
  assert.ok(givesNextStep(unread.why), unread.why);
  const exit = capabilities({ ...input('locked'), leaveOnWay: { step: null, mayLandS: 0 } });
  for (const c of [exit.exit, exit.withdraw] as { ok: false; code: string; why: string }[]) {
    assert.equal(c.code, 'EXIT_UNDER_WAY');
    assert.match(c.why, /your exit is on its way/);
    assert.ok(givesNextStep(c.why), c.why);
  }
  assert.equal((capabilities({ ...input('closing'), leaveOnWay: { step: 3n, mayLandS: 0 } }).withdraw as { code: string }).code, 'ALREADY_CLOSING', 'once on chain, the close says it');
});

test("deposit before the contract is deployed says who deploys it, and (B) when to run it again", () => {
  const c = capabilities({ ...input('accepted'), me: 'B', off: null, depositedMine: 0n });
  assert.equal((c.deposit as { code: string }).code, 'WAIT_PARTNER');
  assert.match((c.deposit as { why: string }).why, /^you accepted the channel: your partner's node deploys the contract \(once it is online\); the node says when it is deployed, then run deposit to pay your part$/);
  // A, its own deployment under way: its deposit goes with it
  const a = capabilities({ ...input('deploying'), me: 'A', off: null, depositedMine: 0n });
  assert.match((a.deposit as { why: string }).why, /^your deployment of the contract \(it carries your deposit\) is under way: the node says when it is deployed$/);
});

// Every action on a closed channel said "open a new channel to pay again", a withdraw too (the careless-user walk).
test('each action refused on a closed channel says why for that action: only a payment names paying again', () => {
  const c = capabilities(input('closed'));
  const why = (a: keyof typeof c) => {
    const x = c[a];
    assert.ok(!x.ok && x.code === 'ALREADY_CLOSED', `${a}: ${JSON.stringify(x)}`);
    return x.why;
  };
  assert.match(why('withdraw'), /^the channel is closed and paid out: nothing is left in it to withdraw/);
  assert.match(why('exit'), /^the channel is closed and paid out: nothing is left in it to take out/);
  assert.match(why('refund'), /^the channel is closed and paid out: nothing is left in it to take back/);
  assert.match(why('deposit'), /takes no deposit/);
  assert.match(why('sign'), /nothing is signed in it any more/);
  assert.match(why('challenge'), /its close is over: nothing to challenge/);
  assert.match(why('finish'), /its close is finished already/);
  assert.match(why('decline'), /nothing to decline/);
  for (const a of ['send', 'createEmpty', 'requestEmpty'] as const) assert.match(why(a), /open a new channel to pay again/);
  for (const a of ['withdraw', 'exit', 'refund', 'sign', 'challenge', 'finish', 'decline'] as const) assert.doesNotMatch(why(a), /pay again/, a);
  for (const a of Object.keys(c) as (keyof typeof c)[]) assert.ok(givesNextStep(why(a)) || /nothing|finished|over/.test(why(a)), `${a}: ${why(a)}`);
});

// A declined channel answered every action "the channel was declined: open a new channel if you still want one" (a
// refund or a challenge too), a closing one "a close is under way: the node finishes it after the challenge window"
// (a send too), and decline on a closing channel "a contract exists: its close is under way" with no step at all.
test('each action refused on a declined channel says why for that action, and what to do', () => {
  const c = capabilities({ ...input('rejected'), off: null, depositedMine: 0n });
  const why = (a: Action) => {
    const x = c[a];
    assert.ok(!x.ok && x.code === 'INVALID_TRANSITION', `${a}: ${JSON.stringify(x)}`);
    assert.match(x.why, /^the channel was declined: /, a);
    assert.ok(givesNextStep(x.why), `${a}: ${x.why}`);
    return x.why;
  };
  assert.match(why('deposit'), /takes no deposit: open a new channel \(open\), or ask your partner to propose one/);
  assert.match(why('refund'), /no deposit of yours reached it, so there is nothing to take back/);
  assert.match(why('withdraw'), /nothing to withdraw/);
  assert.match(why('exit'), /nothing to take out/);
  assert.match(why('send'), /never opened, so it takes no payment: open a new channel to pay/);
  assert.match(why('createEmpty'), /no turn to pass/);
  assert.match(why('requestEmpty'), /no turn to ask for/);
  assert.match(why('sign'), /nothing is signed in it/);
  assert.match(why('challenge'), /no longer follows it, and nothing of yours is in it to defend/);
  assert.match(why('finish'), /no longer follows it, and nothing of yours is in it to pay out/);
  assert.match(why('decline'), /^the channel was declined: nothing more to do/);
  assert.equal(new Set(ACTIONS.map(why)).size, ACTIONS.length, 'one reason for each action');
});

test('each action refused on a closing channel says why for that action: payments ended, or wait for the window (its end named)', () => {
  const deadline = Date.UTC(2026, 11, 7, 11, 58, 51) / 1000;
  const c = capabilities({ ...input('closing'), deadline });
  const why = (a: Action) => {
    const x = c[a];
    assert.ok(!x.ok && x.code === 'ALREADY_CLOSING', `${a}: ${JSON.stringify(x)}`);
    assert.ok(givesNextStep(x.why), `${a}: ${x.why}`);
    return x.why;
  };
  for (const a of ['send', 'createEmpty', 'requestEmpty'] as const) assert.match(why(a), /^a close is under way: payments in this channel have ended.*; open a new channel to pay again$/, a);
  assert.match(why('withdraw'), /^the channel is closing already, so there is nothing more to withdraw; wait for its challenge window to end \(until 2026-12-07 11:58:51 UTC by the chain's clock\): the node then finishes the close, and it pays out$/);
  assert.match(why('exit'), /^the channel is closing already, so leave takes nothing out; wait for its challenge window to end/);
  assert.match(why('refund'), /your share comes with its payout, so there is nothing to refund; wait/);
  assert.match(why('deposit'), /takes no more deposits: open a new channel/);
  assert.match(why('decline'), /^a close is under way, so there is nothing to decline; wait/);
  const refused = ['deposit', 'refund', 'send', 'createEmpty', 'requestEmpty', 'withdraw', 'exit', 'decline'] as const;
  assert.equal(new Set(refused.map(why)).size, refused.length, 'one reason for each action');
  // the window is over: the node finishes the close now, and finish is offered
  const over = capabilities({ ...input('closing'), deadline, deadlinePassed: true });
  assert.match((over.withdraw as { why: string }).why, /its challenge window is over: the node finishes the close now \(or run finish\)/);
  assert.equal(over.finish.ok, true);
});

// The careless-operator walk: `sign` with nothing to sign said only "no state from your partner awaits your
// signature" (no next step; the code's hint repeats it and was left out), also while the partner's signature of our
// own state was awaited, and while a close was under way.
test('sign with nothing to sign says what comes next: the node tells of a state coming in, the partner signs ours, or the close ends', () => {
  const why = (o: Partial<CapabilityInput>) => {
    const c = capabilities({ ...input('open'), ...o }).sign;
    assert.ok(!c.ok && c.code === 'NOTHING_TO_SIGN', JSON.stringify(c));
    return c.why;
  };
  assert.equal(why({}), 'no state from your partner awaits your signature: nothing to do; the node says when one comes in');
  assert.match(why({ off: { phase: 'PROPOSED', turn: 'A', stagedBy: 'A', latestStep: 3n, latestTag: 'state', myBalance: 1n } }), /your own last state awaits theirs, so there is nothing to sign; wait for their signature$/);
  assert.match(why({ life: 'closing', deadline: Date.UTC(2026, 11, 7, 11, 58, 51) / 1000 }), /^a close is under way: no state from your partner awaits your signature, and no new one is made in the channel now; wait for its challenge window to end \(until 2026-12-07 11:58:51 UTC/);
  // a state of the partner's to sign, closing or not: sign is offered
  const theirs = { phase: 'PROPOSED' as const, turn: 'B' as const, stagedBy: 'B' as const, latestStep: 3n, latestTag: 'state' as const, myBalance: 1n };
  assert.equal(capabilities({ ...input('closing'), off: theirs }).sign.ok, true);
  assert.equal(capabilities({ ...input('open'), off: theirs }).sign.ok, true);
});

// Reading the walk's showAll change: a payment on a funding channel the partner declined said "your deposit is not in
// yet: deposit", which deposit then refused (PARTNER_DECLINED); with a deposit of ours on its way it said the same.
test("a payment before the lock, when a deposit is not taken now, says deposit's reason, not 'deposit'", () => {
  const why = (o: Partial<CapabilityInput>) => (capabilities({ ...input('funding'), off: null, depositedMine: 0n, expectedMine: 3n, ...o }).send as { why: string }).why;
  assert.match(why({ partnerDeclined: true }), /^payments start once the channel is open: your partner declined this channel: .*Decline the channel \(decline\)$/);
  assert.match(why({ partnerDeclined: true, depositedMine: 1n }), /Take your deposit back with refund$/);
  assert.match(why({ me: 'B', partnerRefunded: true }), /your partner took their deposit back from the contract/);
  assert.match(why({ depositInFlight: true, mayLandS: 30 }), /your deposit sent earlier is not on chain yet and may still land: wait about 30 s/);
  assert.match(why({}), /your deposit is not in yet: deposit$/);
});
