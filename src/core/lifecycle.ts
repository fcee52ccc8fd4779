// The channel's life on chain and between the peers: a second explicit machine next to the off-chain one
// (channel.ts). phase x event -> the next phase and the effects the node performs, a silent "ignore" for a
// duplicate or a stale event, or a typed rejection. Pure: no I/O, no clocks. See docs/architecture.md.
//
// Events come from three sources: people (local commands), the partner (wire messages) and the chain (the
// watch). The chain is the truth, so a chain event that does not fit is ignored, never rejected; a person's or
// the partner's event that does not fit is rejected with LIFECYCLE_REJECTED and the reason.
import { SynError } from './errors.js';
import { balanceOf, type Party } from './signed.js';

export type LifePhase =
  /** A proposed the channel; B has not accepted it yet. */
  | 'proposed'
  /** B accepted; A has not deployed the contract yet (A may retry the deployment from here). */
  | 'accepted'
  /** A's deployment is under way. */
  | 'deploying'
  /** The contract exists; the deposits are coming in (each party may refund its own). */
  | 'funding'
  /** Both deposits are in; the initial state (step 0) is not signed by both yet. */
  | 'locked'
  /** Step 0 is signed by both: payments flow off chain. */
  | 'open'
  /** A close (with a state, or an exit with the deposits) is on chain: the challenge window runs. */
  | 'closing'
  /** The chain shows the payout. */
  | 'closed'
  /** The proposal was declined before any contract existed, or a funding channel was dismissed by a party with nothing in it. */
  | 'rejected';

export const LIFE_PHASES: readonly LifePhase[] = ['proposed', 'accepted', 'deploying', 'funding', 'locked', 'open', 'closing', 'closed', 'rejected'];

export type LifeEventType =
  // people
  | 'accept'
  | 'decline'
  | 'deployStarted'
  | 'deployFailed'
  // the partner
  | 'acceptReceived'
  | 'rejectReceived'
  // the chain (and our own transactions' outcome)
  | 'deployed'
  | 'funded'
  | 'locked'
  | 'initialCommitted'
  | 'initialTimeout'
  | 'closeSeen'
  | 'challengeSeen'
  | 'deadlinePassed'
  | 'paidOut';

export const LIFE_EVENTS: readonly LifeEventType[] = [
  'accept',
  'decline',
  'deployStarted',
  'deployFailed',
  'acceptReceived',
  'rejectReceived',
  'deployed',
  'funded',
  'locked',
  'initialCommitted',
  'initialTimeout',
  'closeSeen',
  'challengeSeen',
  'deadlinePassed',
  'paidOut',
];

export type EventSource = 'person' | 'partner' | 'chain';

export function sourceOf(e: LifeEventType): EventSource {
  if (e === 'accept' || e === 'decline' || e === 'deployStarted' || e === 'deployFailed') return 'person';
  if (e === 'acceptReceived' || e === 'rejectReceived') return 'partner';
  return 'chain';
}

export type LifeEffect =
  /** tell the partner we accept (B) / decline */
  | 'sendAccept'
  | 'sendReject'
  /** A: deploy the contract with A's deposit */
  | 'deploy'
  /** A: tell the partner the contract is deployed */
  | 'sendDeployed'
  /** start watching the contract on chain */
  | 'watch'
  /** A: sign and send the initial state (step 0) */
  | 'proposeInitial'
  /** B: ask the partner again for the initial state refused before the lock was seen here (none held since) */
  | 'askInitial'
  /** offer the user the exit with the recorded deposits (the partner does not sign step 0) */
  | 'offerExit'
  /** challenge the close on chain if we hold a state that pays us more (see defense()) */
  | 'defend'
  /** finish the close after the deadline */
  | 'finish'
  /** the watch can stop: the channel is over */
  | 'stopWatch';

/** Effects only one party performs. */
const EFFECT_PARTY: Partial<Record<LifeEffect, Party>> = { deploy: 'A', sendDeployed: 'A', proposeInitial: 'A', askInitial: 'B', sendAccept: 'B' };

export type LifeRule =
  | { readonly to: LifePhase; readonly effects: readonly LifeEffect[]; readonly only?: Party }
  | { readonly ignore: string }
  | { readonly reject: string };

const go = (to: LifePhase, ...effects: LifeEffect[]): LifeRule => ({ to, effects });
const onlyA = (to: LifePhase, ...effects: LifeEffect[]): LifeRule => ({ to, effects, only: 'A' });
const onlyB = (to: LifePhase, ...effects: LifeEffect[]): LifeRule => ({ to, effects, only: 'B' });
const ignore = (why: string): LifeRule => ({ ignore: why });
const reject = (why: string): LifeRule => ({ reject: why });

const noContract = ignore('there is no contract yet');
const over = (what: string) => ({
  person: reject(`the channel is ${what}`),
  partner: ignore(`the channel is ${what}`),
  chain: ignore(`the channel is ${what}`),
});
const locked = reject('a contract exists: take your deposit back with refund while funding, or withdraw/exit once locked');
const dup = ignore('already done');

