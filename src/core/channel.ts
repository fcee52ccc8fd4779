// The off-chain channel state machine (DESIGN.md §2). Pure and synchronous: no I/O, no clocks.
//
// Shape (after go-perun's channel machine): explicit phases, a transition table consulted by every
// operation, a *staged* state (proposed, awaiting a signature) kept apart from the *committed* states
// (signed by both; their list is the history). Both signatures are verified before anything is committed.
//
// Turn rule (deterministic, so the parties can never both hold the turn): step 0 (the initial state,
// balances = on-chain deposits) is created by A; step n is created by A when n is even and by B when
// n is odd. Each state is created by the party that did not create the previous one, so an empty
// state hands the turn over.
import type { Address } from '@ton/core';
import { formatTon } from './amounts.js';
import { ChannelError, type ChannelErrorCode } from './errors.js';
import { sign, verify } from './signer.js';
import {
  MAX_STEP,
  stateFromBase64,
  stateHash,
  stateToBase64,
  stateTotal,
  statesEqual,
  type ChannelState,
} from './state.js';

export type Party = 'A' | 'B';

export interface SignedState {
  state: ChannelState;
  /** A's ed25519 signature over the state's cell hash, 64 bytes */
  sigA: Buffer | null;
  /** B's ed25519 signature over the state's cell hash, 64 bytes */
  sigB: Buffer | null;
}

export interface ChannelParams {
  /** The channel contract's address: every state names it. */
  channel: Address;
  /** A's channel key (32 bytes) */
  publicKeyA: Buffer;
  /** B's channel key (32 bytes) */
  publicKeyB: Buffer;
}

export function otherParty(p: Party): Party {
  return p === 'A' ? 'B' : 'A';
}

/** The party that creates (proposes and signs first) the state of `step`. */
export function creatorOf(step: bigint): Party {
  return step % 2n === 0n ? 'A' : 'B';
}

// ---------------------------------------------------------------------------------------------------
// Phases and the transition table

export type ChannelPhase =
  /** No state at all yet. */
  | 'NEW'
  /** A signed the initial state (step 0) and waits for B's signature. */
  | 'INIT_PROPOSED'
  /** B holds A's initial state and has not countersigned it yet. */
  | 'INIT_RECEIVED'
  /** A committed latest state and nothing staged: the turn holder may propose. */
  | 'OPEN'
  /** My proposal is staged and waits for the partner's countersignature. */
  | 'PROPOSED'
  /** The partner's proposal is staged and waits for my countersignature. */
  | 'RECEIVED'
  /** A close-tagged state is committed: it only remains to close on chain. */
  | 'FINAL'
  /** The chain reports a close (markClosing): no new states. */
  | 'CLOSING';

export type ChannelOp =
  | 'proposeInitial'
  | 'receiveInitial'
  | 'propose'
  | 'receiveProposal'
  | 'countersign'
  | 'acceptCountersignature'
  | 'requestTurn'
  | 'receiveTurnRequest'
  | 'markClosing';

export type TransitionRule =
  | { readonly to: readonly ChannelPhase[] }
  | { readonly reject: ChannelErrorCode; readonly why: string };

const to = (...phases: ChannelPhase[]): TransitionRule => ({ to: phases });
const reject = (code: ChannelErrorCode, why: string): TransitionRule => ({ reject: code, why });

const notOpen = (why: string) => reject('NOT_OPEN', why);
const closing = reject('CHANNEL_CLOSING', 'the channel is closing: no new states can be made; wait for the payout');
const noInit = reject('INVALID_TRANSITION', 'the initial state already exists');

/**
 * phase x operation -> the phases the operation may lead to, or the rejection. Every operation of
 * `Channel` consults this table first; guards that depend on data (turn, balances, signatures) follow.
 * Committing a close-tagged state leads to FINAL instead of OPEN.
 */
