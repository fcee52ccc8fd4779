// The off-chain machine's data and queries: what a channel holds (the latest state both signed, the staged
// one, the turn flags) and everything that reads it without the secret key. Channel (channel.ts) adds the
// operations. See docs/architecture.md, "The off-chain machine".
import type { Address } from '@ton/core';
import { ChannelError } from './errors.js';
import { balanceOf, copySigned, otherParty, sigOf, type Party, type SignedState } from './signed.js';
import { verify } from './signer.js';
import { stateHash, stateTotal, statesEqual, type ChannelState } from './state.js';
import { OP_WORDS, OP_WORDS_TO_PARTNER, TRANSITIONS, type ChannelOp, type ChannelPhase, type TransitionRule } from './transitions.js';

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

/**
 * Two states of one channel for the same step, both carrying the partner's valid signature, that differ:
 * equivocation. A state of another channel (the same keys may hold several) is not.
 */
export function isEquivocation(ours: ChannelState, theirs: SignedState, partner: Party, partnerKey: Buffer): boolean {
  if (ours.step !== theirs.state.step || !ours.channel.equals(theirs.state.channel) || statesEqual(ours, theirs.state)) return false;
  const sig = sigOf(theirs, partner);
  return !!sig && verify(stateHash(theirs.state), sig, partnerKey);
}

export abstract class ChannelBase {
  readonly params: ChannelParams;
  readonly party: Party;
  readonly partner: Party;
  protected _phase: ChannelPhase = 'NEW';
  protected _latest: SignedState | null = null;
  protected _staged: SignedState | null = null;
  protected _turnRequested = false;
  protected _partnerWantsTurn = false;

  protected constructor(params: ChannelParams, party: Party) {
    if (party !== 'A' && party !== 'B') throw new ChannelError('INVALID_TRANSITION', `party must be 'A' or 'B', got ${String(party)}`);
    this.params = { channel: params.channel, publicKeyA: Buffer.from(params.publicKeyA), publicKeyB: Buffer.from(params.publicKeyB) };
    this.party = party;
    this.partner = otherParty(party);
  }

