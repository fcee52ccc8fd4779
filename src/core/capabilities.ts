// Which user actions a channel allows now, and why not otherwise: the one place the CLI's help, the tree's
// menus, the webview's buttons and the commands' checks read (through the node's ChannelView.actions). No
// layer above the node re-derives a protocol rule. Pure.
import type { ErrorCode } from './codes.js';
import { clockText } from './duration.js';
import type { LifePhase } from './lifecycle.js';
import type { Party } from './signed.js';
import type { ChannelPhase } from './transitions.js';

export const ACTIONS = ['deposit', 'refund', 'send', 'sign', 'createEmpty', 'requestEmpty', 'withdraw', 'exit', 'challenge', 'finish', 'decline'] as const;
export type Action = (typeof ACTIONS)[number];

export type Capability = { readonly ok: true } | { readonly ok: false; readonly code: ErrorCode; readonly why: string };
export type Capabilities = Readonly<Record<Action, Capability>>;

export interface CapabilityInput {
  me: Party;
  life: LifePhase;
  /** the off-chain machine, once the contract address is known */
  off: {
    phase: ChannelPhase;
    /** who creates the next state (null before step 0 is signed by both) */
    turn: Party | null;
    /** who created the staged state, if any */
    stagedBy: Party | null;
    latestStep: bigint | null;
    latestTag: 'state' | 'close' | null;
    /** the staged state moves money from the latest state both signed (a payment, not an empty or close state) */
    stagedMoves?: boolean;
    myBalance: bigint;
  } | null;
  /** what the proposal expects from me, and what the contract holds from me */
  expectedMine: bigint;
  depositedMine: bigint;
  /** funding: both deposits are in, as the record shows (the contract locked with the second; not seen here yet) */
  bothIn?: boolean;
  /** a deposit (or A's deployment, which carries A's deposit) was sent and may still land */
  depositInFlight?: boolean;
  /** for how many seconds more it may land (about: by the chain's time last measured) */
  mayLandS?: number;
  /** for how many seconds more a refund of ours, sent and not seen on chain, may land (about; 0 or unsaid: none) */
  refundMayLandS?: number;
  /** a refund of this channel started before an import loaded it again is on its way (not answered yet) */
  refundHandedOver?: boolean;
  /**
   * our close (its step) or exit (null) is on its way to the contract (`mayLandS` 0: its send not answered yet) or
   * sent and may still land for about `mayLandS` s (`timeNotKnown`: for a time not known yet, the node has not read
   * the chain's time): the contract takes one close, so neither withdraw nor exit is offered
   */
  leaveOnWay?: { step: bigint | null; mayLandS: number; timeNotKnown?: true } | null;
  /** for how many seconds more a funding channel is not declined for it (a longer margin than mayLandS) */
  declineWaitS?: number;
  /** a deposit of this node's person runs now (accepting, waiting for the contract, paying) */
  depositRunning?: boolean;
  /** closing only: chain time reached the deadline */
  deadlinePassed: boolean;
  /** closing only: the end of the challenge window (unix seconds, chain time), when known */
  deadline?: number | null;
  /** restored from a backup and not yet checked against the partner */
  restorePending: boolean;
  /** imported from a backup: the partner may hold newer states this node signed, so it signs no payment */
  restored?: boolean;
  /** the partner declined the channel while it could not end here (a contract exists, or ours may land) */
  partnerDeclined?: boolean;
  /** B: A's deployment carried A's deposit, and the contract no longer holds it (A took it back) */
  partnerRefunded?: boolean;
  /** this node's party is another wallet (shown) than the one the node runs: only the defense goes on */
  otherWallet?: string | null;
}

const OK: Capability = { ok: true };
/** Why a channel imported from a backup takes no new running state (ChannelRecord.restored). */
export const RESTORED_WHY =
  'this channel was restored from a backup: your partner may hold states newer than the backup that your node signed before it lost its data, and could close with one of them, so a payment here could be worth nothing. The node signs no payment in it, either way, and keeps the turn: close it with withdraw (your partner can sign a cooperative close) and open a new channel to pay again';
const no = (code: ErrorCode, why: string): Capability => ({ ok: false, code, why });

