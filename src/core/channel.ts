// The off-chain channel state machine. Pure and synchronous: no I/O, no clocks. See docs/architecture.md.
//
// Shape (after go-perun's channel machine): explicit phases and a transition table (transitions.ts) consulted by
// every operation, a *staged* state (proposed, awaiting a signature) kept apart from the *committed* one (the
// latest state signed by both). Both signatures are verified before anything is committed. The machine keeps
// only the latest committed state: the history lives in the node's store (every state both signed is kept there).
//
// Turn rule (deterministic, so the parties can never both hold the turn): step 0 (the initial state, balances =
// on-chain deposits) is created by A; step n is created by A when n is even and by B when n is odd. Each state
// is created by the party that did not create the previous one, so an empty state hands the turn over.
import type { Address } from '@ton/core';
import { formatTon } from './amounts.js';
import { ChannelError } from './errors.js';
import { balanceOf, copySigned, otherParty, sigOf, type Party, type SignedState } from './signed.js';
import { sign, verify } from './signer.js';
import { MAX_STEP, stateHash, stateTotal, statesEqual, type ChannelState } from './state.js';
import { TRANSITIONS, type ChannelOp, type ChannelPhase, type TransitionRule } from './transitions.js';

export { otherParty, type Party, type SignedState } from './signed.js';
export { TRANSITIONS, type ChannelOp, type ChannelPhase, type TransitionRule } from './transitions.js';

export interface ChannelParams {
  /** The channel contract's address: every state names it. */
  channel: Address;
  /** A's channel key (32 bytes) */
  publicKeyA: Buffer;
  /** B's channel key (32 bytes) */
  publicKeyB: Buffer;
}

/** The party that creates (proposes and signs first) the state of `step`. */
export function creatorOf(step: bigint): Party {
  return step % 2n === 0n ? 'A' : 'B';
}

/** What the machine keeps, for the store (the history is the store's). */
export interface ChannelSnapshot {
  party: Party;
  /** The latest state both signed, or null before step 0 is countersigned. */
  latest: SignedState | null;
  /** The staged state (ours awaiting a countersignature, or the partner's awaiting ours). */
  staged: SignedState | null;
  /** The chain reported a close. */
  closing: boolean;
  /** We asked the partner for the turn and have not had it since. */
  turnRequested: boolean;
  /** The partner asked us for the turn and we have not passed it since. */
  partnerWantsTurn: boolean;
}

/** What a received proposal means for us (for the UI and the node's events). */
export interface ProposalInfo {
  step: bigint;
  kind: 'initial' | 'payment' | 'empty' | 'close';
  /** nanotons moved from the proposer to us (0 for empty, initial and close states) */
  amount: bigint;
}

/** Two states for the same step, both carrying the partner's valid signature, that differ: equivocation. */
export function isEquivocation(ours: ChannelState, theirs: SignedState, partner: Party, partnerKey: Buffer): boolean {
  if (ours.step !== theirs.state.step || statesEqual(ours, theirs.state)) return false;
  const sig = sigOf(theirs, partner);
  return !!sig && verify(stateHash(theirs.state), sig, partnerKey);
}

export class Channel {
  readonly params: ChannelParams;
  readonly party: Party;
  readonly partner: Party;
  readonly #secretKey: Buffer;
  #phase: ChannelPhase = 'NEW';
  #latest: SignedState | null = null;
  #staged: SignedState | null = null;
  #turnRequested = false;
  #partnerWantsTurn = false;

  /** A fresh channel (no states) for `party`, whose channel secret key (64 bytes) is `secretKey`. */
  constructor(params: ChannelParams, party: Party, secretKey: Buffer) {
    if (party !== 'A' && party !== 'B') throw new ChannelError('INVALID_TRANSITION', `party must be 'A' or 'B', got ${String(party)}`);
    const mine = party === 'A' ? params.publicKeyA : params.publicKeyB;
    const probe = Buffer.from('synchannel key check');
    if (!verify(probe, sign(probe, secretKey), mine)) {
      throw new ChannelError('WRONG_KEY', `the secret key is not party ${party}'s channel key: use the key pair whose public key the channel was opened with`, { party });
    }
    this.params = { channel: params.channel, publicKeyA: Buffer.from(params.publicKeyA), publicKeyB: Buffer.from(params.publicKeyB) };
    this.party = party;
    this.partner = otherParty(party);
    this.#secretKey = Buffer.from(secretKey);
  }