export const TRANSITIONS: Readonly<Record<ChannelPhase, Readonly<Record<ChannelOp, TransitionRule>>>> = {
  NEW: {
    proposeInitial: to('INIT_PROPOSED'),
    receiveInitial: to('INIT_RECEIVED'),
    propose: notOpen('the channel has no initial state yet: open it first (A proposes step 0, B countersigns)'),
    receiveProposal: notOpen('the channel has no initial state yet: open it before sending states'),
    countersign: reject('NOTHING_TO_SIGN', 'there is no state to countersign: the initial state has not arrived'),
    acceptCountersignature: reject('NOTHING_TO_SIGN', 'no proposal of ours awaits a countersignature'),
    requestTurn: notOpen('the channel has no initial state yet'),
    receiveTurnRequest: notOpen('the channel has no initial state yet'),
    markClosing: to('CLOSING'),
  },
  INIT_PROPOSED: {
    proposeInitial: reject('PENDING_STATE', 'the initial state is already proposed: wait for B to countersign it'),
    receiveInitial: noInit,
    propose: notOpen('the initial state awaits B\'s signature: wait for it'),
    receiveProposal: notOpen('the initial state awaits B\'s signature: countersign step 0 before sending states'),
    countersign: reject('NOTHING_TO_SIGN', 'the staged initial state is ours: it awaits B\'s signature'),
    acceptCountersignature: to('OPEN'),
    requestTurn: notOpen('the initial state awaits B\'s signature'),
    receiveTurnRequest: notOpen('the initial state awaits B\'s signature'),
    markClosing: to('CLOSING'),
  },
  INIT_RECEIVED: {
    proposeInitial: noInit,
    receiveInitial: reject('PENDING_STATE', 'an initial state is already staged: countersign it'),
    propose: reject('PENDING_STATE', 'the initial state awaits our signature: countersign it first'),
    receiveProposal: notOpen('the initial state awaits our signature: countersign it first'),
    countersign: to('OPEN'),
    acceptCountersignature: reject('NOTHING_TO_SIGN', 'the staged initial state is A\'s: countersign it'),
    requestTurn: reject('PENDING_STATE', 'the initial state awaits our signature: countersign it, then the turn is ours'),
    receiveTurnRequest: notOpen('the initial state is not signed by both yet'),
    markClosing: to('CLOSING'),
  },
  OPEN: {
    proposeInitial: noInit,
    receiveInitial: noInit,
    propose: to('PROPOSED'),
    receiveProposal: to('RECEIVED'),
    countersign: reject('NOTHING_TO_SIGN', 'no proposal of the partner awaits our signature'),
    acceptCountersignature: reject('NOTHING_TO_SIGN', 'no proposal of ours awaits a countersignature'),
    requestTurn: to('OPEN'),
    receiveTurnRequest: to('OPEN'),
    markClosing: to('CLOSING'),
  },
  PROPOSED: {
    proposeInitial: noInit,
    receiveInitial: noInit,
    propose: reject('PENDING_STATE', 'our previous proposal awaits the partner\'s countersignature: wait for it'),
    receiveProposal: reject('PENDING_STATE', 'our proposal awaits the partner\'s countersignature: apply it before the partner\'s next state'),
    countersign: reject('NOTHING_TO_SIGN', 'the staged state is our own proposal: it awaits the partner\'s signature'),
    acceptCountersignature: to('OPEN', 'FINAL'),
    requestTurn: to('PROPOSED'),
    receiveTurnRequest: to('PROPOSED'),
    markClosing: to('CLOSING'),
  },
  RECEIVED: {
    proposeInitial: noInit,
    receiveInitial: noInit,
    propose: reject('PENDING_STATE', 'the partner\'s proposal awaits our signature: countersign it first, then the turn is ours'),
    receiveProposal: reject('PENDING_STATE', 'a proposal of the partner is already staged: countersign it first'),
    countersign: to('OPEN', 'FINAL'),
    acceptCountersignature: reject('NOTHING_TO_SIGN', 'the staged state is the partner\'s: countersign it'),
    requestTurn: reject('PENDING_STATE', 'the partner\'s proposal awaits our signature: countersign it, then the turn is ours'),
    receiveTurnRequest: to('RECEIVED'),
    markClosing: to('CLOSING'),
  },
  FINAL: {
    proposeInitial: closing,
    receiveInitial: closing,
    propose: closing,
    receiveProposal: closing,
    countersign: closing,
    acceptCountersignature: closing,
    requestTurn: closing,
    receiveTurnRequest: closing,
    markClosing: to('CLOSING'),
  },
  CLOSING: {
    proposeInitial: closing,
    receiveInitial: closing,
    propose: closing,
    receiveProposal: closing,
    countersign: closing,
    // A countersignature of our own staged proposal still records a state the partner can use on chain.
    acceptCountersignature: to('CLOSING'),
    requestTurn: closing,
    receiveTurnRequest: closing,
    markClosing: to('CLOSING'),
  },
};

