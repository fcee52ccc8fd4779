// Property tests of the channel machine: random sequences of operations by both parties, including
// invalid and hostile ones, through an in-memory relay that carries states as base64 BOC (as the wire does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Channel, creatorOf, otherParty, type Party, type SignedState } from '../../src/core/channel.js';
import { ChannelError } from '../../src/core/errors.js';
import { sign, verify } from '../../src/core/signer.js';
import { StateFormatError, stateFromBase64, stateHash, stateToBase64, stateTotal, statesEqual, type ChannelState } from '../../src/core/state.js';
import { TON, keysA, keysB, keysEve, otherAddr, params, secretOf } from './helpers.js';

type Msg =
  | { type: 'proposal'; boc: string; sig: Buffer }
  | { type: 'countersig'; sig: Buffer }
  | { type: 'turnRequest' };

/** What is wrong with a hand-made proposal ('none': it is a valid one). */
type Fault = 'none' | 'foreign' | 'eve' | 'total' | 'take' | 'step' | 'any';

type Op =
  | { k: 'pay'; p: Party | 'T'; amount: bigint }
  | { k: 'empty'; p: Party | 'T' }
  | { k: 'close'; p: Party | 'T' }
  | { k: 'request'; p: Party }
  | { k: 'deliver'; p: Party | 'T'; auto: boolean }
  | { k: 'tamper'; p: Party; target: 'boc' | 'sig'; bit: number }
  | { k: 'forge'; p: Party | 'T'; fault: Fault; stepDelta: number; move: bigint; totalDelta: bigint; close: boolean }
  | { k: 'markClosing'; p: Party };

const party = fc.constantFrom<Party>('A', 'B');
/** 'T' stands for whoever holds the turn when the operation runs, so runs make progress as well as mistakes. */
const proposer = fc.constantFrom<Party | 'T'>('A', 'B', 'T', 'T', 'T', 'T');
/** 'T' for a delivery: to whichever party has a message waiting (A first). */
const receiver = fc.constantFrom<Party | 'T'>('A', 'B', 'T', 'T', 'T', 'T');
const amount = fc.oneof(
  fc.bigInt({ min: 1n, max: 2n * TON }),
  fc.constantFrom(0n, -1n, 1n, 10n * TON, 100n * TON),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ k: fc.constant('pay' as const), p: proposer, amount }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('empty' as const), p: proposer }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('close' as const), p: proposer }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('request' as const), p: party }) },
  { weight: 30, arbitrary: fc.record({ k: fc.constant('deliver' as const), p: receiver, auto: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('tamper' as const), p: party, target: fc.constantFrom<'boc' | 'sig'>('boc', 'sig'), bit: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('forge' as const),
      // 'T': the receiver is the party without the turn, so the forger holds it and only the fault is wrong.
      p: fc.constantFrom<Party | 'T'>('A', 'B', 'T', 'T'),
      fault: fc.constantFrom<Fault>('none', 'foreign', 'eve', 'total', 'take', 'step', 'any'),
      stepDelta: fc.integer({ min: -1, max: 3 }),
      move: fc.bigInt({ min: -2n * TON, max: 2n * TON }),
      totalDelta: fc.bigInt({ min: -5n, max: 5n }),
      // A close-tagged forgery is valid only with the latest balances: rarer, so valid forgeries stay frequent.
      close: fc.constantFrom(false, false, false, true),
    }),
  },
  { weight: 1, arbitrary: fc.oneof({ weight: 1, arbitrary: fc.record({ k: fc.constant('markClosing' as const), p: party }) }, { weight: 3, arbitrary: fc.record({ k: fc.constant('deliver' as const), p: party, auto: fc.constant(true) }) }) },
);

function fingerprint(ch: Channel): string {
  const s = ch.toSnapshot();
  const ss = (x: SignedState | null) => (x ? `${stateToBase64(x.state)}/${x.sigA?.toString('hex')}/${x.sigB?.toString('hex')}` : '-');
  return `${ch.phase}|${ss(s.latest)}|${ss(s.staged)}|${s.turnRequested}|${s.partnerWantsTurn}`;
}