  /**
   * Rebuilds a channel from a snapshot, re-checking it: the latest state names this channel and carries both
   * valid signatures; the staged state follows it (step, total, creator's signature, no money to its creator).
   * Throws CORRUPT_SNAPSHOT.
   */
  static restore(params: ChannelParams, secretKey: Buffer, snapshot: ChannelSnapshot): Channel {
    const ch = new Channel(params, snapshot.party, secretKey);
    const corrupt = (why: string): never => {
      throw new ChannelError('CORRUPT_SNAPSHOT', `the stored channel is inconsistent (${why}): restore it from a backup or resync with the partner`);
    };
    const latest = snapshot.latest;
    if (latest) {
      const st = latest.state;
      if (!st.channel.equals(params.channel)) corrupt(`step ${st.step} names another channel`);
      if (st.step === 0n && st.tag !== 'state') corrupt('the initial state is close-tagged');
      const h = stateHash(st);
      if (!latest.sigA || !verify(h, latest.sigA, params.publicKeyA)) corrupt(`A's signature of step ${st.step} is invalid`);
      if (!latest.sigB || !verify(h, latest.sigB, params.publicKeyB)) corrupt(`B's signature of step ${st.step} is invalid`);
      ch.#latest = copySigned(latest);
    }
    if (snapshot.staged) ch.#staged = ch.#checkStaged(snapshot.staged, corrupt);
    ch.#turnRequested = snapshot.turnRequested === true;
    ch.#partnerWantsTurn = snapshot.partnerWantsTurn === true;
    ch.#phase = ch.#derivePhase(snapshot.closing === true);
    return ch;
  }

