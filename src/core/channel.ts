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
import { formatTon } from './amounts.js';
import { ChannelBase, creatorOf, type ChannelParams, type ChannelSnapshot, type ProposalInfo } from './channelBase.js';
import { ChannelError } from './errors.js';
import { balanceOf, copySigned, sigOf, type Party, type SignedState } from './signed.js';
import { sign, signAsync, verify, verifyAsync } from './signer.js';
import { MAX_STEP, stateHash, stateTotal, statesEqual, type ChannelState } from './state.js';
import type { ChannelOp, ChannelPhase } from './transitions.js';

export { creatorOf, isEquivocation, type ChannelParams, type ChannelSnapshot, type ProposalInfo } from './channelBase.js';
export { otherParty, type Party, type SignedState } from './signed.js';
export { TRANSITIONS, type ChannelOp, type ChannelPhase, type TransitionRule } from './transitions.js';

/** Secret keys (by identity) already checked against a public key (hex): one sign and verify each. */
const checkedKeys = new WeakMap<Buffer, string>();
/** Each secret key's (by identity) copy the channels keep: one for all the channels of a node, not one each. */
const keptKeys = new WeakMap<Buffer, Buffer>();

/** A copy of `secretKey` (the caller may change or clear its buffer), shared while its bytes stay the same. */
function keptCopy(secretKey: Buffer): Buffer {
  const kept = keptKeys.get(secretKey);
  if (kept?.equals(secretKey)) return kept;
  const copy = Buffer.from(secretKey);
  keptKeys.set(secretKey, copy);
  return copy;
}

export class Channel extends ChannelBase {
  readonly #secretKey: Buffer;

  /** A fresh channel (no states) for `party`, whose channel secret key (64 bytes) is `secretKey`. */
  constructor(params: ChannelParams, party: Party, secretKey: Buffer) {
    super(params, party);
    const mine = party === 'A' ? params.publicKeyA : params.publicKeyB;
    // Checked once per key object and public key (a node restores all its channels with one key).
    if (checkedKeys.get(secretKey) !== mine.toString('hex')) {
      const probe = Buffer.from('synchannel key check');
      if (!verify(probe, sign(probe, secretKey), mine)) {
        throw new ChannelError('WRONG_KEY', `the secret key is not party ${party}'s channel key: use the key pair whose public key the channel was opened with`, { party });
      }
      checkedKeys.set(secretKey, mine.toString('hex'));
    }
    this.#secretKey = keptCopy(secretKey);
  }

  /**
   * Rebuilds a channel from a snapshot, re-checking it: the latest state names this channel and carries both
   * valid signatures; the staged state follows it (step, total, creator's signature, no money to its creator).
   * Throws CORRUPT_SNAPSHOT.
   */
  static restore(params: ChannelParams, secretKey: Buffer, snapshot: ChannelSnapshot): Channel {
    return Channel.#restore(params, secretKey, snapshot, false);
  }

  /** restore(), with the latest state's two signatures verified on the thread pool (a node's start-up). */
  static async restoreAsync(params: ChannelParams, secretKey: Buffer, snapshot: ChannelSnapshot): Promise<Channel> {
    const latest = snapshot.latest;
    if (!latest?.sigA || !latest.sigB) return Channel.restore(params, secretKey, snapshot);
    const h = stateHash(latest.state);
    const check = (p: Party, sig: Buffer, key: Buffer): Promise<boolean> =>
      p === snapshot.party
        ? // ed25519 signs deterministically: our stored signature is what signing again gives (a third of a verify)
          signAsync(h, secretKey).then((again) => again.equals(sig) || verifyAsync(h, sig, key), () => verifyAsync(h, sig, key))
        : verifyAsync(h, sig, key);
    const [a, b] = await Promise.all([check('A', latest.sigA, params.publicKeyA), check('B', latest.sigB, params.publicKeyB)]);
    // A bad signature: restore() checks again and says which one.
    return a && b ? Channel.#restore(params, secretKey, snapshot, true) : Channel.restore(params, secretKey, snapshot);
  }

