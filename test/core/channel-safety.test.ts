// The channel machine refuses bad proposals, closes, restores from snapshots, resyncs and catches equivocation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, isEquivocation, type SignedState } from '../../src/core/channel.js';
import { signedFromJson, signedToJson } from '../../src/core/signed.js';
import { sign, verify } from '../../src/core/signer.js';
import { stateHash, statesEqual, type ChannelState } from '../../src/core/state.js';
import { TON, keysA, keysB, keysEve, openPair, otherAddr, params } from './helpers.js';
import { expectCode, fingerprint, signedBoth, signedBy } from './channelHelpers.js';

describe('receiveProposal rejects every bad proposal and stays unchanged', () => {
  test('each guard in order', () => {
    const { a, b } = openPair(5n * TON, 3n * TON);
    const latest = a.latest!.state;
    const good: ChannelState = { ...latest, step: 1n, balanceA: latest.balanceA + TON, balanceB: latest.balanceB - TON };
    const before = fingerprint(a);
    expectCode(() => a.receiveProposal(signedBy({ ...good, channel: otherAddr }, 'B', keysB.secretKey)), 'WRONG_CHANNEL', /another channel/);
    expectCode(() => a.receiveProposal(signedBy({ ...good, step: 3n }, 'B', keysB.secretKey)), 'STEP_GAP', /expected step 1, got 3: .*resync/);
    expectCode(() => a.receiveProposal(signedBy({ ...good, step: 0n }, 'B', keysB.secretKey)), 'STEP_GAP');
    expectCode(() => a.receiveProposal(signedBy({ ...good, balanceA: good.balanceA + 1n }, 'B', keysB.secretKey)), 'TOTAL_CHANGED', /same total/);
    expectCode(() => a.receiveProposal(signedBy({ ...latest, step: 1n, balanceA: latest.balanceA - TON, balanceB: latest.balanceB + TON }, 'B', keysB.secretKey)), 'BALANCE_TAKEN', /moves 1 TON from us to the partner/);
    expectCode(() => a.receiveProposal({ state: good, sigA: null, sigB: null }), 'BAD_SIGNATURE', /missing/);
    expectCode(() => a.receiveProposal(signedBy(good, 'B', keysEve.secretKey)), 'BAD_SIGNATURE', /B's signature of step 1 is invalid/);
    expectCode(() => a.receiveProposal(signedBy(good, 'A', keysA.secretKey)), 'BAD_SIGNATURE', /B's signature is missing/);
    const other = signedBy({ ...good, balanceA: good.balanceA - 1n, balanceB: good.balanceB + 1n }, 'B', keysB.secretKey);
    expectCode(() => a.receiveProposal({ state: good, sigA: null, sigB: other.sigB }), 'BAD_SIGNATURE', /altered/);
    assert.equal(fingerprint(a), before);
    a.receiveProposal(signedBy(good, 'B', keysB.secretKey));
    assert.equal(a.phase, 'RECEIVED');
    expectCode(() => a.receiveProposal(signedBy(good, 'B', keysB.secretKey)), 'PENDING_STATE');
    void b;
  });

  test('a proposal of a step that is ours to create is refused (only the turn holder proposes)', () => {
    const { a, b } = openPair();
    a.receiveProposal(b.proposeEmpty());
    b.acceptCountersignature(a.countersign().sigA!);
    // Step 2 is A's. B forges one that pays nothing, signed with B's real key.
    const l = b.latest!.state;
    const forged = signedBy({ ...l, step: 2n }, 'B', keysB.secretKey);
    expectCode(() => a.receiveProposal(forged), 'NOT_YOUR_TURN', /must request the turn/);
  });

  test('a signature of another party key, an old state replayed, and a proposal while ours waits', () => {
    const { a, b } = openPair();
    const p1 = b.proposeEmpty();
    a.receiveProposal(p1);
    b.acceptCountersignature(a.countersign().sigA!);
    expectCode(() => a.receiveProposal(p1), 'STEP_GAP', /expected step 2, got 1/);
    a.proposeEmpty();
    expectCode(() => a.receiveProposal(signedBy({ ...p1.state, step: 3n }, 'B', keysB.secretKey)), 'PENDING_STATE');
    expectCode(() => a.acceptCountersignature(sign(stateHash(a.staged!.state), keysA.secretKey)), 'BAD_SIGNATURE');
  });
});

describe("the words a refused partner reads (toPartner): from its side, never 'the partner must …'", () => {
  test('each refusal of a proposal, a close proposal, an initial state and a resync answer', () => {
    const { a, b } = openPair(5n * TON, 3n * TON);
    const latest = a.latest!.state;
    const good: ChannelState = { ...latest, step: 1n, balanceA: latest.balanceA + TON, balanceB: latest.balanceB - TON };
    const by = (st: ChannelState) => signedBy(st, 'B', keysB.secretKey);
    const refused = [
      expectCode(() => a.receiveProposal(by({ ...good, channel: otherAddr })), 'WRONG_CHANNEL'),
      expectCode(() => a.receiveProposal(by({ ...good, step: 3n })), 'STEP_GAP'),
      expectCode(() => a.receiveProposal(by({ ...good, balanceA: good.balanceA + 1n })), 'TOTAL_CHANGED'),
      expectCode(() => a.receiveProposal(by({ ...latest, step: 1n, balanceA: latest.balanceA - TON, balanceB: latest.balanceB + TON })), 'BALANCE_TAKEN'),
      expectCode(() => a.receiveProposal({ state: good, sigA: null, sigB: null }), 'BAD_SIGNATURE'),
      expectCode(() => a.receiveProposal(signedBy(good, 'B', keysEve.secretKey)), 'BAD_SIGNATURE'),
      expectCode(() => a.receiveProposal(by({ ...good, tag: 'close' })), 'UNEXPECTED_CLOSE'),
      expectCode(() => a.receiveCloseProposal(by({ ...good, tag: 'close' })), 'INVALID_TRANSITION'),
      expectCode(() => a.receiveCloseProposal(by({ ...latest, step: 1n })), 'INVALID_TRANSITION'),
      expectCode(() => a.importCommitted([signedBoth({ ...latest, step: 3n })]), 'STEP_GAP'),
      expectCode(() => a.importCommitted([signedBoth({ ...latest, step: 1n, balanceA: latest.balanceA + 1n })]), 'TOTAL_CHANGED'),
      expectCode(() => a.acceptCountersignature(Buffer.alloc(64)), 'NOTHING_TO_SIGN'),
    ];
    // step 2 is A's: B proposing it is out of turn
    a.receiveProposal(b.proposeEmpty());
    b.acceptCountersignature(a.countersign().sigA!);
    refused.push(expectCode(() => a.receiveProposal(by({ ...b.latest!.state, step: 2n })), 'NOT_YOUR_TURN'));
    for (const e of refused) {
      assert.ok(e.toPartner, `${e.code} has no words for the partner: it reads "${e.message}"`);
      assert.doesNotMatch(e.toPartner, /the partner|partner's|\bours\b|from us|our empty/i, e.toPartner);
    }
    assert.match(refused[1]!.toPartner!, /^your state for step 3 came when they expected step 1/);
    assert.match(refused.at(-1)!.toPartner!, /^you proposed step 2, which is theirs to create \(it is their turn\)/);
  });
});

describe('closing', () => {
  test('a close state agreed by both makes the channel FINAL; it only arrives as a close proposal', () => {
    const { a, b } = openPair();
    const c = b.proposeClose();
    assert.equal(c.state.tag, 'close');
    expectCode(() => a.receiveProposal(c), 'UNEXPECTED_CLOSE', /close proposal/);
    expectCode(() => a.receiveCloseProposal(signedBy({ ...c.state, balanceA: c.state.balanceA + 1n, balanceB: c.state.balanceB - 1n }, 'B', keysB.secretKey)), 'INVALID_TRANSITION', /latest balances/);
    expectCode(() => a.receiveCloseProposal(signedBy({ ...c.state, tag: 'state' }, 'B', keysB.secretKey)), 'INVALID_TRANSITION', /close-tagged/);
    assert.deepEqual(a.receiveCloseProposal(c), { step: 1n, kind: 'close', amount: 0n });
    const full = a.countersign();
    assert.equal(a.phase, 'FINAL');
    assert.equal(a.isClosing, true);
    b.acceptCountersignature(full.sigA!);
    assert.equal(b.phase, 'FINAL');
    assert.equal(b.latest!.state.tag, 'close');
    expectCode(() => a.proposePayment(1n), 'CHANNEL_CLOSING', /wait for the payout/);
    expectCode(() => a.receiveCloseProposal(c), 'CHANNEL_CLOSING');
    expectCode(() => b.requestTurn(), 'CHANNEL_CLOSING');
    a.markClosing();
    assert.equal(a.phase, 'CLOSING');
  });

  test('markClosing stops new states but still records a countersignature of our staged proposal', () => {
    const { a, b } = openPair();
    const p = b.proposePayment(TON);
    a.receiveProposal(p);
    const full = a.countersign();
    b.markClosing();
    assert.equal(b.phase, 'CLOSING');
    assert.equal(b.isClosing, true);
    assert.equal(b.isMyTurn, false);
    b.acceptCountersignature(full.sigA!);
    assert.equal(b.phase, 'CLOSING');
    assert.equal(b.latest!.state.step, 1n);
    expectCode(() => b.acceptCountersignature(full.sigA!), 'NOTHING_TO_SIGN');
    a.markClosing();
    a.markClosing();
    expectCode(() => a.proposeEmpty(), 'CHANNEL_CLOSING');
    expectCode(() => a.countersign(), 'NOTHING_TO_SIGN');
    expectCode(() => a.receiveTurnRequest(), 'CHANNEL_CLOSING');
    expectCode(() => a.receiveInitial(p, { depositA: 0n, depositB: 0n }), 'CHANNEL_CLOSING');
    expectCode(() => a.proposeInitial(1n, 1n), 'CHANNEL_CLOSING');
  });
});

describe('snapshots', () => {
  function roundTrip(ch: Channel, secret: Buffer): Channel {
    const back = Channel.restore(params, secret, ch.toSnapshot());
    assert.equal(back.phase, ch.phase);
    assert.equal(fingerprint(back), fingerprint(ch));
    return back;
  }

  test('restore gives the same machine in every phase, and it keeps working', () => {
    const a = new Channel(params, 'A', keysA.secretKey);
    const b = new Channel(params, 'B', keysB.secretKey);
    roundTrip(a, keysA.secretKey);
    const init = a.proposeInitial(4n * TON, 4n * TON);
    roundTrip(a, keysA.secretKey);
    b.receiveInitial(init, { depositA: 4n * TON, depositB: 4n * TON });
    let b2 = roundTrip(b, keysB.secretKey);
    let a2 = roundTrip(a, keysA.secretKey);
    a2.acceptCountersignature(b2.countersign().sigB!);
    b2 = roundTrip(b2, keysB.secretKey);
    b2.proposePayment(TON);
    b2 = roundTrip(b2, keysB.secretKey); // PROPOSED
    a2.receiveProposal(b2.staged!);
    a2 = roundTrip(a2, keysA.secretKey); // RECEIVED
    b2.acceptCountersignature(a2.countersign().sigA!);
    assert.equal(b2.requestTurn().atStep, 1n);
    b2 = roundTrip(b2, keysB.secretKey);
    assert.equal(b2.turnRequested, true);
    assert.equal(a2.receiveTurnRequest(), true);
    a2 = roundTrip(a2, keysA.secretKey);
    assert.equal(a2.partnerWantsTurn, true);
    a2.proposeClose();
    b2.receiveCloseProposal(a2.staged!);
    a2.acceptCountersignature(b2.countersign().sigB!);
    a2 = roundTrip(a2, keysA.secretKey); // FINAL
    assert.equal(a2.phase, 'FINAL');
    a2.markClosing();
    roundTrip(a2, keysA.secretKey); // CLOSING
    assert.equal(a2.myBalance, 5n * TON);
  });

  test('restore refuses corrupt snapshots and a foreign key', () => {
    const { a, b } = openPair();
    b.proposePayment(TON);
    a.receiveProposal(b.staged!);
    b.acceptCountersignature(a.countersign().sigA!);
    const snap = a.toSnapshot();
    const latest = snap.latest!;
    const restore = (s: typeof snap) => Channel.restore(params, keysA.secretKey, s);
    restore(snap);
    expectCode(() => Channel.restore(params, keysB.secretKey, snap), 'WRONG_KEY');
    const badSig = Buffer.from(latest.sigB!);
    badSig[5]! ^= 1;
    expectCode(() => restore({ ...snap, latest: { ...latest, sigB: badSig } }), 'CORRUPT_SNAPSHOT', /B's signature of step 1/);
    expectCode(() => restore({ ...snap, latest: signedBoth({ ...latest.state, channel: otherAddr }) }), 'CORRUPT_SNAPSHOT', /another channel/);
    expectCode(() => restore({ ...snap, latest: signedBoth({ ...latest.state, step: 0n, tag: 'close' }) }), 'CORRUPT_SNAPSHOT', /initial state is close-tagged/);
    const staged = { ...snap, staged: signedBoth({ ...latest.state, step: 5n }) };
    expectCode(() => restore(staged), 'CORRUPT_SNAPSHOT', /staged state has step 5/);
    const unsignedStage = { ...snap, staged: { state: { ...latest.state, step: 2n }, sigA: null, sigB: null } };
    expectCode(() => restore(unsignedStage), 'CORRUPT_SNAPSHOT', /creator A/);
    const moved = { ...snap, staged: signedBoth({ ...latest.state, step: 2n, balanceA: latest.state.balanceA + 1n, balanceB: latest.state.balanceB - 1n }) };
    expectCode(() => restore(moved), 'CORRUPT_SNAPSHOT', /moves money to its creator/);
    const total = { ...snap, staged: signedBoth({ ...latest.state, step: 2n, balanceA: 1n }) };
    expectCode(() => restore(total), 'CORRUPT_SNAPSHOT', /changes the total/);
  });

  test('signed state JSON round trip keeps the exact signed bytes', () => {
    const { a } = openPair();
    const s = a.latest!;
    const back = signedFromJson(signedToJson(s));
    assert.ok(statesEqual(back.state, s.state));
    assert.deepEqual(back.sigA, s.sigA);
    assert.deepEqual(back.sigB, s.sigB);
  });

  test('returned states are copies: mutating them does not change the machine', () => {
    const { a } = openPair();
    const l = a.latest!;
    l.sigA![0]! ^= 0xff;
    l.state.balanceA = 0n;
    assert.ok(verify(stateHash(a.latest!.state), a.latest!.sigA!, keysA.publicKey));
    assert.equal(a.myBalance, 5n * TON);
  });
});

describe('resync: importCommitted', () => {
  /** B and A pay each other n times; `lagging` (a copy of A at step 0) misses all of it. */
  function ahead(n: number) {
    const { a, b } = openPair();
    const lagging = Channel.restore(params, keysA.secretKey, a.toSnapshot());
    const states: SignedState[] = [];
    for (let i = 0; i < n; i++) {
      const [payer, payee] = i % 2 === 0 ? [b, a] : [a, b];
      payee.receiveProposal(payer.proposePayment(TON / 10n));
      const full = payee.countersign();
      payer.acceptCountersignature((payer.party === 'A' ? full.sigB : full.sigA)!);
      states.push(full);
    }
    return { a, b, lagging, states };
  }

  test('adds the states both signed that we lacked, in order, and keeps working', () => {
    const { a, lagging, states } = ahead(5);
    assert.equal(lagging.importCommitted(states), 5);
    assert.equal(fingerprint(lagging), fingerprint(a));
    assert.equal(lagging.importCommitted(states), 0, 'nothing new the second time');
    assert.equal(lagging.count, 6n);
  });

  test('refuses a gap, a forged signature, another channel, a changed total, and a state after a close', () => {
    const { lagging, states } = ahead(3);
    const before = fingerprint(lagging);
    expectCode(() => lagging.importCommitted([states[1]!]), 'STEP_GAP');
    expectCode(() => lagging.importCommitted([{ ...states[0]!, sigB: states[1]!.sigB }]), 'BAD_SIGNATURE');
    expectCode(() => lagging.importCommitted([signedBoth({ ...states[0]!.state, channel: otherAddr })]), 'WRONG_CHANNEL');
    expectCode(() => lagging.importCommitted([signedBoth({ ...states[0]!.state, balanceA: 1n })]), 'TOTAL_CHANGED');
    assert.equal(fingerprint(lagging), before, 'a refused import changes nothing');
    const close = signedBoth({ ...states[0]!.state, tag: 'close' });
    lagging.importCommitted([close]);
    assert.equal(lagging.phase, 'FINAL');
    expectCode(() => lagging.importCommitted([signedBoth({ ...states[1]!.state })]), 'CHANNEL_CLOSING');
  });

  test('in CLOSING it still imports (a newer state to challenge with)', () => {
    const { lagging, states } = ahead(2);
    lagging.markClosing();
    assert.equal(lagging.importCommitted(states), 2);
    assert.equal(lagging.phase, 'CLOSING');
  });
});

describe('equivocation', () => {
  test('two different states for one step signed by the partner', () => {
    const { a, b } = openPair();
    const p = b.proposePayment(TON);
    a.receiveProposal(p);
    a.countersign();
    const other = signedBy({ ...p.state, balanceA: p.state.balanceA + 1n, balanceB: p.state.balanceB - 1n }, 'B', keysB.secretKey);
    assert.equal(isEquivocation(p.state, other, 'B', keysB.publicKey), true);
    assert.equal(isEquivocation(p.state, p, 'B', keysB.publicKey), false, 'the same state twice is a resend');
    assert.equal(isEquivocation(p.state, signedBy(other.state, 'B', keysEve.secretKey), 'B', keysB.publicKey), false, 'a forgery is no evidence');
  });
});