// ---------------------------------------------------------------------------------------------------
// Snapshots (for the store) and their JSON form (base64 BOC, so the signed bytes are the stored bytes)

export interface ChannelSnapshot {
  party: Party;
  /** Every committed state, step 0 first, each signed by both. */
  history: SignedState[];
  /** The staged state (ours awaiting a countersignature, or the partner's awaiting ours). */
  staged: SignedState | null;
  /** The chain reported a close. */
  closing: boolean;
  /** We asked the partner for the turn and have not had it since. */
  turnRequested: boolean;
  /** The partner asked us for the turn and we have not passed it since. */
  partnerWantsTurn: boolean;
}

export interface SignedStateJson {
  /** base64 BOC of the state cell */
  boc: string;
  /** base64, 64 bytes */
  sigA: string | null;
  sigB: string | null;
}

export interface ChannelSnapshotJson {
  v: 1;
  party: Party;
  history: SignedStateJson[];
  staged: SignedStateJson | null;
  closing: boolean;
  turnRequested: boolean;
  partnerWantsTurn: boolean;
}

export function signedStateToJson(s: SignedState): SignedStateJson {
  return {
    boc: stateToBase64(s.state),
    sigA: s.sigA ? s.sigA.toString('base64') : null,
    sigB: s.sigB ? s.sigB.toString('base64') : null,
  };
}

/** Throws StateFormatError for a malformed BOC; signatures are only decoded here, not verified. */
export function signedStateFromJson(j: SignedStateJson): SignedState {
  return {
    state: stateFromBase64(j.boc),
    sigA: j.sigA === null ? null : Buffer.from(j.sigA, 'base64'),
    sigB: j.sigB === null ? null : Buffer.from(j.sigB, 'base64'),
  };
}

export function snapshotToJson(s: ChannelSnapshot): ChannelSnapshotJson {
  return {
    v: 1,
    party: s.party,
    history: s.history.map(signedStateToJson),
    staged: s.staged ? signedStateToJson(s.staged) : null,
    closing: s.closing,
    turnRequested: s.turnRequested,
    partnerWantsTurn: s.partnerWantsTurn,
  };
}

export function snapshotFromJson(j: ChannelSnapshotJson): ChannelSnapshot {
  if (j.v !== 1) throw new ChannelError('CORRUPT_SNAPSHOT', `unknown snapshot version ${String(j.v)}: this build reads version 1`);
  if (j.party !== 'A' && j.party !== 'B') throw new ChannelError('CORRUPT_SNAPSHOT', `snapshot party must be A or B, got ${String(j.party)}`);
  return {
    party: j.party,
    history: j.history.map(signedStateFromJson),
    staged: j.staged ? signedStateFromJson(j.staged) : null,
    closing: j.closing === true,
    turnRequested: j.turnRequested === true,
    partnerWantsTurn: j.partnerWantsTurn === true,
  };
}

/** What a received proposal means for us (for the UI and the node's events). */
export interface ProposalInfo {
  step: bigint;
  kind: 'initial' | 'payment' | 'empty' | 'close';
  /** nanotons moved from the proposer to us (0 for empty, initial and plain close states) */
  amount: bigint;
}

export interface RestoreOptions {
  /** Verify both signatures of every history state (default true); false checks only the latest. */
  verifyHistory?: boolean;
}

function copySigned(s: SignedState): SignedState {
  return {
    state: { ...s.state },
    sigA: s.sigA ? Buffer.from(s.sigA) : null,
    sigB: s.sigB ? Buffer.from(s.sigB) : null,
  };
}