function fingerprintState(x: SignedState): string {
  return `${stateToBase64(x.state)}/${x.sigA?.toString('hex')}/${x.sigB?.toString('hex')}`;
}

function flipBit(buf: Buffer, bit: number): Buffer {
  const out = Buffer.from(buf);
  const i = bit % (out.length * 8);
  out[i >> 3]! ^= 1 << (i & 7);
  return out;
}

class World {
  readonly ch: Record<Party, Channel>;
  readonly inbox: Record<Party, Msg[]> = { A: [], B: [] };
  readonly total: bigint;
  readonly verified: Record<Party, number> = { A: 0, B: 0 };
  /** every state each party committed, in order (the machine keeps only the latest; the node's store keeps these) */
  readonly hist: Record<Party, SignedState[]> = { A: [], B: [] };
  stats = { accepted: 0, rejected: 0, committed: 0, tamperedIdentical: 0, validForgeries: 0 };

  constructor(depositA: bigint, depositB: bigint) {
    const a = new Channel(params, 'A', keysA.secretKey);
    const b = new Channel(params, 'B', keysB.secretKey);
    const init = a.proposeInitial(depositA, depositB);
    b.receiveInitial(init, { depositA, depositB });
    const full = b.countersign();
    a.acceptCountersignature(full.sigB!);
    this.ch = { A: a, B: b };
    this.hist.A.push(full);
    this.hist.B.push(full);
    this.total = depositA + depositB;
  }

  send(from: Party, msg: Msg): void {
    this.inbox[otherParty(from)].push(msg);
  }

  sendProposal(from: Party, s: SignedState): void {
    this.send(from, { type: 'proposal', boc: stateToBase64(s.state), sig: (from === 'A' ? s.sigA : s.sigB)! });
  }

  /** Applies a message as the node would; throws what the machine throws. */
  apply(to: Party, msg: Msg, auto: boolean): void {
    const me = this.ch[to];
    if (msg.type === 'countersig') {
      this.hist[to].push(me.acceptCountersignature(msg.sig));
      return;
    }
    if (msg.type === 'turnRequest') {
      me.receiveTurnRequest();
      if (auto && me.isMyTurn) this.sendProposal(to, me.proposeEmpty());
      return;
    }
    const state = stateFromBase64(msg.boc);
    const from = otherParty(to);
    const signed = { state, sigA: from === 'A' ? msg.sig : null, sigB: from === 'B' ? msg.sig : null };
    // As the node does: a close state travels as a close proposal.
    if (state.tag === 'close') me.receiveCloseProposal(signed);
    else me.receiveProposal(signed);
    const full = me.countersign();
    this.hist[to].push(full);
    this.send(to, { type: 'countersig', sig: (to === 'A' ? full.sigA : full.sigB)! });
    // Automatic mode: pass the turn back at once, piggybacked on the countersignature.
    if (auto && me.isMyTurn) this.sendProposal(to, me.proposeEmpty());
  }

