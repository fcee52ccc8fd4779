// The off-chain machine's transition table: phase x operation -> the phases the operation may lead to, or the
// typed rejection with its reason. Every operation of `Channel` (channel.ts) consults it first; guards that
// depend on data (turn, balances, signatures) follow. See docs/architecture.md, "The off-chain machine".
import type { ChannelErrorCode } from './errors.js';

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
  | 'receiveCloseProposal'
  | 'countersign'
  | 'acceptCountersignature'
  | 'requestTurn'
  | 'receiveTurnRequest'
  | 'importCommitted'
  | 'markClosing';

/** What each operation is, in a person's words (refusals name it, not the method). */
export const OP_WORDS: Readonly<Record<ChannelOp, string>> = {
  proposeInitial: 'propose the initial state',
  receiveInitial: "take the partner's initial state",
  propose: 'propose a state',
  receiveProposal: "take the partner's proposed state",
  receiveCloseProposal: "take the partner's close state",
  countersign: "sign the partner's state",
  acceptCountersignature: "take the partner's signature",
  requestTurn: 'ask for the turn',
  receiveTurnRequest: "take the partner's turn request",
  importCommitted: 'take states signed by both',
  markClosing: 'mark the channel closing',
};

/**
 * The operations a partner's message drives, as the partner reads them when a refusal is answered to it (its node
 * shows "your partner reports: cannot take your proposed state now: …"): OP_WORDS are this side's.
 */
export const OP_WORDS_TO_PARTNER: Readonly<Partial<Record<ChannelOp, string>>> = {
  receiveInitial: 'take your initial state',
  receiveProposal: 'take your proposed state',
  receiveCloseProposal: 'take your close state',
  acceptCountersignature: 'take your signature',
  receiveTurnRequest: 'take your turn request',
  importCommitted: 'take the states signed by both that you sent',
};

/** A rejection's `why` is this side's; `toPartner`, when it differs, is the same reason as the partner reads it. */
export type TransitionRule = { readonly to: readonly ChannelPhase[] } | { readonly reject: ChannelErrorCode; readonly why: string; readonly toPartner?: string };

const to = (...phases: ChannelPhase[]): TransitionRule => ({ to: phases });
const reject = (code: ChannelErrorCode, why: string, toPartner?: string): TransitionRule => ({ reject: code, why, ...(toPartner ? { toPartner } : {}) });

const notOpen = (why: string) => reject('NOT_OPEN', why);
const closing = reject('CHANNEL_CLOSING', 'the channel is closing: no new states can be made; wait for the payout');
const noInit = reject('INVALID_TRANSITION', 'the initial state already exists');
/** States both signed that the partner had and we lacked (resync): allowed whenever we hold step 0. */
const imports = to('OPEN', 'FINAL', 'CLOSING');

/**
 * phase x operation -> the phases the operation may lead to, or the rejection. Committing a close-tagged
 * state leads to FINAL instead of OPEN. A close state arrives only through receiveCloseProposal.
 */