/** What a closed (paid out) channel says to each action: the reason fits what was asked. */
const CLOSED_WHY: Readonly<Record<Action, string>> = {
  deposit: 'it takes no deposit; open a new channel to put money in one',
  refund: 'nothing is left in it to take back',
  send: 'open a new channel to pay again',
  sign: 'nothing is signed in it any more',
  createEmpty: 'open a new channel to pay again',
  requestEmpty: 'open a new channel to pay again',
  withdraw: 'nothing is left in it to withdraw',
  exit: 'nothing is left in it to take out',
  challenge: 'its close is over: nothing to challenge',
  finish: 'its close is finished already',
  decline: 'nothing to decline',
};

/**
 * What a declined channel says to each action: it never opened, or a funding contract was left with nothing of this
 * party's in it, and the node no longer follows it.
 */
const DECLINED_WHY: Readonly<Record<Action, string>> = {
  deposit: 'it takes no deposit: open a new channel (open), or ask your partner to propose one',
  refund: 'no deposit of yours reached it, so there is nothing to take back; open a new channel if you still want one',
  send: 'it never opened, so it takes no payment: open a new channel to pay',
  sign: 'it never opened, so nothing is signed in it: open a new channel if you still want one',
  createEmpty: 'it never opened, so it has no turn to pass: open a new channel to pay',
  requestEmpty: 'it never opened, so it has no turn to ask for: open a new channel to pay',
  withdraw: 'no deposit of yours reached it, so there is nothing to withdraw; open a new channel if you still want one',
  exit: 'no deposit of yours reached it, so there is nothing to take out; open a new channel if you still want one',
  challenge: 'the node no longer follows it, and nothing of yours is in it to defend with a challenge; open a new channel if you still want one',
  finish: 'the node no longer follows it, and nothing of yours is in it to pay out; open a new channel if you still want one',
  decline: 'nothing more to do; open a new channel if you still want one',
};

/** The end of a close under way, and what comes then: the node finishes it (or `finish`, once the window is over). */
function closeEnd(i: CapabilityInput): string {
  if (i.deadlinePassed) return 'its challenge window is over: the node finishes the close now (or run finish), then it pays out';
  const until = i.deadline ? ` (until ${clockText(i.deadline)} by the chain's clock)` : '';
  return `wait for its challenge window to end${until}: the node then finishes the close, and it pays out`;
}

/** What a channel whose close is on chain says to each action it refuses (challenge and finish say their own). */
function closingWhy(i: CapabilityInput, action: Action): string {
  const end = closeEnd(i);
  switch (action) {
    case 'deposit':
      return 'a close is under way, so the contract takes no more deposits: open a new channel to put money in one (this one pays out once its challenge window ends)';
    case 'refund':
      return `a close is under way: your share comes with its payout, so there is nothing to refund; ${end}`;
    case 'send':
      return 'a close is under way: payments in this channel have ended (it pays out by the state on chain, or a newer one both signed); open a new channel to pay again';
    case 'createEmpty':
      return 'a close is under way: payments in this channel have ended, so there is no turn to pass; open a new channel to pay again';
    case 'requestEmpty':
      return 'a close is under way: payments in this channel have ended, so there is no turn to ask for; open a new channel to pay again';
    case 'sign':
      return `a close is under way: no state from your partner awaits your signature, and no new one is made in the channel now; ${end}`;
    case 'withdraw':
      return `the channel is closing already, so there is nothing more to withdraw; ${end}`;
    case 'exit':
      return `the channel is closing already, so leave takes nothing out; ${end}`;
    default: // decline (challenge and finish have their own)
      return `a close is under way, so there is nothing to ${action}; ${end}`;
  }
}

function ended(i: CapabilityInput, action: Action): Capability | null {
  if (i.life === 'closed') return no('ALREADY_CLOSED', `the channel is closed and paid out: ${CLOSED_WHY[action]}`);
  if (i.life === 'rejected') return no('INVALID_TRANSITION', `the channel was declined: ${DECLINED_WHY[action]}`);
  if (i.life === 'closing') return no('ALREADY_CLOSING', closingWhy(i, action));
  return null;
}