/** The whole table: every phase x every event. */
export const LIFECYCLE: Readonly<Record<LifePhase, Readonly<Record<LifeEventType, LifeRule>>>> = {
  proposed: {
    accept: onlyB('accepted', 'sendAccept'),
    decline: go('rejected', 'sendReject'),
    deployStarted: reject('your partner has not accepted the channel yet'),
    deployFailed: reject('no deployment is under way'),
    acceptReceived: onlyA('accepted', 'deploy'),
    rejectReceived: go('rejected'),
    deployed: go('funding', 'watch'),
    funded: noContract,
    locked: noContract,
    initialCommitted: noContract,
    initialTimeout: noContract,
    closeSeen: noContract,
    challengeSeen: noContract,
    deadlinePassed: noContract,
    paidOut: noContract,
  },
  accepted: {
    accept: dup,
    // A after a deployment whose wait failed may be following the contract (it may land): no more.
    decline: go('rejected', 'sendReject', 'stopWatch'),
    deployStarted: onlyA('deploying'),
    deployFailed: reject('no deployment is under way'),
    acceptReceived: dup,
    rejectReceived: go('rejected', 'stopWatch'),
    deployed: go('funding', 'watch', 'sendDeployed'),
    funded: go('funding', 'watch'),
    locked: go('locked', 'watch', 'proposeInitial', 'askInitial'),
    // B signed step 0 after reading the lock itself (A's initial state came before anything said it was deployed):
    // open, and followed on chain from now on.
    initialCommitted: go('open', 'watch'),
    initialTimeout: noContract,
    closeSeen: noContract,
    challengeSeen: noContract,
    deadlinePassed: noContract,
    paidOut: noContract,
  },
  deploying: {
    accept: dup,
    decline: reject('the deployment is under way: wait for it, then take your deposit back with refund'),
    deployStarted: reject('the deployment is already under way'),
    deployFailed: onlyA('accepted'),
    acceptReceived: dup,
    rejectReceived: ignore('the deployment is under way: A takes the deposit back with refund'),
    deployed: go('funding', 'watch', 'sendDeployed'),
    funded: go('funding', 'watch', 'sendDeployed'),
    locked: go('locked', 'watch', 'sendDeployed', 'proposeInitial', 'askInitial'),
    initialCommitted: noContract,
    initialTimeout: noContract,
    closeSeen: noContract,
    challengeSeen: noContract,
    deadlinePassed: noContract,
    paidOut: noContract,
  },
  funding: {
    accept: dup,
    // The node allows it only when the contract holds nothing of this party's and nothing of it may still land.
    decline: go('rejected', 'sendReject', 'stopWatch'),
    deployStarted: reject('the contract is already deployed'),
    deployFailed: ignore('the contract is already deployed'),
    acceptReceived: dup,
    rejectReceived: ignore('the contract exists: each party takes its own deposit back with refund'),
    deployed: dup,
    funded: go('funding'),
    locked: go('locked', 'proposeInitial', 'askInitial'),
    // Step 0 signed by both implies the lock: A proposes it only after seeing the lock, B checks the chain first.
    initialCommitted: go('open'),
    initialTimeout: ignore('the contract is not locked yet'),
    closeSeen: go('closing', 'defend'),
    challengeSeen: go('closing', 'defend'),
    deadlinePassed: ignore('no close is under way'),
    paidOut: go('closed', 'stopWatch'),
  },
  locked: {
    accept: dup,
    decline: locked,
    deployStarted: reject('the contract is already deployed'),
    deployFailed: ignore('the contract is already deployed'),
    acceptReceived: dup,
    rejectReceived: ignore('the channel is locked: exit to take your deposit back'),
    deployed: dup,
    funded: dup,
    locked: dup,
    initialCommitted: go('open'),
    initialTimeout: go('locked', 'offerExit'),
    closeSeen: go('closing', 'defend'),
    challengeSeen: go('closing', 'defend'),
    deadlinePassed: ignore('no close is under way'),
    paidOut: go('closed', 'stopWatch'),
  },
  open: {
    accept: dup,
    decline: locked,
    deployStarted: reject('the contract is already deployed'),
    deployFailed: ignore('the contract is already deployed'),
    acceptReceived: dup,
    rejectReceived: ignore('the channel is open'),
    deployed: dup,
    funded: dup,
    locked: dup,
    initialCommitted: dup,
    initialTimeout: ignore('the initial state is signed by both'),
    closeSeen: go('closing', 'defend'),
    challengeSeen: go('closing', 'defend'),
    deadlinePassed: ignore('no close is under way'),
    paidOut: go('closed', 'stopWatch'),
  },
  closing: {
    accept: dup,
    decline: reject('the channel is closing: wait for the payout'),
    deployStarted: reject('the contract is already deployed'),
    deployFailed: ignore('the contract is already deployed'),
    acceptReceived: dup,
    rejectReceived: ignore('the channel is closing'),
    deployed: dup,
    funded: dup,
    locked: dup,
    initialCommitted: go('closing', 'defend'),
    initialTimeout: ignore('the channel is closing'),
    closeSeen: go('closing', 'defend'),
    challengeSeen: go('closing', 'defend'),
    deadlinePassed: go('closing', 'finish'),
    paidOut: go('closed', 'stopWatch'),
  },
  closed: fill(over('closed and paid out')),
  rejected: fill(over('declined')),
};