export const TRANSITIONS: Readonly<Record<ChannelPhase, Readonly<Record<ChannelOp, TransitionRule>>>> = {
  NEW: {
    proposeInitial: to('INIT_PROPOSED'),
    receiveInitial: to('INIT_RECEIVED'),
    propose: notOpen('the channel has no initial state yet: open it first (A proposes step 0, B countersigns)'),
    receiveProposal: notOpen('the channel has no initial state yet: open it before sending states'),
    receiveCloseProposal: notOpen('the channel has no initial state yet: there is nothing to close with'),
    countersign: reject('NOTHING_TO_SIGN', 'there is no state to countersign: the initial state has not arrived'),
    acceptCountersignature: reject('NOTHING_TO_SIGN', 'no proposal of ours awaits a countersignature', 'no proposal of theirs awaits your signature'),
    requestTurn: notOpen('the channel has no initial state yet'),
    receiveTurnRequest: notOpen('the channel has no initial state yet'),
    importCommitted: to('OPEN', 'FINAL'),
    markClosing: to('CLOSING'),
  },
  INIT_PROPOSED: {
    proposeInitial: reject('PENDING_STATE', 'the initial state is already proposed: wait for B to countersign it'),
    receiveInitial: noInit,
    propose: notOpen("the initial state awaits B's signature: wait for it"),
    receiveProposal: notOpen("the initial state awaits B's signature: countersign step 0 before sending states"),
    receiveCloseProposal: notOpen("the initial state awaits B's signature"),
    countersign: reject('NOTHING_TO_SIGN', "the staged initial state is ours: it awaits B's signature"),
    acceptCountersignature: to('OPEN'),
    requestTurn: notOpen("the initial state awaits B's signature"),
    receiveTurnRequest: notOpen("the initial state awaits B's signature"),
    importCommitted: imports,
    markClosing: to('CLOSING'),
  },
  INIT_RECEIVED: {
    proposeInitial: noInit,
    receiveInitial: reject('PENDING_STATE', 'an initial state is already staged: countersign it', 'your initial state is here already and awaits our signature'),
    propose: reject('PENDING_STATE', 'the initial state awaits our signature: countersign it first'),
    receiveProposal: reject('NOT_OPEN', 'the initial state awaits our signature: countersign it first', 'the initial state awaits our signature: wait for it'),
    receiveCloseProposal: reject('NOT_OPEN', 'the initial state awaits our signature: countersign it first', 'the initial state awaits our signature: wait for it'),
    countersign: to('OPEN'),
    acceptCountersignature: reject('NOTHING_TO_SIGN', "the staged initial state is A's: countersign it", 'the staged initial state is yours and awaits our signature'),
    requestTurn: reject('PENDING_STATE', 'the initial state awaits our signature: countersign it, then the turn is ours'),
    receiveTurnRequest: notOpen('the initial state is not signed by both yet'),
    importCommitted: imports,
    markClosing: to('CLOSING'),
  },
  OPEN: {
    proposeInitial: noInit,
    receiveInitial: noInit,
    propose: to('PROPOSED'),
    receiveProposal: to('RECEIVED'),
    receiveCloseProposal: to('RECEIVED'),
    countersign: reject('NOTHING_TO_SIGN', 'no proposal of the partner awaits our signature'),
    acceptCountersignature: reject('NOTHING_TO_SIGN', 'no proposal of ours awaits a countersignature', 'no proposal of theirs awaits your signature'),
    requestTurn: to('OPEN'),
    receiveTurnRequest: to('OPEN'),
    importCommitted: imports,
    markClosing: to('CLOSING'),
  },
  PROPOSED: {
    proposeInitial: noInit,
    receiveInitial: noInit,
    propose: reject('PENDING_STATE', "our previous proposal awaits the partner's countersignature: wait for it"),
    receiveProposal: reject('PENDING_STATE', "our proposal awaits the partner's countersignature: apply it before the partner's next state", 'our proposal awaits your countersignature: sign it before proposing your next state'),
    receiveCloseProposal: reject('PENDING_STATE', "our proposal awaits the partner's countersignature", 'our proposal awaits your countersignature'),
    countersign: reject('NOTHING_TO_SIGN', "the staged state is our own proposal: it awaits the partner's signature"),
    acceptCountersignature: to('OPEN', 'FINAL'),
    requestTurn: to('PROPOSED'),
    receiveTurnRequest: to('PROPOSED'),
    importCommitted: to('OPEN', 'FINAL', 'PROPOSED'),
    markClosing: to('CLOSING'),
  },
  RECEIVED: {
    proposeInitial: noInit,
    receiveInitial: noInit,
    propose: reject('PENDING_STATE', "the partner's proposal awaits our signature: countersign it first, then the turn is ours"),
    receiveProposal: reject('PENDING_STATE', 'a proposal of the partner is already staged: countersign it first', 'your earlier proposal awaits our signature: wait for it'),
    receiveCloseProposal: reject('PENDING_STATE', 'a proposal of the partner is already staged: countersign it first', 'your earlier proposal awaits our signature: wait for it'),
    countersign: to('OPEN', 'FINAL'),
    acceptCountersignature: reject('NOTHING_TO_SIGN', "the staged state is the partner's: countersign it", 'the staged state is your proposal, which awaits our signature'),
    requestTurn: reject('PENDING_STATE', "the partner's proposal awaits our signature: countersign it, then the turn is ours"),
    receiveTurnRequest: to('RECEIVED'),
    importCommitted: to('OPEN', 'FINAL', 'RECEIVED'),
    markClosing: to('CLOSING'),
  },
  FINAL: {
    proposeInitial: closing,
    receiveInitial: closing,
    propose: closing,
    receiveProposal: closing,
    receiveCloseProposal: closing,
    countersign: closing,
    acceptCountersignature: closing,
    requestTurn: closing,
    receiveTurnRequest: closing,
    importCommitted: closing,
    markClosing: to('CLOSING'),
  },
  CLOSING: {
    proposeInitial: closing,
    receiveInitial: closing,
    propose: closing,
    receiveProposal: closing,
    receiveCloseProposal: closing,
    // A partner's proposal staged before the close only pays us: countersigning it gives a newer state to
    // challenge with. A countersignature of our own staged proposal also still records a state both signed.
    countersign: to('CLOSING'),
    acceptCountersignature: to('CLOSING'),
    requestTurn: closing,
    receiveTurnRequest: closing,
    importCommitted: to('CLOSING'),
    markClosing: to('CLOSING'),
  },
};