function deposit(i: CapabilityInput): Capability {
  if (i.partnerDeclined && i.life === 'funding') {
    return no('PARTNER_DECLINED', `your partner declined this channel: a deposit of yours would stay in a contract they will not fund, or lock it with nobody to sign its states. ${i.depositedMine > 0n ? 'Take your deposit back with refund' : 'Decline the channel (decline)'}`);
  }
  if (i.partnerDeclined && (i.life === 'accepted' || i.life === 'deploying')) {
    return no('PARTNER_DECLINED', 'your partner declined this channel: nothing more is deployed for it. If your deployment lands, the node follows it and you take your deposit back with refund; otherwise the node ends the channel once it can no longer land');
  }
  if (i.partnerRefunded && i.life === 'funding' && i.me === 'B' && i.depositedMine < i.expectedMine) {
    return no('PARTNER_REFUNDED', 'your partner took their deposit back from the contract: a deposit of yours would wait for a lock that needs them to deposit again. Decline the channel (decline), or wait until they deposit again');
  }
  const mayPay = (i.life === 'proposed' && i.me === 'B') || (i.life === 'accepted' && i.me === 'A') || i.life === 'funding';
  if (i.depositRunning && mayPay) return no('DEPOSIT_UNDER_WAY', 'a deposit of yours to this channel is already under way: wait for its result');
  // sent earlier (before a restart, or its wait failed): a second one could land beside it
  if (i.depositInFlight && (i.life === 'funding' || (i.life === 'accepted' && i.me === 'A'))) {
    const what = i.life === 'funding' ? 'deposit' : 'deployment (it carries your deposit)';
    return no('MAY_STILL_LAND', `your ${what} sent earlier is not on chain yet and may still land: wait ${about(i.mayLandS)} (the node follows the contract), then run deposit again if it has not`);
  }
  switch (i.life) {
    case 'proposed':
      return i.me === 'B' ? OK : no('WAIT_PARTNER', 'your partner has not accepted the channel yet: they deposit, then you deploy automatically');
    case 'accepted':
      // B, accepted: A's node deploys once it has the acceptance (online); B's deposit comes after (deploywait.ts)
      return i.me === 'A' ? OK : no('WAIT_PARTNER', "you accepted the channel: your partner's node deploys the contract (once it is online); the node says when it is deployed, then run deposit to pay your part");
    case 'deploying': // A only
      return no('WAIT_PARTNER', 'your deployment of the contract (it carries your deposit) is under way: the node says when it is deployed');
    case 'funding':
      if (i.bothIn) return no('DEPOSIT_DONE', `both deposits are in: ${LOCK_COMING}`);
      return i.depositedMine < i.expectedMine ? OK : no('DEPOSIT_DONE', 'your deposit is in: waiting for your partner\'s');
    case 'locked':
    case 'open':
      return no('NOT_FUNDING', 'both deposits are in and the channel is locked: it takes no more deposits (pay with send, or withdraw and open a new channel with more)');
    default:
      return ended(i, 'deposit')!;
  }
}

/** Why no refund while one of the channel's earlier controller (before an import loaded it again) is on its way. */
export const REFUND_HANDED_OVER_WHY = 'a refund of this channel started before it was loaded again (an import) is still under way: wait for its result (the node follows the contract), then run refund again if your deposit is still in';

/** "about N s" when known. */
const about = (s: number | undefined): string => (s ? `about ${s} s` : 'for it');

/** Funding with both deposits in, as the record shows: the contract locked with the second, unseen here yet. */
const LOCK_COMING = 'the contract locked with the second, and this node takes the lock at its next read of the chain (seconds)';