function fill(by: Record<EventSource, LifeRule>): Record<LifeEventType, LifeRule> {
  const out = {} as Record<LifeEventType, LifeRule>;
  for (const e of LIFE_EVENTS) out[e] = by[sourceOf(e)];
  return out;
}

export class LifecycleError extends SynError<'LIFECYCLE_REJECTED'> {
  constructor(
    readonly phase: LifePhase,
    readonly event: LifeEventType,
    why: string,
  ) {
    super('LIFECYCLE_REJECTED', `cannot ${event} now (${phase}): ${why}`, { details: { phase, event } });
    this.name = 'LifecycleError';
  }
}

export interface LifeStep {
  /** the phase after the event (the same phase when ignored) */
  phase: LifePhase;
  /** what the node performs, in order (only this party's) */
  effects: LifeEffect[];
  /** why nothing happened, when the event was ignored */
  ignored?: string;
}

/** Applies an event; throws LifecycleError for a person's or the partner's event that does not fit. */
export function lifeStep(phase: LifePhase, me: Party, event: LifeEventType): LifeStep {
  const rule = LIFECYCLE[phase][event];
  if ('ignore' in rule) return { phase, effects: [], ignored: rule.ignore };
  if ('reject' in rule) throw new LifecycleError(phase, event, rule.reject);
  if (rule.only && rule.only !== me) {
    const why = `only ${rule.only} does that in this phase`;
    if (sourceOf(event) === 'chain') return { phase, effects: [], ignored: why };
    throw new LifecycleError(phase, event, why);
  }
  return { phase: rule.to, effects: rule.effects.filter((e) => (EFFECT_PARTY[e] ?? me) === me) };
}

/**
 * A state both signed implies the lock and the initial state: a channel that holds one (`signed`) while its record
 * says accepted, funding or locked is open (a crash between the journal and the record, B's step 0 signed after it
 * read the lock itself, states restored from before the lock). A legacy record keeps its phase. The one rule of the
 * load (recovery.ts), of each life step (controller.ts) and of the states a resync brings (sync.ts).
 */
export function signedOpens(phase: LifePhase, signed: boolean, legacy: boolean): boolean {
  return signed && !legacy && (phase === 'accepted' || phase === 'funding' || phase === 'locked');
}

/** Whether an event is allowed (not rejected) in a phase for a party. */
export function lifeAllows(phase: LifePhase, me: Party, event: LifeEventType): boolean {
  const rule = LIFECYCLE[phase][event];
  if ('reject' in rule) return false;
  return !('to' in rule) || !rule.only || rule.only === me;
}

// ---- the defense of a close ------------------------------------------------------------------------

export interface Balances {
  balanceA: bigint;
  balanceB: bigint;
}

export interface CloseOnChain {
  /** the step of the stored state, or null for an exit (the recorded deposits are the balances) */
  step: bigint | null;
  balances: Balances;
}

export interface Candidate extends Balances {
  step: bigint;
}

/**
 * Which of our states to challenge a close with: the latest we hold (signed by both, or a partner's proposal we
 * can countersign: it only pays us), when its step is above the one on chain and either it pays us more than the
 * close on chain does, or a state between them pays us less than it (`lowestBetween`: what such a state both
 * signed, with a step above the close on chain and below the latest, pays us (the least, or any one that pays
 * less than the latest); null: there is none; 'unknown': assumed less). Until the deadline, which never moves, the partner may submit any state above the close on chain: one
 * in the window's last block cannot be answered, so the floor is raised to the latest while there is time. An
 * older state that would pay us more is never used: the latest state is the agreement, and the partner could
 * replace an older one anyway. null: nothing to gain or to fear, do not spend fees.
 */
export function defense(me: Party, onChain: CloseOnChain, candidates: readonly Candidate[], lowestBetween: bigint | null | 'unknown'): Candidate | null {
  let latest: Candidate | null = null;
  for (const c of candidates) if (!latest || c.step > latest.step) latest = c;
  if (!latest) return null;
  if (onChain.step !== null && latest.step <= onChain.step) return null;
  const ours = balanceOf(latest, me);
  if (ours > balanceOf(onChain.balances, me)) return latest;
  return lowestBetween === 'unknown' || (lowestBetween !== null && lowestBetween < ours) ? latest : null;
}