  protected _checkStaged(staged: SignedState, corrupt: (why: string) => never): SignedState {
    const st = staged.state;
    const latest = this._latest?.state ?? null;
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

  protected _derivePhase(closingFlag: boolean): ChannelPhase {
    if (closingFlag) return 'CLOSING';
    const latest = this._latest;
    if (!latest) {
      if (!this._staged) return 'NEW';
      return creatorOf(0n) === this.party ? 'INIT_PROPOSED' : 'INIT_RECEIVED';
    }
    if (latest.state.tag === 'close') return 'FINAL';
    if (!this._staged) return 'OPEN';
    return creatorOf(this._staged.state.step) === this.party ? 'PROPOSED' : 'RECEIVED';
  }

  toSnapshot(): ChannelSnapshot {
    return {
      party: this.party,
      latest: this._latest ? copySigned(this._latest) : null,
      staged: this._staged ? copySigned(this._staged) : null,
      closing: this._phase === 'CLOSING',
      turnRequested: this._turnRequested,
      partnerWantsTurn: this._partnerWantsTurn,
    };
  }

  // ---- queries --------------------------------------------------------------------------------------

  get phase(): ChannelPhase {
    return this._phase;
  }

  /** The latest committed state (signed by both), or null before the initial state is countersigned. */
  get latest(): SignedState | null {
    return this._latest ? copySigned(this._latest) : null;
  }

  /** The latest committed state without a copy (read-only: states are replaced, never changed). */
  get latestSigned(): Readonly<SignedState> | null {
    return this._latest;
  }

  /** The latest committed state's fields without a copy (read-only: states are replaced, never changed). */
  get latestState(): Readonly<ChannelState> | null {
    return this._latest?.state ?? null;
  }

  /** How many states both signed exist (the latest step + 1). */
  get count(): bigint {
    return this._latest ? this._latest.state.step + 1n : 0n;
  }

  /** The staged state: our proposal awaiting the partner's signature, or the partner's awaiting ours. */
  get staged(): SignedState | null {
    return this._staged ? copySigned(this._staged) : null;
  }

  /** Who created the staged state, or null when nothing is staged. */
  get stagedBy(): Party | null {
    return this._staged ? creatorOf(this._staged.state.step) : null;
  }

  /** The partner's proposal awaiting our countersignature, if any. */
  get pending(): SignedState | null {
    return this.stagedBy === this.partner ? this.staged : null;
  }

  /** Who creates the next state (the turn holder), or null before the channel is open. */
  get turn(): Party | null {
    return this._latest ? creatorOf(this._latest.state.step + 1n) : null;
  }

  /** True when we may propose now: open, nothing staged, and the next step is ours. */
  get isMyTurn(): boolean {
    return this._phase === 'OPEN' && this.turn === this.party;
  }

  get myBalance(): bigint {
    return this.balanceOf(this.party);
  }

  get partnerBalance(): bigint {
    return this.balanceOf(this.partner);
  }

  /** A party's balance in the latest committed state (0 before the channel is open). */
  balanceOf(p: Party): bigint {
    return this._latest ? balanceOf(this._latest.state, p) : 0n;
  }

  get total(): bigint {
    return this._latest ? stateTotal(this._latest.state) : 0n;
  }

  get isClosing(): boolean {
    return this._phase === 'CLOSING' || this._phase === 'FINAL';
  }

  /** We asked for the turn and have not received it since. */
  get turnRequested(): boolean {
    return this._turnRequested;
  }

  /** The partner asked for the turn and we have not passed it since (auto mode answers with proposeEmpty). */
  get partnerWantsTurn(): boolean {
    return this._partnerWantsTurn;
  }

  publicKeyOf(p: Party): Buffer {
    return p === 'A' ? this.params.publicKeyA : this.params.publicKeyB;
  }

  /** The rule of the transition table for `op` in the current phase. */
  rule(op: ChannelOp): TransitionRule {
    return TRANSITIONS[this._phase][op];
  }

  /** Whether the table allows `op` now (data guards such as the turn may still reject it). */
  can(op: ChannelOp): boolean {
    return 'to' in this.rule(op);
  }

  protected _check(op: ChannelOp): void {
    const r = TRANSITIONS[this._phase][op];
    if (!('reject' in r)) return;
    const theirs = OP_WORDS_TO_PARTNER[op];
    throw new ChannelError(r.reject, `cannot ${OP_WORDS[op]} now: ${r.why}`, { phase: this._phase, op }, theirs && `cannot ${theirs} now: ${r.toPartner ?? r.why}`);
  }

  protected _go(op: ChannelOp, next: ChannelPhase): void {
    const r = TRANSITIONS[this._phase][op];
    if (!('to' in r) || !r.to.includes(next)) {
      // A bug in this file, never a peer's fault.
      throw new Error(`channel machine bug: ${op} from ${this._phase} to ${next} is not in the transition table`);
    }
    this._phase = next;
  }

  protected _checkChannel(st: ChannelState): void {
    if (!st.channel.equals(this.params.channel)) {
      const [got, expected] = [st.channel.toString(), this.params.channel.toString()];
      const why = `the state belongs to channel ${got}, not ${expected}: the partner is talking about another channel`;
      throw new ChannelError('WRONG_CHANNEL', why, { got, expected }, `your state names channel ${got}, but it came for channel ${expected}: not taken`);
    }
  }

  protected _checkSig(st: ChannelState, sig: Buffer | null, p: Party): void {
    // The partner reads whose signature it was: its own, or this side's (in states it says both signed).
    const whose = p === this.party ? 'their' : 'your';
    if (!sig) throw new ChannelError('BAD_SIGNATURE', `${p}'s signature is missing: ask ${p} to send the state signed`, { party: p }, `${whose} signature of step ${st.step} is missing: not taken`);
    if (!verify(stateHash(st), sig, this.publicKeyOf(p))) {
      const why = `${whose} signature of step ${st.step} is invalid: refused; the state or signature was altered or made with another key`;
      throw new ChannelError('BAD_SIGNATURE', `${p}'s signature of step ${st.step} is invalid: rejected; the state or signature was altered or made with another key`, { party: p, step: st.step }, why);
    }
  }

}