function refund(i: CapabilityInput): Capability {
  // the contract refuses a refund once locked (a fee for nothing)
  if (i.life === 'funding' && i.bothIn) return no('NOT_FUNDING', `both deposits are in, so refund no longer takes a deposit back: ${LOCK_COMING}. Then wait for the initial state to pay, or leave with the deposits (leave)`);
  // sent earlier (before a restart, or its wait failed): the contract refuses a second once the first lands
  if (i.life === 'funding' && i.refundHandedOver) return no('REFUND_UNDER_WAY', REFUND_HANDED_OVER_WHY);
  if (i.life === 'funding' && i.refundMayLandS) return no('REFUND_UNDER_WAY', `your refund sent earlier is not on chain yet and may still land: wait ${about(i.refundMayLandS)} (the node follows the contract), then run refund again if your deposit is still in`);
  if (i.life === 'funding' && i.depositedMine === 0n && i.depositInFlight) return no('NOTHING_DEPOSITED', beforeLock(i));
  if (i.life === 'funding' && i.depositedMine === 0n && i.partnerRefunded) return no('NOTHING_DEPOSITED', 'you have no deposit in the contract, and your partner took theirs back: decline the channel to stop following it');
  if (i.life === 'funding') return i.depositedMine > 0n ? OK : no('NOTHING_DEPOSITED', `you have no deposit in the contract: ${i.expectedMine > 0n ? 'deposit, or ' : ''}decline the channel to stop following it`);
  if (i.life === 'proposed' && i.me === 'B') return no('NOTHING_DEPOSITED', "nothing was deposited yet: accept your partner's proposal with deposit, or decline it");
  if (i.life === 'proposed') return no('NO_CONTRACT', 'your partner has not accepted your proposal, so nothing was deposited yet and there is nothing to refund: decline takes your proposal back');
  if (i.life === 'accepted' || i.life === 'deploying') return no('NO_CONTRACT', 'nothing was deposited yet: the contract is not deployed; wait until it is and your deposit is in, then refund takes it back');
  if (i.life === 'locked') return no('NOT_FUNDING', 'the channel is locked: leave with the deposits instead (leave)');
  if (i.life === 'open') return no('NOT_FUNDING', 'the channel is locked: withdraw instead');
  return ended(i, 'refund')!;
}

/** The way out of a channel whose initial state the partner does not sign. */
const LEAVE_UNSIGNED = 'leave with the deposits (leave) if they never sign';

/** Why a deposit waits or is not taken before the lock: said before a payment's "deposit first" too. */
const DEPOSIT_HELD: readonly ErrorCode[] = ['PARTNER_DECLINED', 'PARTNER_REFUNDED', 'MAY_STILL_LAND', 'DEPOSIT_UNDER_WAY'];

/** What the channel waits for before its first payment, from this party's side. */
function notOpenYet(i: CapabilityInput): string {
  // a deposit the node does not take now (the partner declined, or took theirs back; ours may still land): its reason
  const d = deposit(i);
  if (!d.ok && DEPOSIT_HELD.includes(d.code)) return d.why;
  if (i.life === 'proposed') return i.me === 'B' ? "accept your partner's proposal with deposit first" : 'your partner has not accepted it yet: wait for their deposit (then your node deploys the contract)';
  if (i.life === 'accepted' || i.life === 'deploying') return 'the contract is being deployed';
  if (i.life === 'funding' && i.bothIn) return `both deposits are in: ${LOCK_COMING}, then the initial state is signed`;
  if (i.life === 'funding') return i.depositedMine < i.expectedMine ? 'your deposit is not in yet: deposit' : "waiting for your partner's deposit";
  // the initial state on its way: whose signature it waits for (a --manual party signs by hand)
  const staged = i.off?.stagedBy ?? null;
  if (staged !== null) return staged === i.me ? `the initial state waits for your partner's signature: wait for it, or ${LEAVE_UNSIGNED}` : 'the initial state from your partner awaits your signature: sign it first';
  return 'both deposits are in; the initial state is on its way: wait for it to be signed by both';
}

function offChain(i: CapabilityInput, action: 'send' | 'createEmpty' | 'requestEmpty'): Capability | null {
  const end = ended(i, action);
  if (end) return end;
  if (i.life !== 'open' || !i.off || i.off.turn === null) return no('NOT_OPEN', `payments start once the channel is open: ${notOpenYet(i)}`);
  if (i.off.phase === 'FINAL') return no('CHANNEL_CLOSING', 'a close state is signed by both: withdraw to pay it out');
  return null;
}

function propose(i: CapabilityInput, what: 'send' | 'createEmpty'): Capability {
  const base = offChain(i, what);
  if (base) return base;
  const off = i.off!;
  if (i.restorePending) return no('RESTORE_PENDING', 'restored from a backup: connect to your partner first so the node knows the latest state');
  if (off.stagedBy === i.me) return no('PENDING_STATE', "your last state awaits your partner's signature: wait for it (if they never sign it, close alone with withdraw)");
  if (i.restored) return no('CHANNEL_RESTORED', RESTORED_WHY);
  if (off.stagedBy !== null) return no('PENDING_STATE', 'a state from your partner awaits your signature: sign it first');
  if (off.turn !== i.me) return no('NOT_YOUR_TURN', 'it is your partner\'s turn: request it with requestEmpty');
  if (what === 'send' && off.myBalance === 0n) return no('INSUFFICIENT_BALANCE', 'your balance in the channel is 0: you can pay once your partner pays you (or close the channel with withdraw)');
  return OK;
}