  run(anyOp: Op): void {
    // The turn as seen by the party that is ahead (it committed the latest state first).
    const ahead = this.ch.A.count >= this.ch.B.count ? this.ch.A : this.ch.B;
    const holder = (): Party =>
      anyOp.k === 'deliver' ? (this.inbox.A.length ? 'A' : 'B') : anyOp.k === 'forge' ? otherParty(ahead.turn ?? 'A') : (ahead.turn ?? 'A');
    const op = anyOp.p === 'T' ? { ...anyOp, p: holder() } : anyOp;
    if (op.p === 'T') throw new Error('unreachable');
    const me = this.ch[op.p];
    switch (op.k) {
      case 'pay':
      case 'empty':
      case 'close': {
        const latest = me.latest!.state;
        const mayPropose = me.phase === 'OPEN' && creatorOf(latest.step + 1n) === op.p;
        const amountOk = op.k !== 'pay' || (op.amount > 0n && op.amount <= me.myBalance);
        const before = fingerprint(me);
        try {
          const s = op.k === 'pay' ? me.proposePayment(op.amount) : op.k === 'empty' ? me.proposeEmpty() : me.proposeClose();
          assert.ok(mayPropose && amountOk, `${op.p} proposed without the turn or with a bad amount (${me.phase})`);
          assert.equal(s.state.step, latest.step + 1n, 'a proposal is latest + 1');
          assert.equal(stateTotal(s.state), this.total);
          this.sendProposal(op.p, s);
        } catch (e) {
          if (!(e instanceof ChannelError)) throw e;
          assert.ok(!(mayPropose && amountOk), `a valid proposal was refused: ${e.code} ${e.message}`);
          if (me.phase === 'OPEN' && !mayPropose) assert.equal(e.code, 'NOT_YOUR_TURN');
          if (mayPropose && !amountOk) assert.ok(e.code === 'AMOUNT_NOT_POSITIVE' || e.code === 'INSUFFICIENT_BALANCE', e.code);
          assert.equal(fingerprint(me), before, 'a refused proposal changes nothing');
        }
        return;
      }
      case 'request': {
        try {
          me.requestTurn();
          this.send(op.p, { type: 'turnRequest' });
        } catch (e) {
          if (!(e instanceof ChannelError)) throw e;
          assert.ok(e.code !== 'ALREADY_YOUR_TURN' || me.isMyTurn);
        }
        return;
      }
      case 'deliver': {
        const msg = this.inbox[op.p].shift();
        if (!msg) return;
        try {
          this.apply(op.p, msg, op.auto);
          this.stats.accepted++;
        } catch (e) {
          if (!(e instanceof ChannelError)) throw e;
          // Genuine messages delivered in order are always accepted, unless the receiver is closing.
          assert.ok(me.isClosing, `a genuine ${msg.type} was refused: ${e.code}: ${e.message}`);
        }
        return;
      }
      case 'tamper': {
        const msg = this.inbox[op.p][0];
        if (!msg || msg.type === 'turnRequest') return;
        let bad: Msg;
        if (msg.type === 'countersig' || op.target === 'sig') {
          bad = { ...msg, sig: flipBit(msg.sig, op.bit) };
        } else {
          const boc = flipBit(Buffer.from(msg.boc, 'base64'), op.bit).toString('base64');
          try {
            const s = stateFromBase64(boc);
            if (statesEqual(s, stateFromBase64(msg.boc)) && stateHash(s).equals(stateHash(stateFromBase64(msg.boc)))) {
              this.stats.tamperedIdentical++; // the flip hit BOC framing that decodes to the same signed cell
              return;
            }
          } catch (e) {
            assert.ok(e instanceof StateFormatError);
            this.stats.rejected++;
            return;
          }
          bad = { ...msg, boc };
        }
        const before = fingerprint(me);
        assert.throws(() => this.apply(op.p, bad, false), ChannelError, `a flipped bit in a ${bad.type} was accepted`);
        assert.equal(fingerprint(me), before, 'a refused message changes nothing');
        this.stats.rejected++;
        return;
      }
      case 'forge': {
        // The partner of `p` makes a proposal by hand, bypassing its own machine, and `p` receives it.
        const forger = otherParty(op.p);
        const latest = me.latest!.state;
        const f = op.fault;
        const step = latest.step + (f === 'step' || f === 'any' ? BigInt(op.stepDelta) : 1n);
        if (step < 0n) return;
        const move = f === 'take' ? -(op.move < 0n ? -op.move : op.move) - 1n : f === 'any' ? op.move : op.move < 0n ? -op.move : op.move;
        const totalDelta = f === 'total' ? (op.totalDelta === 0n ? 1n : op.totalDelta) : f === 'any' ? op.totalDelta : 0n;
        const foreign = f === 'foreign' || (f === 'any' && op.totalDelta > 3n);
        const eve = f === 'eve' || (f === 'any' && op.totalDelta < -3n);
        const dA = forger === 'A' ? -move : move;
        const s: ChannelState = {
          tag: op.close ? 'close' : 'state',
          channel: foreign ? otherAddr : params.channel,
          step,
          balanceA: latest.balanceA + dA + totalDelta,
          balanceB: latest.balanceB - dA,
        };
        if (s.balanceA < 0n || s.balanceB < 0n) return;
        const sig = sign(stateHash(s), eve ? keysEve.secretKey : secretOf(forger));
        const valid =
          me.phase === 'OPEN' &&
          !foreign &&
          step === latest.step + 1n &&
          creatorOf(step) === forger &&
          totalDelta === 0n &&
          move >= 0n &&
          (s.tag === 'state' || move === 0n) &&
          !eve;
        if (valid) this.stats.validForgeries++;
        const snap = me.toSnapshot();
        const before = fingerprint(me);
        try {
          const forged = { state: s, sigA: forger === 'A' ? sig : null, sigB: forger === 'B' ? sig : null };
          if (s.tag === 'close') me.receiveCloseProposal(forged);
          else me.receiveProposal(forged);
          assert.ok(valid, `a forged proposal was accepted: ${JSON.stringify(op, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
          assert.equal(creatorOf(step), forger, 'only the turn holder\'s proposals are accepted');
          // A valid hand-made proposal: the machine accepted it, as it should. Undo it to keep the world consistent.
          this.ch[op.p] = Channel.restore(params, secretOf(op.p), snap);
          assert.equal(fingerprint(this.ch[op.p]), before);
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          assert.ok(e instanceof ChannelError, String(e));
          assert.ok(!valid, `a valid proposal was refused: ${e.code} ${e.message}`);
          assert.equal(fingerprint(me), before, 'a refused proposal changes nothing');
          this.stats.rejected++;
        }
        return;
      }
      case 'markClosing':
        me.markClosing();
        return;
    }
  }

  /** The invariants that must hold after every operation. */
  check(): void {
    for (const p of ['A', 'B'] as const) {
      const h = this.hist[p];
      assert.equal(BigInt(h.length), this.ch[p].count, 'the machine counts every committed state');
      if (h.length) assert.equal(fingerprintState(h[h.length - 1]!), fingerprintState(this.ch[p].latest!), 'the latest is the last committed');
      h.forEach((s, i) => {
        assert.equal(s.state.step, BigInt(i), 'steps rise by exactly one from 0');
        assert.equal(stateTotal(s.state), this.total, 'the total is conserved');
        assert.ok(s.state.balanceA >= 0n && s.state.balanceB >= 0n);
        assert.ok(s.state.channel.equals(params.channel));
        if (i > 0) {
          const creator = creatorOf(s.state.step);
          const prev = h[i - 1]!.state;
          const bal = (x: ChannelState) => (creator === 'A' ? x.balanceA : x.balanceB);
          assert.ok(bal(s.state) <= bal(prev), 'no committed state moves money to its creator');
          assert.equal(prev.tag, 'state', 'nothing follows a close state');
        }
      });
      for (let i = this.verified[p]; i < h.length; i++) {
        const s = h[i]!;
        const hash = stateHash(s.state);
        assert.ok(verify(hash, s.sigA!, keysA.publicKey) && verify(hash, s.sigB!, keysB.publicKey), 'both signatures on every committed state');
      }
      this.verified[p] = h.length;
      const staged = this.ch[p].staged;
      const latest = this.ch[p].latest!;
      if (staged) {
        assert.equal(staged.state.step, latest.state.step + 1n);
        assert.equal(stateTotal(staged.state), this.total);
      }
    }
    const ha = this.hist.A;
    const hb = this.hist.B;
    const [short, long] = ha.length <= hb.length ? [ha, hb] : [hb, ha];
    assert.ok(long.length - short.length <= 1, 'the parties are at most one committed state apart');
    short.forEach((s, i) => {
      const o = long[i]!;
      assert.ok(statesEqual(s.state, o.state) && s.sigA!.equals(o.sigA!) && s.sigB!.equals(o.sigB!), `histories differ at step ${i}`);
    });
  }
}

const deposits = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n * TON }), fc.bigInt({ min: 0n, max: 10n * TON }))
  .filter(([a, b]) => a + b > 0n);

test('random operations by both parties: totals conserved, steps +1, only the turn holder proposes, tampering rejected, histories are prefixes', () => {
  const totals = { accepted: 0, rejected: 0, committed: 0, tamperedIdentical: 0, validForgeries: 0 };
  fc.assert(
    fc.property(deposits, fc.array(opArb, { minLength: 10, maxLength: 60, size: 'max' }), ([dA, dB], ops) => {
      const w = new World(dA, dB);
      w.check();
      for (const op of ops) {
        w.run(op);
        w.check();
      }
      // Drain the relay in order: everything genuine still applies and both end at the same step.
      for (let guard = 0; guard < 20 && (w.inbox.A.length || w.inbox.B.length); guard++) {
        w.run({ k: 'deliver', p: 'A', auto: false });
        w.run({ k: 'deliver', p: 'B', auto: false });
        w.check();
      }
      if (!w.ch.A.isClosing && !w.ch.B.isClosing) {
        assert.equal(w.ch.A.count, w.ch.B.count, 'after draining, both committed the same states');
        assert.equal(w.ch.A.staged, null);
        assert.equal(w.ch.B.staged, null);
      }
      totals.accepted += w.stats.accepted;
      totals.rejected += w.stats.rejected;
      totals.committed += w.hist.A.length;
      totals.tamperedIdentical += w.stats.tamperedIdentical;
      totals.validForgeries += w.stats.validForgeries;
    }),
    { numRuns: 200 },
  );
  // The runs must actually exercise the machine, not only its refusals.
  console.log(`# ${JSON.stringify(totals)}`);
  assert.ok(totals.committed > 600, `too few committed states: ${totals.committed}`);
  assert.ok(totals.rejected > 200, `too few rejections: ${totals.rejected}`);
  assert.ok(totals.validForgeries > 10, `too few valid hand-made proposals: ${totals.validForgeries}`);
});

test('every single-bit flip of a proposal BOC or its signature is rejected (exhaustive over one state)', () => {
  const w = new World(5n * TON, 3n * TON);
  const p = w.ch.B.proposePayment(TON);
  const boc = Buffer.from(stateToBase64(p.state), 'base64');
  const sig = p.sigB!;
  const original = p.state;
  let identical = 0;
  const a = w.ch.A;
  const before = fingerprint(a);
  for (let bit = 0; bit < boc.length * 8; bit++) {
    const flipped = flipBit(boc, bit);
    let state: ChannelState;
    try {
      state = stateFromBase64(flipped.toString('base64'));
    } catch (e) {
      assert.ok(e instanceof StateFormatError);
      continue;
    }
    if (stateHash(state).equals(stateHash(original))) {
      identical++; // BOC framing that decodes to the very same cell: the signed bytes did not change
      continue;
    }
    assert.throws(() => a.receiveProposal({ state, sigA: null, sigB: sig }), ChannelError, `bit ${bit}`);
  }
  for (let bit = 0; bit < sig.length * 8; bit++) {
    assert.throws(() => a.receiveProposal({ state: original, sigA: null, sigB: flipBit(sig, bit) }), (e: unknown) => e instanceof ChannelError && e.code === 'BAD_SIGNATURE', `sig bit ${bit}`);
  }
  assert.equal(fingerprint(a), before);
  assert.ok(identical < boc.length * 8 / 4, `most flips must change the cell (identical: ${identical})`);
  a.receiveProposal({ state: original, sigA: null, sigB: sig });
  // And the countersignature: every flipped bit is refused by the proposer.
  const full = a.countersign();
  for (let bit = 0; bit < 512; bit += 7) {
    assert.throws(() => w.ch.B.acceptCountersignature(flipBit(full.sigA!, bit)), (e: unknown) => e instanceof ChannelError && e.code === 'BAD_SIGNATURE');
  }
  w.ch.B.acceptCountersignature(full.sigA!);
  assert.equal(w.ch.B.latest!.state.step, 1n);
});