  #checkStaged(staged: SignedState, corrupt: (why: string) => never): SignedState {
    const st = staged.state;
    const latest = this.#latest?.state ?? null;
    const expected = latest ? latest.step + 1n : 0n;
    if (st.step !== expected) corrupt(`the staged state has step ${st.step}, expected ${expected}`);
    if (!st.channel.equals(this.params.channel)) corrupt('the staged state names another channel');
    if (latest && latest.tag === 'close') corrupt('a state is staged after the close state');
    const creator = creatorOf(st.step);
    const sig = sigOf(staged, creator);
    if (!sig || !verify(stateHash(st), sig, this.publicKeyOf(creator))) corrupt(`the staged state lacks a valid signature of its creator ${creator}`);
    if (latest) {
      if (stateTotal(st) !== stateTotal(latest)) corrupt('the staged state changes the total');
      if (balanceOf(st, creator) > balanceOf(latest, creator)) corrupt('the staged state moves money to its creator');
    }
    // Keep only the creator's signature: with both it would be a committed state.
    const creatorSig = Buffer.from(sig as Buffer);
    return { state: { ...st }, sigA: creator === 'A' ? creatorSig : null, sigB: creator === 'B' ? creatorSig : null };
  }

  #derivePhase(closingFlag: boolean): ChannelPhase {
    if (closingFlag) return 'CLOSING';
    const latest = this.#latest;
    if (!latest) {
      if (!this.#staged) return 'NEW';
      return creatorOf(0n) === this.party ? 'INIT_PROPOSED' : 'INIT_RECEIVED';
    }
    if (latest.state.tag === 'close') return 'FINAL';
    if (!this.#staged) return 'OPEN';
    return creatorOf(this.#staged.state.step) === this.party ? 'PROPOSED' : 'RECEIVED';
  }

  toSnapshot(): ChannelSnapshot {
    return {
      party: this.party,
      latest: this.#latest ? copySigned(this.#latest) : null,
      staged: this.#staged ? copySigned(this.#staged) : null,
      closing: this.#phase === 'CLOSING',
      turnRequested: this.#turnRequested,
      partnerWantsTurn: this.#partnerWantsTurn,
    };
  }

  // ---- queries --------------------------------------------------------------------------------------

  get phase(): ChannelPhase {
    return this.#phase;
  }

  /** The latest committed state (signed by both), or null before the initial state is countersigned. */
  get latest(): SignedState | null {
    return this.#latest ? copySigned(this.#latest) : null;
  }

  /** How many states both signed exist (the latest step + 1). */
  get count(): bigint {
    return this.#latest ? this.#latest.state.step + 1n : 0n;
  }

  /** The staged state: our proposal awaiting the partner's signature, or the partner's awaiting ours. */
  get staged(): SignedState | null {
    return this.#staged ? copySigned(this.#staged) : null;
  }

  /** Who created the staged state, or null when nothing is staged. */
  get stagedBy(): Party | null {
    return this.#staged ? creatorOf(this.#staged.state.step) : null;
  }

  /** The partner's proposal awaiting our countersignature, if any. */
  get pending(): SignedState | null {
    return this.stagedBy === this.partner ? this.staged : null;
  }

  /** Who creates the next state (the turn holder), or null before the channel is open. */
  get turn(): Party | null {
    return this.#latest ? creatorOf(this.#latest.state.step + 1n) : null;
  }

  /** True when we may propose now: open, nothing staged, and the next step is ours. */
  get isMyTurn(): boolean {
    return this.#phase === 'OPEN' && this.turn === this.party;
  }

  get myBalance(): bigint {
    return this.balanceOf(this.party);
  }

  get partnerBalance(): bigint {
    return this.balanceOf(this.partner);
  }

  /** A party's balance in the latest committed state (0 before the channel is open). */
  balanceOf(p: Party): bigint {
    return this.#latest ? balanceOf(this.#latest.state, p) : 0n;
  }

  get total(): bigint {
    return this.#latest ? stateTotal(this.#latest.state) : 0n;
  }

  get isClosing(): boolean {
    return this.#phase === 'CLOSING' || this.#phase === 'FINAL';
  }

  /** We asked for the turn and have not received it since. */
  get turnRequested(): boolean {
    return this.#turnRequested;
  }

  /** The partner asked for the turn and we have not passed it since (auto mode answers with proposeEmpty). */
  get partnerWantsTurn(): boolean {
    return this.#partnerWantsTurn;
  }

  publicKeyOf(p: Party): Buffer {
    return p === 'A' ? this.params.publicKeyA : this.params.publicKeyB;
  }

  /** The rule of the transition table for `op` in the current phase. */
  rule(op: ChannelOp): TransitionRule {
    return TRANSITIONS[this.#phase][op];
  }

  /** Whether the table allows `op` now (data guards such as the turn may still reject it). */
  can(op: ChannelOp): boolean {
    return 'to' in this.rule(op);
  }

  // ---- operations -----------------------------------------------------------------------------------

  /** A: creates and signs the initial state (step 0, balances = the deposits). Send it to B. */
  proposeInitial(depositA: bigint, depositB: bigint): SignedState {
    this.#check('proposeInitial');
    if (this.party !== 'A') {
      throw new ChannelError('INVALID_TRANSITION', 'only A creates the initial state: wait for it from A (receiveInitial)');
    }
    if (depositA < 0n || depositB < 0n) {
      throw new ChannelError('AMOUNT_NOT_POSITIVE', `a deposit is negative (A ${depositA}, B ${depositB} nanotons): use the deposits the contract holds`);
    }
    if (depositA + depositB === 0n) {
      throw new ChannelError('AMOUNT_NOT_POSITIVE', 'both deposits are zero: a channel needs money in it; deposit first');
    }
    const state: ChannelState = { tag: 'state', channel: this.params.channel, step: 0n, balanceA: depositA, balanceB: depositB };
    return this.#stageOwn(state, 'proposeInitial');
  }

  /**
   * B: takes A's initial state, checking it is this channel's step 0 with exactly the deposits B
   * expects (read from the contract) and A's valid signature. Then call countersign().
   */
  receiveInitial(signed: SignedState, expected: { depositA: bigint; depositB: bigint }): ProposalInfo {
    this.#check('receiveInitial');
    if (this.party !== 'B') {
      throw new ChannelError('INVALID_TRANSITION', 'only B receives the initial state; A creates it with proposeInitial');
    }
    const st = signed.state;
    this.#checkChannel(st);
    if (st.step !== 0n) {
      throw new ChannelError('STEP_GAP', `expected the initial state (step 0), got step ${st.step}: resync with the partner`, { expected: 0n, got: st.step });
    }
    if (st.tag !== 'state') throw new ChannelError('INVALID_TRANSITION', 'the initial state must be a running state, not a close state: ask A to send step 0 again');
    if (st.balanceA !== expected.depositA || st.balanceB !== expected.depositB) {
      throw new ChannelError(
        'INITIAL_MISMATCH',
        `the initial state gives A ${formatTon(st.balanceA)} TON and B ${formatTon(st.balanceB)} TON, but the deposits are A ${formatTon(expected.depositA)} TON and B ${formatTon(expected.depositB)} TON: wait until the contract is locked and ask A for a new initial state`,
      );
    }
    this.#checkSig(st, sigOf(signed, 'A'), 'A');
    this.#staged = { state: { ...st }, sigA: Buffer.from(signed.sigA!), sigB: null };
    this.#go('receiveInitial', 'INIT_RECEIVED');
    return { step: 0n, kind: 'initial', amount: 0n };
  }

  /** With the turn: pay `amount` nanotons to the partner. Returns our signed proposal to send. */
  proposePayment(amount: bigint): SignedState {
    const latest = this.#checkPropose();
    if (amount <= 0n) {
      throw new ChannelError('AMOUNT_NOT_POSITIVE', `a payment must be more than zero, got ${formatTon(amount)} TON; to pass the turn without paying, propose an empty state`);
    }
    const have = balanceOf(latest, this.party);
    if (amount > have) {
      throw new ChannelError('INSUFFICIENT_BALANCE', `you have ${formatTon(have)} TON, asked ${formatTon(amount)} TON: pay at most your balance`, { have, asked: amount });
    }
    const delta = this.party === 'A' ? -amount : amount;
    return this.#stageOwn({ ...latest, tag: 'state', step: latest.step + 1n, balanceA: latest.balanceA + delta, balanceB: latest.balanceB - delta }, 'propose');
  }

  /** With the turn: an unchanged state that hands the turn to the partner. */
  proposeEmpty(): SignedState {
    const latest = this.#checkPropose();
    return this.#stageOwn({ ...latest, tag: 'state', step: latest.step + 1n }, 'propose');
  }

  /** With the turn: a close-tagged state with the latest balances, for a cooperative close on chain. */
  proposeClose(): SignedState {
    const latest = this.#checkPropose();
    return this.#stageOwn({ ...latest, tag: 'close', step: latest.step + 1n }, 'propose');
  }

  /**
   * Takes the partner's proposal (their state with their signature). Checks, in order: channel address,
   * step = latest + 1, that the step is the partner's to create, the total, that the partner's balance did
   * not grow, the partner's signature. A close-tagged state is refused here (it comes through
   * receiveCloseProposal). Then call countersign().
   */
  receiveProposal(signed: SignedState): ProposalInfo {
    this.#check('receiveProposal');
    if (signed.state.tag === 'close') {
      throw new ChannelError('UNEXPECTED_CLOSE', 'a close-tagged state arrived as an ordinary proposal: rejected; a close is agreed only through a close proposal');
    }
    return this.#receive(signed, 'receiveProposal');
  }

  /** Takes the partner's cooperative-close proposal: a close-tagged state with the latest balances. */
  receiveCloseProposal(signed: SignedState): ProposalInfo {
    this.#check('receiveCloseProposal');
    const latest = this.#latest!.state;
    const st = signed.state;
    if (st.tag !== 'close') throw new ChannelError('INVALID_TRANSITION', 'a close proposal must carry a close-tagged state');
    if (st.balanceA !== latest.balanceA || st.balanceB !== latest.balanceB) {
      throw new ChannelError('INVALID_TRANSITION', `a close state keeps the latest balances (A ${formatTon(latest.balanceA)}, B ${formatTon(latest.balanceB)} TON): rejected`);
    }
    return this.#receive(signed, 'receiveCloseProposal');
  }

  #receive(signed: SignedState, op: 'receiveProposal' | 'receiveCloseProposal'): ProposalInfo {
    const latest = this.#latest!.state;
    const st = signed.state;
    this.#checkChannel(st);
    const expected = latest.step + 1n;
    if (st.step !== expected) {
      throw new ChannelError('STEP_GAP', `expected step ${expected}, got ${st.step}: the parties are out of sync; resync (exchange latest steps and resend the missing states)`, {
        expected,
        got: st.step,
      });
    }
    if (creatorOf(st.step) !== this.partner) {
      throw new ChannelError('NOT_YOUR_TURN', `the partner proposed step ${st.step}, but that step is ours to create: the partner must request the turn (requestEmpty) and wait for our empty state`, {
        step: st.step,
      });
    }
    if (stateTotal(st) !== stateTotal(latest)) {
      throw new ChannelError('TOTAL_CHANGED', `the proposal holds ${formatTon(stateTotal(st))} TON in total, the channel holds ${formatTon(stateTotal(latest))} TON: rejected; the partner must propose a state with the same total`);
    }
    const before = balanceOf(latest, this.partner);
    const after = balanceOf(st, this.partner);
    if (after > before) {
      throw new ChannelError('BALANCE_TAKEN', `the proposal moves ${formatTon(after - before)} TON from us to the partner: rejected; only the payer proposes a payment`, { amount: after - before });
    }
    this.#checkSig(st, sigOf(signed, this.partner), this.partner);
    const sig = Buffer.from(sigOf(signed, this.partner)!);
    this.#staged = { state: { ...st }, sigA: this.partner === 'A' ? sig : null, sigB: this.partner === 'B' ? sig : null };
    this.#go(op, 'RECEIVED');
    const amount = before - after;
    return { step: st.step, kind: st.tag === 'close' ? 'close' : amount > 0n ? 'payment' : 'empty', amount };
  }

  /** Signs the partner's staged state (initial or proposal) and commits it. Returns it with both signatures. */
  countersign(): SignedState {
    this.#check('countersign');
    const staged = this.#staged;
    if (!staged || creatorOf(staged.state.step) === this.party) {
      throw new ChannelError('NOTHING_TO_SIGN', 'no state of the partner awaits our signature');
    }
    const mySig = sign(stateHash(staged.state), this.#secretKey);
    const full: SignedState = {
      state: staged.state,
      sigA: this.party === 'A' ? mySig : staged.sigA,
      sigB: this.party === 'B' ? mySig : staged.sigB,
    };
    this.#commit(full, 'countersign');
    // The partner created this state, so the turn is now ours.
    this.#turnRequested = false;
    return copySigned(full);
  }

  /** The partner's signature of our staged proposal: verifies it and commits the state. */
  acceptCountersignature(sig: Buffer): SignedState {
    this.#check('acceptCountersignature');
    const staged = this.#staged;
    if (!staged || creatorOf(staged.state.step) !== this.party) {
      throw new ChannelError('NOTHING_TO_SIGN', 'no proposal of ours awaits a countersignature');
    }
    this.#checkSig(staged.state, sig, this.partner);
    const full: SignedState = {
      state: staged.state,
      sigA: this.partner === 'A' ? Buffer.from(sig) : staged.sigA,
      sigB: this.partner === 'B' ? Buffer.from(sig) : staged.sigB,
    };
    this.#commit(full, 'acceptCountersignature');
    return copySigned(full);
  }

  /**
   * States both signed that the partner had and we lacked (resync), oldest first, starting right after our
   * latest. Each must name this channel, carry both valid signatures, keep the total, and follow the previous
   * step; nothing may follow a close state. A staged state they supersede is dropped. Returns how many were new.
   */
  importCommitted(states: readonly SignedState[]): number {
    const fresh = states.filter((s) => !this.#latest || s.state.step > this.#latest.state.step);
    if (!fresh.length) return 0;
    this.#check('importCommitted');
    let prev = this.#latest?.state ?? null;
    for (const s of fresh) {
      const st = s.state;
      this.#checkChannel(st);
      const expected = prev ? prev.step + 1n : 0n;
      if (st.step !== expected) throw new ChannelError('STEP_GAP', `resync: expected step ${expected}, got ${st.step}`, { expected, got: st.step });
      if (prev && stateTotal(st) !== stateTotal(prev)) throw new ChannelError('TOTAL_CHANGED', `resync: step ${st.step} changes the channel total: rejected`);
      if (prev && prev.tag === 'close') throw new ChannelError('INVALID_TRANSITION', `resync: a state follows the close state of step ${prev.step}: rejected`);
      if (!prev && st.tag !== 'state') throw new ChannelError('INVALID_TRANSITION', 'resync: the initial state cannot be a close state');
      this.#checkSig(st, s.sigA, 'A');
      this.#checkSig(st, s.sigB, 'B');
      prev = st;
    }
    const last = fresh[fresh.length - 1]!;
    this.#latest = copySigned(last);
    if (this.#staged && this.#staged.state.step <= last.state.step) this.#staged = null;
    if (this.#staged && last.state.tag === 'close') this.#staged = null;
    const next = this.#phase === 'CLOSING' ? 'CLOSING' : this.#derivePhase(false);
    this.#go('importCommitted', next);
    return fresh.length;
  }

  /**
   * Without the turn: records that we asked for it (send a turn request; the partner answers with an
   * empty state). Returns the latest committed step the request refers to.
   */
  requestTurn(): { atStep: bigint } {
    this.#check('requestTurn');
    const latest = this.#latest!.state;
    if (this.#phase === 'OPEN' && creatorOf(latest.step + 1n) === this.party) {
      throw new ChannelError('ALREADY_YOUR_TURN', 'the turn is already ours: propose a payment or an empty state');
    }
    this.#turnRequested = true;
    this.#go('requestTurn', this.#phase);
    return { atStep: latest.step };
  }

  /**
   * The partner asked for the turn. Records it (partnerWantsTurn) so the node or UI can answer with
   * proposeEmpty() once the turn is ours. Returns false, recording nothing, when the partner already
   * holds the turn (a request that crossed our empty state).
   */
  receiveTurnRequest(): boolean {
    this.#check('receiveTurnRequest');
    const satisfied = this.#phase === 'OPEN' && this.turn === this.partner;
    if (!satisfied) this.#partnerWantsTurn = true;
    this.#go('receiveTurnRequest', this.#phase);
    return !satisfied;
  }

  /** The chain reports a close (start_close, exit, cooperative close, payout): no new states from now on. */
  markClosing(): void {
    this.#check('markClosing');
    this.#go('markClosing', 'CLOSING');
  }

  // ---- internals ------------------------------------------------------------------------------------

  #check(op: ChannelOp): void {
    const r = TRANSITIONS[this.#phase][op];
    if ('reject' in r) throw new ChannelError(r.reject, `cannot ${op} now (${this.#phase}): ${r.why}`, { phase: this.#phase, op });
  }

  #go(op: ChannelOp, next: ChannelPhase): void {
    const r = TRANSITIONS[this.#phase][op];
    if (!('to' in r) || !r.to.includes(next)) {
      // A bug in this file, never a peer's fault.
      throw new Error(`channel machine bug: ${op} from ${this.#phase} to ${next} is not in the transition table`);
    }
    this.#phase = next;
  }

  #checkPropose(): ChannelState {
    this.#check('propose');
    const latest = this.#latest!.state;
    if (creatorOf(latest.step + 1n) !== this.party) {
      throw new ChannelError('NOT_YOUR_TURN', `it is the partner's turn (step ${latest.step + 1n} is theirs): request the turn with requestEmpty and wait for the partner's empty state`, {
        step: latest.step + 1n,
      });
    }
    if (latest.step >= MAX_STEP) {
      throw new ChannelError('INVALID_TRANSITION', 'the channel has used every step number: close it and open a new one');
    }
    return latest;
  }

  #stageOwn(state: ChannelState, op: ChannelOp): SignedState {
    const sig = sign(stateHash(state), this.#secretKey);
    this.#staged = { state, sigA: this.party === 'A' ? sig : null, sigB: this.party === 'B' ? sig : null };
    // Any proposal of ours hands the turn over: the partner's request is answered.
    this.#partnerWantsTurn = false;
    this.#go(op, op === 'proposeInitial' ? 'INIT_PROPOSED' : 'PROPOSED');
    return copySigned(this.#staged);
  }

  #checkChannel(st: ChannelState): void {
    if (!st.channel.equals(this.params.channel)) {
      throw new ChannelError('WRONG_CHANNEL', `the state belongs to channel ${st.channel.toString()}, not ${this.params.channel.toString()}: the partner is talking about another channel`, {
        got: st.channel.toString(),
        expected: this.params.channel.toString(),
      });
    }
  }

  #checkSig(st: ChannelState, sig: Buffer | null, p: Party): void {
    if (!sig) throw new ChannelError('BAD_SIGNATURE', `${p}'s signature is missing: ask ${p} to send the state signed`, { party: p });
    if (!verify(stateHash(st), sig, this.publicKeyOf(p))) {
      throw new ChannelError('BAD_SIGNATURE', `${p}'s signature of step ${st.step} is invalid: rejected; the state or signature was altered or made with another key`, { party: p, step: st.step });
    }
  }

  #commit(full: SignedState, op: ChannelOp): void {
    // Both signatures, verified again on every committed state.
    this.#checkSig(full.state, full.sigA, 'A');
    this.#checkSig(full.state, full.sigB, 'B');
    const latest = this.#latest;
    const expected = latest ? latest.state.step + 1n : 0n;
    if (full.state.step !== expected || (latest && stateTotal(full.state) !== stateTotal(latest.state))) {
      throw new Error('channel machine bug: a staged state does not follow the latest');
    }
    const staged = this.#staged;
    if (!staged || !statesEqual(staged.state, full.state)) throw new Error('channel machine bug: committing a state that is not staged');
    this.#latest = copySigned(full);
    this.#staged = null;
    const next: ChannelPhase = this.#phase === 'CLOSING' ? 'CLOSING' : full.state.tag === 'close' ? 'FINAL' : 'OPEN';
    this.#go(op, next);
  }
}