function requestEmpty(i: CapabilityInput): Capability {
  const base = offChain(i, 'requestEmpty');
  if (base) return base;
  const off = i.off!;
  if (off.stagedBy !== null && off.stagedBy !== i.me) return no('PENDING_STATE', 'a state from your partner awaits your signature: sign it, then the turn is yours');
  if (off.stagedBy === null && off.turn === i.me) return no('ALREADY_YOUR_TURN', 'the turn is already yours');
  return OK;
}

function sign(i: CapabilityInput): Capability {
  if (i.life === 'closed' || i.life === 'rejected') return ended(i, 'sign')!;
  if (i.restorePending) return no('RESTORE_PENDING', 'restored from a backup: connect to your partner first so the node knows the latest state');
  if (i.off && i.off.stagedBy !== null && i.off.stagedBy !== i.me) return i.restored && i.off.stagedMoves ? no('CHANNEL_RESTORED', RESTORED_WHY) : OK;
  // nothing to sign: said with what comes next (the code's hint repeats the words, and is left out)
  if (i.life === 'closing') return no('NOTHING_TO_SIGN', closingWhy(i, 'sign'));
  if (i.off?.stagedBy === i.me) return no('NOTHING_TO_SIGN', "no state from your partner awaits your signature: your own last state awaits theirs, so there is nothing to sign; wait for their signature");
  return no('NOTHING_TO_SIGN', 'no state from your partner awaits your signature: nothing to do; the node says when one comes in');
}

function withdraw(i: CapabilityInput): Capability {
  const end = ended(i, 'withdraw');
  if (end) return end;
  const way = leaveOnWay(i);
  if (way) return way;
  if (i.life === 'locked') return no('NOT_OPEN', `no state is signed by both yet: ${lockedWithdraw(i)}`);
  if (i.off?.phase === 'CLOSING') return no('ALREADY_CLOSING', 'the contract is closing or has paid out: the node finishes the close, or reads its payout');
  if (i.life !== 'open' || !i.off || i.off.latestStep === null) return no('NOT_OPEN', `the channel is not locked yet: ${beforeLock(i)}`);
  return OK;
}

/** Withdraw on a locked channel: the node whose signature the initial state awaits signs it; else leave. */
function lockedWithdraw(i: CapabilityInput): string {
  const mine = i.off?.stagedBy != null && i.off.stagedBy !== i.me;
  return mine ? 'the initial state from your partner awaits your signature: sign it, then withdraw (or leave with the deposits: leave)' : 'leave with the deposits instead (leave)';
}

/** What a party can do with its money before the channel locks (refund only takes back a deposit that is in). */
function beforeLock(i: CapabilityInput): string {
  if (i.life === 'funding' && i.bothIn) return 'this node has not seen the lock yet, but both deposits are in (the contract locks with the second): it takes the lock at its next read of the chain (seconds); then run it again';
  if (i.depositedMine > 0n) return 'take your deposit back with refund';
  if (i.depositInFlight) return 'your deposit was sent and may still land: wait for it (the node follows it), then take it back with refund';
  if (i.life === 'funding') return `you have no deposit in the contract, so nothing to take back${i.expectedMine > 0n ? ' (deposit, or decline the channel)' : ''}`;
  if (i.life === 'proposed' || i.life === 'accepted') return 'nothing of yours is in a contract yet, so there is nothing to take out; decline the channel to give it up';
  return 'nothing of yours is in a contract yet';
}

/**
 * Our close or exit on its way (open or locked): the contract takes only the first close, and once one is on chain
 * no close state can be agreed, so a second withdraw or exit could only wait for it or be refused for a wallet fee.
 */
function leaveOnWay(i: CapabilityInput): Capability | null {
  const w = i.leaveOnWay;
  if (!w || (i.life !== 'open' && i.life !== 'locked')) return null;
  const what = w.step === null ? 'your exit' : `your close with step ${w.step}`;
  const state = w.timeNotKnown
    ? "was sent and may still land: for how long is not known yet (the node reads the chain's time first)"
    : w.mayLandS
      ? `was sent and may still land (${about(w.mayLandS)})`
      : 'is on its way to the contract';
  const why = `${what} ${state}: wait for it. The node follows the contract: the challenge window opens when it lands, and the node finishes the close after it; if it can no longer land, ${w.step === null ? 'leave' : 'withdraw'} is offered again`;
  return no(w.step === null ? 'EXIT_UNDER_WAY' : 'WITHDRAW_UNDER_WAY', why);
}