function sigOf(s: SignedState, p: Party): Buffer | null {
  return p === 'A' ? s.sigA : s.sigB;
}

function balanceOf(state: ChannelState, p: Party): bigint {
  return p === 'A' ? state.balanceA : state.balanceB;
}

// ---------------------------------------------------------------------------------------------------

export class Channel {
  readonly params: ChannelParams;
  readonly party: Party;
  readonly partner: Party;
  readonly #secretKey: Buffer;
  #phase: ChannelPhase = 'NEW';
  #history: SignedState[] = [];
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
   * Rebuilds a channel from a snapshot (`toSnapshot()`), re-checking it: contiguous steps from 0, this
   * channel's address, a constant total, the turn rule, both signatures (all of them unless
   * `verifyHistory: false`), and the staged state against the latest. Throws CORRUPT_SNAPSHOT.
   */
  static restore(params: ChannelParams, secretKey: Buffer, snapshot: ChannelSnapshot, opts: RestoreOptions = {}): Channel {
    const ch = new Channel(params, snapshot.party, secretKey);
    const corrupt = (why: string): never => {
      throw new ChannelError('CORRUPT_SNAPSHOT', `the stored channel is inconsistent (${why}): restore it from a backup or resync with the partner`);
    };
    const verifyAll = opts.verifyHistory !== false;
    let prev: ChannelState | null = null;
    snapshot.history.forEach((s, i) => {
      const st = s.state;
      if (st.step !== BigInt(i)) corrupt(`history entry ${i} has step ${st.step}`);
      if (!st.channel.equals(params.channel)) corrupt(`step ${st.step} names another channel`);
      if (prev) {
        if (stateTotal(st) !== stateTotal(prev)) corrupt(`step ${st.step} changes the total`);
        if (prev.tag === 'close') corrupt(`a state follows the close state at step ${prev.step}`);
        const creator = creatorOf(st.step);
        if (balanceOf(st, creator) > balanceOf(prev, creator)) corrupt(`step ${st.step} moves money to its creator`);
      } else if (st.tag !== 'state') {
        corrupt('the initial state is close-tagged');
      }
      if (verifyAll || i === snapshot.history.length - 1) {
        const h = stateHash(st);
        if (!s.sigA || !verify(h, s.sigA, params.publicKeyA)) corrupt(`A's signature of step ${st.step} is invalid`);
        if (!s.sigB || !verify(h, s.sigB, params.publicKeyB)) corrupt(`B's signature of step ${st.step} is invalid`);
      }
      prev = st;
    });
    ch.#history = snapshot.history.map(copySigned);
    const latest = ch.latest;
    if (snapshot.staged) {
      const st = snapshot.staged.state;
      const expected = latest ? latest.state.step + 1n : 0n;
      if (st.step !== expected) corrupt(`the staged state has step ${st.step}, expected ${expected}`);
      if (!st.channel.equals(params.channel)) corrupt('the staged state names another channel');
      if (latest && latest.state.tag === 'close') corrupt('a state is staged after the close state');
      const creator = creatorOf(st.step);
      const sig = sigOf(snapshot.staged, creator);
      if (!sig || !verify(stateHash(st), sig, ch.publicKeyOf(creator))) corrupt(`the staged state lacks a valid signature of its creator ${creator}`);
      if (latest) {
        if (stateTotal(st) !== stateTotal(latest.state)) corrupt('the staged state changes the total');
        if (balanceOf(st, creator) > balanceOf(latest.state, creator)) corrupt('the staged state moves money to its creator');
      }
      // Keep only the creator's signature: with both it would be a committed state.
      const creatorSig = Buffer.from(sig as Buffer);
      ch.#staged = { state: { ...st }, sigA: creator === 'A' ? creatorSig : null, sigB: creator === 'B' ? creatorSig : null };
    }
    ch.#turnRequested = snapshot.turnRequested === true;
    ch.#partnerWantsTurn = snapshot.partnerWantsTurn === true;
    ch.#phase = ch.#derivePhase(snapshot.closing === true);
    return ch;
  }

  #derivePhase(closingFlag: boolean): ChannelPhase {
    if (closingFlag) return 'CLOSING';
    const latest = this.latest;
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
      history: this.#history.map(copySigned),
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
    const l = this.#history[this.#history.length - 1];
    return l ? copySigned(l) : null;
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

  /** Every committed state, step 0 first. */
  get history(): readonly SignedState[] {
    return this.#history.map(copySigned);
  }

  get historyLength(): number {
    return this.#history.length;
  }

  stateAt(step: bigint): SignedState | null {
    if (step < 0n || step >= BigInt(this.#history.length)) return null;
    const s = this.#history[Number(step)];
    return s ? copySigned(s) : null;
  }

  /** Committed states with a step above `step`, oldest first: what a partner at `step` lacks (resync). */
  statesAfter(step: bigint): SignedState[] {
    const from = step < -1n ? 0 : Number(step + 1n);
    return this.#history.slice(from).map(copySigned);
  }

  /** Who creates the next state (the turn holder), or null before the channel is open. */
  get turn(): Party | null {
    const l = this.#history[this.#history.length - 1];
    return l ? creatorOf(l.state.step + 1n) : null;
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
    const l = this.#history[this.#history.length - 1];
    return l ? balanceOf(l.state, p) : 0n;
  }

  get total(): bigint {
    const l = this.#history[this.#history.length - 1];
    return l ? stateTotal(l.state) : 0n;
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
   * Takes the partner's proposal (their state with their signature). Checks, in order: channel
   * address, step = latest + 1, that the step is the partner's to create, the total, that the
   * partner's balance did not grow, the partner's signature. Then call countersign().
   */
  receiveProposal(signed: SignedState): ProposalInfo {
    this.#check('receiveProposal');
    const latest = this.#history[this.#history.length - 1]!.state;
    const st = signed.state;
    this.#checkChannel(st);
    const expected = latest.step + 1n;
    if (st.step !== expected) {
      throw new ChannelError(
        'STEP_GAP',
        `expected step ${expected}, got ${st.step}: the parties are out of sync; resync (exchange latest steps and resend the missing states)`,
        { expected, got: st.step },
      );
    }
    if (creatorOf(st.step) !== this.partner) {
      throw new ChannelError('NOT_YOUR_TURN', `the partner proposed step ${st.step}, but that step is ours to create: the partner must request the turn (requestTurn) and wait for our empty state`, { step: st.step });
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
    this.#go('receiveProposal', 'RECEIVED');
    const amount = before - after;
    return { step: st.step, kind: st.tag === 'close' ? 'close' : amount > 0n ? 'payment' : 'empty', amount };
  }

  /** Signs the partner's staged state (initial or proposal) and commits it. Returns it with both signatures. */
  countersign(): SignedState {
    this.#check('countersign');
    const staged = this.#staged!;
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
   * Without the turn: records that we asked for it (send a turn request; the partner answers with an
   * empty state). Returns the latest committed step the request refers to.
   */
  requestTurn(): { atStep: bigint } {
    this.#check('requestTurn');
    const latest = this.#history[this.#history.length - 1]!.state;
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

  /** The chain reports a close (start_close, cooperative close, payout): no new states from now on. */
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
    const latest = this.#history[this.#history.length - 1]!.state;
    if (creatorOf(latest.step + 1n) !== this.party) {
      throw new ChannelError('NOT_YOUR_TURN', `it is the partner's turn (step ${latest.step + 1n} is theirs): request the turn with requestTurn and wait for the partner's empty state`, { step: latest.step + 1n });
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
    const latest = this.#history[this.#history.length - 1];
    const expected = latest ? latest.state.step + 1n : 0n;
    if (full.state.step !== expected || (latest && stateTotal(full.state) !== stateTotal(latest.state))) {
      throw new Error('channel machine bug: a staged state does not follow the latest');
    }
    const staged = this.#staged;
    if (!staged || !statesEqual(staged.state, full.state)) throw new Error('channel machine bug: committing a state that is not staged');
    this.#history.push(copySigned(full));
    this.#staged = null;
    const next: ChannelPhase = this.#phase === 'CLOSING' ? 'CLOSING' : full.state.tag === 'close' ? 'FINAL' : 'OPEN';
    this.#go(op, next);
  }
}