  static #restore(params: ChannelParams, secretKey: Buffer, snapshot: ChannelSnapshot, signaturesVerified: boolean): Channel {
    const ch = new Channel(params, snapshot.party, secretKey);
    const corrupt = (why: string): never => {
      throw new ChannelError('CORRUPT_SNAPSHOT', `the stored channel is inconsistent (${why}): restore it from a backup or resync with the partner`);
    };
    const latest = snapshot.latest;
    if (latest) {
      const st = latest.state;
      if (!st.channel.equals(params.channel)) corrupt(`step ${st.step} names another channel`);
      if (st.step === 0n && st.tag !== 'state') corrupt('the initial state is close-tagged');
      const h = signaturesVerified ? null : stateHash(st);
      if (!latest.sigA || (h && !verify(h, latest.sigA, params.publicKeyA))) corrupt(`A's signature of step ${st.step} is invalid`);
      if (!latest.sigB || (h && !verify(h, latest.sigB, params.publicKeyB))) corrupt(`B's signature of step ${st.step} is invalid`);
      ch._latest = copySigned(latest);
    }
    if (snapshot.staged) ch._staged = ch._checkStaged(snapshot.staged, corrupt);
    ch._turnRequested = snapshot.turnRequested === true;
    ch._partnerWantsTurn = snapshot.partnerWantsTurn === true;
    ch._phase = ch._derivePhase(snapshot.closing === true);
    return ch;
  }

  // ---- operations -----------------------------------------------------------------------------------

  /** A: creates and signs the initial state (step 0, balances = the deposits). Send it to B. */
  proposeInitial(depositA: bigint, depositB: bigint): SignedState {
    this._check('proposeInitial');
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
    this._check('receiveInitial');
    if (this.party !== 'B') {
      throw new ChannelError('INVALID_TRANSITION', 'only B receives the initial state; A creates it with proposeInitial', undefined, 'they are A in this channel and create the initial state themselves: nothing changed');
    }
    const st = signed.state;
    this._checkChannel(st);
    if (st.step !== 0n) {
      throw new ChannelError('STEP_GAP', `expected the initial state (step 0), got step ${st.step}: resync with the partner`, { expected: 0n, got: st.step }, `your initial state has step ${st.step}, not 0: nothing changed`);
    }
    if (st.tag !== 'state') throw new ChannelError('INVALID_TRANSITION', 'the initial state must be a running state, not a close state: ask A to send step 0 again', undefined, 'your initial state is a close state: send step 0 again as a running state');
    if (st.balanceA !== expected.depositA || st.balanceB !== expected.depositB) {
      throw new ChannelError(
        'INITIAL_MISMATCH',
        `the initial state gives A ${formatTon(st.balanceA)} TON and B ${formatTon(st.balanceB)} TON, but the deposits are A ${formatTon(expected.depositA)} TON and B ${formatTon(expected.depositB)} TON: refused (a locked contract's deposits never change, so no other initial state comes); leave with the deposits (exit)`,
        undefined,
        `your initial state gives A ${formatTon(st.balanceA)} TON and B ${formatTon(st.balanceB)} TON, but the contract holds A ${formatTon(expected.depositA)} TON and B ${formatTon(expected.depositB)} TON as they read it: refused; if the contract holds what your state gives, wait for their node to read it, else leave with the deposits (exit)`,
      );
    }
    this._checkSig(st, sigOf(signed, 'A'), 'A');
    this._staged = { state: { ...st }, sigA: Buffer.from(signed.sigA!), sigB: null };
    this._go('receiveInitial', 'INIT_RECEIVED');
    return { step: 0n, kind: 'initial', amount: 0n };
  }

  /** With the turn: pay `amount` nanotons to the partner. Returns our signed proposal to send. */
  proposePayment(amount: bigint): SignedState {
    const latest = this.#checkPropose();
    if (amount <= 0n) {
      throw new ChannelError('AMOUNT_NOT_POSITIVE', `a payment must be more than zero, got ${formatTon(amount)} TON; use createEmpty to pass the turn without paying`);
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
    this._check('receiveProposal');
    if (signed.state.tag === 'close') {
      throw new ChannelError('UNEXPECTED_CLOSE', 'a close-tagged state arrived as an ordinary proposal: rejected; a close is agreed only through a close proposal', undefined, 'your close-tagged state came as an ordinary proposal: refused; a close is agreed only through a close proposal');
    }
    return this.#receive(signed, 'receiveProposal');
  }

  /** Takes the partner's cooperative-close proposal: a close-tagged state with the latest balances. */
  receiveCloseProposal(signed: SignedState): ProposalInfo {
    this._check('receiveCloseProposal');
    const latest = this._latest!.state;
    const st = signed.state;
    if (st.tag !== 'close') throw new ChannelError('INVALID_TRANSITION', 'a close proposal must carry a close-tagged state', undefined, 'your close proposal carries no close-tagged state: refused');
    if (st.balanceA !== latest.balanceA || st.balanceB !== latest.balanceB) {
      const keeps = `the latest balances (A ${formatTon(latest.balanceA)}, B ${formatTon(latest.balanceB)} TON)`;
      throw new ChannelError('INVALID_TRANSITION', `a close state keeps ${keeps}: rejected`, undefined, `your close state does not keep ${keeps}: refused`);
    }
    return this.#receive(signed, 'receiveCloseProposal');
  }

  #receive(signed: SignedState, op: 'receiveProposal' | 'receiveCloseProposal'): ProposalInfo {
    const latest = this._latest!.state;
    const st = signed.state;
    this._checkChannel(st);
    const expected = latest.step + 1n;
    if (st.step !== expected) {
      const sync = st.step > expected ? 'their node asks yours for the states it lacks' : 'it is older than their latest state';
      throw new ChannelError('STEP_GAP', `expected step ${expected}, got ${st.step}: the parties are out of sync; resync (exchange latest steps and resend the missing states)`, { expected, got: st.step }, `your state for step ${st.step} came when they expected step ${expected}: not taken (${sync}; nothing to do)`);
    }
    if (creatorOf(st.step) !== this.partner) {
      const why = `the partner proposed step ${st.step}, but that step is ours to create: the partner must request the turn (requestEmpty) and wait for our empty state`;
      throw new ChannelError('NOT_YOUR_TURN', why, { step: st.step }, `you proposed step ${st.step}, which is theirs to create (it is their turn): not taken; ask them for the turn (requestEmpty) and wait for their empty state`);
    }
    if (stateTotal(st) !== stateTotal(latest)) {
      const totals = `holds ${formatTon(stateTotal(st))} TON in total, the channel holds ${formatTon(stateTotal(latest))} TON`;
      throw new ChannelError('TOTAL_CHANGED', `the proposal ${totals}: rejected; the partner must propose a state with the same total`, undefined, `your state ${totals}: refused; propose a state with the channel's total`);
    }
    const before = balanceOf(latest, this.partner);
    const after = balanceOf(st, this.partner);
    if (after > before) {
      const moved = formatTon(after - before);
      throw new ChannelError('BALANCE_TAKEN', `the proposal moves ${moved} TON from us to the partner: rejected; only the payer proposes a payment`, { amount: after - before }, `your state moves ${moved} TON from them to you: refused; only the payer proposes a payment`);
    }
    this._checkSig(st, sigOf(signed, this.partner), this.partner);
    const sig = Buffer.from(sigOf(signed, this.partner)!);
    this._staged = { state: { ...st }, sigA: this.partner === 'A' ? sig : null, sigB: this.partner === 'B' ? sig : null };
    this._go(op, 'RECEIVED');
    const amount = before - after;
    return { step: st.step, kind: st.tag === 'close' ? 'close' : amount > 0n ? 'payment' : 'empty', amount };
  }

  /** Signs the partner's staged state (initial or proposal) and commits it. Returns it with both signatures. */
  countersign(): SignedState {
    this._check('countersign');
    const staged = this._staged;
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
    this._turnRequested = false;
    return copySigned(full);
  }

  /** The partner's signature of our staged proposal: verifies it and commits the state. */
  acceptCountersignature(sig: Buffer): SignedState {
    this._check('acceptCountersignature');
    const staged = this._staged;
    if (!staged || creatorOf(staged.state.step) !== this.party) {
      throw new ChannelError('NOTHING_TO_SIGN', 'no proposal of ours awaits a countersignature');
    }
    this._checkSig(staged.state, sig, this.partner);
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
    const fresh = states.filter((s) => !this._latest || s.state.step > this._latest.state.step);
    if (!fresh.length) return 0;
    this._check('importCommitted');
    let prev = this._latest?.state ?? null;
    for (const s of fresh) {
      const st = s.state;
      this._checkChannel(st);
      const expected = prev ? prev.step + 1n : 0n;
      if (st.step !== expected) throw new ChannelError('STEP_GAP', `resync: expected step ${expected}, got ${st.step}`, { expected, got: st.step }, `your states signed by both skip from step ${expected} to ${st.step}: not taken`);
      if (prev && stateTotal(st) !== stateTotal(prev)) throw new ChannelError('TOTAL_CHANGED', `resync: step ${st.step} changes the channel total: rejected`, undefined, `your states signed by both change the channel total at step ${st.step}: refused`);
      if (prev && prev.tag === 'close') throw new ChannelError('INVALID_TRANSITION', `resync: a state follows the close state of step ${prev.step}: rejected`, undefined, `your states signed by both go on after the close state of step ${prev.step}: refused`);
      if (!prev && st.tag !== 'state') throw new ChannelError('INVALID_TRANSITION', 'resync: the initial state cannot be a close state', undefined, 'your states signed by both start with a close state: refused');
      this._checkSig(st, s.sigA, 'A');
      this._checkSig(st, s.sigB, 'B');
      prev = st;
    }
    const last = fresh[fresh.length - 1]!;
    this._latest = copySigned(last);
    if (this._staged && this._staged.state.step <= last.state.step) this._staged = null;
    if (this._staged && last.state.tag === 'close') this._staged = null;
    const next = this._phase === 'CLOSING' ? 'CLOSING' : this._derivePhase(false);
    this._go('importCommitted', next);
    return fresh.length;
  }

  /**
   * Without the turn: records that we asked for it (send a turn request; the partner answers with an
   * empty state). Returns the latest committed step the request refers to.
   */
  requestTurn(): { atStep: bigint } {
    this._check('requestTurn');
    const latest = this._latest!.state;
    if (this._phase === 'OPEN' && creatorOf(latest.step + 1n) === this.party) {
      throw new ChannelError('ALREADY_YOUR_TURN', 'the turn is already ours: propose a payment or an empty state');
    }
    this._turnRequested = true;
    this._go('requestTurn', this._phase);
    return { atStep: latest.step };
  }

  /**
   * The partner asked for the turn. Records it (partnerWantsTurn) so the node or UI can answer with
   * proposeEmpty() once the turn is ours. Returns false, recording nothing, when the partner already
   * holds the turn (a request that crossed our empty state) or our state staged hands it over (steps alternate).
   */
  receiveTurnRequest(): boolean {
    this._check('receiveTurnRequest');
    const satisfied = (this._phase === 'OPEN' && this.turn === this.partner) || this._phase === 'PROPOSED';
    if (!satisfied) this._partnerWantsTurn = true;
    this._go('receiveTurnRequest', this._phase);
    return !satisfied;
  }

  /** The chain reports a close (start_close, exit, cooperative close, payout): no new states from now on. */
  markClosing(): void {
    this._check('markClosing');
    this._go('markClosing', 'CLOSING');
  }

  // ---- internals ------------------------------------------------------------------------------------

  #checkPropose(): ChannelState {
    this._check('propose');
    const latest = this._latest!.state;
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
    this._staged = { state, sigA: this.party === 'A' ? sig : null, sigB: this.party === 'B' ? sig : null };
    // Any proposal of ours hands the turn over: the partner's request is answered.
    this._partnerWantsTurn = false;
    this._go(op, op === 'proposeInitial' ? 'INIT_PROPOSED' : 'PROPOSED');
    return copySigned(this._staged);
  }

  #commit(full: SignedState, op: ChannelOp): void {
    // Both signatures are checked once: the partner's when it entered the machine (#receive, receiveInitial,
    // acceptCountersignature, _checkStaged on restore), ours when the machine made it. Checking them again here
    // cost two ed25519 verifications per committed state on the payment's critical path.
    if (!full.sigA || !full.sigB) throw new Error('channel machine bug: committing a state without both signatures');
    const latest = this._latest;
    const expected = latest ? latest.state.step + 1n : 0n;
    if (full.state.step !== expected || (latest && stateTotal(full.state) !== stateTotal(latest.state))) {
      throw new Error('channel machine bug: a staged state does not follow the latest');
    }
    const staged = this._staged;
    if (!staged || !statesEqual(staged.state, full.state)) throw new Error('channel machine bug: committing a state that is not staged');
    this._latest = copySigned(full);
    this._staged = null;
    const next: ChannelPhase = this._phase === 'CLOSING' ? 'CLOSING' : full.state.tag === 'close' ? 'FINAL' : 'OPEN';
    this._go(op, next);
  }
}