function exit(i: CapabilityInput): Capability {
  // paid out while its payout transaction is not found yet: the contract refuses an exit (a wallet fee)
  if (i.life === 'locked' && i.off?.phase === 'CLOSING') return no('ALREADY_CLOSING', 'the contract is closing or has paid out: the node finishes the close, or reads its payout');
  if (i.life === 'locked') return leaveOnWay(i) ?? OK;
  const end = ended(i, 'exit');
  if (end) return end;
  if (i.life === 'open') return no('INVALID_TRANSITION', 'the initial state is signed by both: withdraw with the latest state instead');
  return no('NOT_LOCKED', `the channel is not locked: ${beforeLock(i)}`);
}

function challenge(i: CapabilityInput): Capability {
  if (i.life === 'closed' || i.life === 'rejected') return ended(i, 'challenge')!;
  if (i.life !== 'closing') return no('INVALID_TRANSITION', 'no close is under way');
  return i.deadlinePassed ? no('TOO_LATE', 'the challenge window is over: the close can only be finished') : OK;
}

function finish(i: CapabilityInput): Capability {
  if (i.life === 'closed' || i.life === 'rejected') return ended(i, 'finish')!;
  if (i.life !== 'closing') return no('INVALID_TRANSITION', 'no close is under way');
  if (i.deadlinePassed) return OK;
  const until = i.deadline ? ` until ${clockText(i.deadline)} (by the chain's clock)` : '';
  return no('TOO_EARLY', `the challenge window is still open${until}: the node finishes the close by itself then`);
}

function decline(i: CapabilityInput): Capability {
  // a deployment or deposit of ours that may still land: declined now, it would land in a contract nobody follows
  const wait = i.life === 'accepted' && i.me === 'A' ? i.mayLandS : i.life === 'funding' && i.depositedMine === 0n ? i.declineWaitS : 0;
  if (wait && (i.depositInFlight || i.life === 'funding')) {
    const what = i.life === 'accepted' ? 'your deployment' : 'your deposit (or deployment)';
    return no('MAY_STILL_LAND', `${what} may still land (it is not seen on chain yet): wait ${about(wait)}, then decline again`);
  }
  if (i.life === 'proposed' || i.life === 'accepted') return OK;
  // A funding channel that holds nothing of mine is given up (the node reads the chain, and waits for a deposit of
  // its own that may still land). If it owes nothing, the partner's deposit may still lock it: its money, its exit.
  if (i.life === 'funding' && i.depositedMine === 0n) return OK;
  if (i.life === 'closed' || i.life === 'rejected' || i.life === 'closing') return ended(i, 'decline')!;
  const funding = i.bothIn ? `both deposits are in: ${LOCK_COMING}; then leave with the deposits (leave)` : 'take your deposit back with refund';
  const instead = i.life === 'locked' ? 'leave with the deposits (leave)' : i.life === 'open' ? 'close it with withdraw' : funding;
  return no('INVALID_TRANSITION', `a contract exists: ${instead}`);
}

export function capabilities(i: CapabilityInput): Capabilities {
  if (i.otherWallet) {
    // Challenges and finishing a close need no particular wallet; everything else is refused by the contract (a fee
    // each) or reaches a partner who knows this node by that wallet.
    const other = no('OTHER_WALLET', `the channel was opened with another wallet of this key (${i.otherWallet}), not the one this node runs: start the node with that wallet to pay, deposit or close. The node still watches the channel and challenges a stale close`);
    return { deposit: other, refund: other, send: other, sign: other, createEmpty: other, requestEmpty: other, withdraw: other, exit: other, challenge: challenge(i), finish: finish(i), decline: other };
  }
  return {
    deposit: deposit(i),
    refund: refund(i),
    send: propose(i, 'send'),
    sign: sign(i),
    createEmpty: propose(i, 'createEmpty'),
    requestEmpty: requestEmpty(i),
    withdraw: withdraw(i),
    exit: exit(i),
    challenge: challenge(i),
    finish: finish(i),
    decline: decline(i),
  };
}
