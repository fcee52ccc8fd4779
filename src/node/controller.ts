// One controller per channel: it owns the channel's two machines (the off-chain Channel and the lifecycle
// phase in the record), its storage, a serial queue, and the waiters of commands that wait for a change.
// Everything that changes a channel runs inside `run()`, one at a time and never across a wait for the partner
// or the chain (those happen outside the queue, so a slow partner cannot block the channel's other work).
import { Address } from '@ton/core';
import type { Capabilities } from '../core/capabilities.js';
import { Channel, type ChannelParams } from '../core/channel.js';
import { lifeStep, signedOpens, type LifeEffect, type LifeEventType, type LifePhase } from '../core/lifecycle.js';
import type { SignedState } from '../core/signed.js';
import type { ChannelState } from '../core/state.js';
import type { SignedStateArg } from '../chain/types.js';
import { NodeError } from './errors.js';
import { JournalFailure, isJournalWriteError, journalRefusal } from './journalfail.js';
import type { ChannelStorage, JournalEntry } from './persistence.js';
import { partnerAddressOf, type ChannelRecord } from './record.js';
import { closeSignedNow } from './closeunsent.js';
import type { OnWay, WayKind } from './inflight.js';
import type { StateView } from './types.js';
import { stateView } from './views.js';
import { ended } from './uiRules.js';
import { actionsOf, type ActionOptions } from './actions.js';
import { waitUntil } from './waitfor.js';
import { ChannelMap } from './channelmap.js';
export { ChannelMap, channelsWith, unstoredOf } from './channelmap.js';

/**
 * The price (nanotons) of two kept states in an idle run: every state counts one, and a payment takes back two for
 * each DUST it moves (a pass and a payment of DUST cost the run nothing; a pass and a payment of 1 nanoton, two).
 */
export const DUST = 1_000n;
/** A quiet spell this long ends an idle run. */
const IDLE_RUN_GAP_MS = 10_000;

/** A promise already settled: where every channel's queue and durable chain start (one for all channels). */
const SETTLED: Promise<void> = Promise.resolve();

/** The defaults of chainNow and inFlightOver until the node binds them (mayland.ts bindClock): shared, not one per channel. */
const localNow = (): number => Date.now() / 1000;
const nothing = (): void => undefined;

/** How long the stop waits for what a channel's queue holds before it seals it anyway. */
const SEAL_WAIT_MS = 10_000;

export class ChannelController {
  /** the off-chain machine (the contract address is known from the proposal, so it exists from the start) */
  channel: Channel;
  /** the view of the latest state both signed (kept so views stay O(1)); undefined: made from `loadedLatest` on the first read */
  private shownLatest: StateView | null | undefined = undefined;
  /** the latest state both signed when this controller was made, until its view is made (most idle channels never show it) */
  private loadedLatest: Readonly<SignedState> | null;
  get latestView(): StateView | null {
    if (this.shownLatest === undefined) {
      this.shownLatest = this.loadedLatest ? stateView(this.loadedLatest, null) : null;
      this.loadedLatest = null;
    }
    return this.shownLatest;
  }
  set latestView(v: StateView | null) {
    this.shownLatest = v;
    this.loadedLatest = null;
    if (v) closeSignedNow(this, v);
  }
  private queue: Promise<unknown> = SETTLED;
  private durableChain: Promise<void> = SETTLED;
  /** the failed writes of this channel's journal (a full disk): no new state is signed until it takes what it held */
  readonly journal = new JournalFailure();
  /** the waits of waitFor (made on the first: most channels idle never wait) */
  private waits: { waiters: Set<() => void>; stoppers: Set<(e?: Error) => void> } | null = null;
  /** why every wait of this channel ends: the node stopped (NODE_STOPPED), or dropped this controller */
  private stopReason: NodeError | null = null;
  /** the node dropped this controller (its channel loaded again): nothing more runs in its queue */
  private dropped = false;
  /** the node's stop took its last turn in the queue (seal): nothing runs, is saved or appended after it */
  private sealed = false;
  /** whether the node stopped, or dropped this controller (every wait of this channel ends then) */
  get isStopped(): boolean {
    return this.stopReason !== null;
  }
  /** whether the node dropped this controller: another one holds its channel now */
  get isDropped(): boolean {
    return this.dropped;
  }
  /** dropped, or an import closed its storage (the node drops it once the import is done): its channel is loaded again */
  get reloading(): boolean {
    return this.dropped || (!this.stopReason && this.storage?.isClosed === true);
  }
  /** a stand-in for a channel an import failed at: it only watches and defends the contract (standin.ts) */
  standIn = false;
  /** the payout a stand-in told before this controller loaded the channel: not told again */
  payoutTold: ChannelRecord['payout'] = null;
  /** the contract read as paid out, its payout transaction not found yet: told once (payout.ts reportPaidOutUnread) */
  paidOutUnread = false;
  /** the timers of later() (made on the first) */
  private timers: Set<NodeJS.Timeout> | null = null;
  /** chain time reached the close's deadline (set by the arbiter) */
  deadlinePassed = false;
  /** the wallet of this node's party when it is not the wallet this node runs (same key, another wallet) */
  otherWallet: string | null = null;
  /**
   * The step the watcher challenges the close on chain with, as last planned (null: it does not, there is nothing
   * to gain or to fear; undefined: not planned yet in this run).
   */
  challengeWith: bigint | null | undefined = undefined;
  /** per kind, a challenge (its defense's), cooperative close, refund, close or exit of this controller on its way, or one handed over to it (inflight.ts) */
  readonly onWay: Record<WayKind, OnWay | null> = { challenge: null, close: null, refund: null, leave: null };
  /** this node's person declined the channel in this run */
  declinedHere = false;
  /** why this node ends the proposal, told to the partner with channel.reject (default: declined) */
  rejectReason?: string;
  /** a deposit of this node's person runs now (one at a time) */
  depositing = false;
  /** a proposal received: the host it came from (a session dropped for idleness no longer tells it) */
  proposedFrom?: string;
  /** the last resync.request a far-ahead proposal made (payments.ts askResync) */
  resyncAsked: { latest: bigint; at: number } | null = null;
  /** a withdraw of this node is agreeing a close state: the turn it holds is for its close proposal, not a pass */
  agreeingClose = false;
  /** loaded from disk and the partner's resync answer not in yet: nothing of ours is signed or sent (unsynced.ts) */
  unsynced = false;
  /**
   * States both signed that were not paid for (DUST), each within IDLE_RUN_GAP_MS of the one before: what a partner
   * cycling turns makes this node keep for (next to) nothing (turns.ts holdPass).
   */
  idleRun = 0;
  /** the user was told of this idle run's delays */
  idleTold = false;
  private lastCommitAt = 0;
  /** an automatic pass held back after a long idle run: not before this time (unix ms; turns.ts) */
  passNotBefore: number | null = null;
  /**
   * the chain's time (unix s) as the node estimates it: set from the node's skew where the node adds the channel;
   * null until the node's first read of the chain's time (mayland.ts viewNow)
   */
  chainNow: () => number | null = localNow;
  /** Called once a deposit or deployment of ours shown as "may still land" can no longer land (the view changes). */
  inFlightOver: () => void = nothing;
  /** when the refresh of a "may still land" view is due (performance.now()), 0: none armed */
  inFlightDue = 0;

  constructor(
    public rec: ChannelRecord,
    /** null for a proposal received and not accepted yet: it lives in memory only */
    public storage: ChannelStorage | null,
    channel: Channel,
  ) {
    this.channel = channel;
    this.loadedLatest = channel.latestSigned; // not a copy: the machine replaces its latest state, never changes it
  }

  static params(rec: ChannelRecord): ChannelParams {
    return { channel: Address.parse(rec.contract), publicKeyA: rec.publicKeyA, publicKeyB: rec.publicKeyB };
  }

  get id(): string {
    return this.rec.channelId.toString();
  }

  get life(): LifePhase {
    return this.rec.life;
  }

  get ended(): boolean {
    return ended(this.rec.life);
  }

  /**
   * Open, or about to be: state 0 is signed by both and only its write is under way (the partner's next state may
   * arrive meanwhile, and is answered as in an open channel: the journal keeps the order).
   */
  get liveOffChain(): boolean {
    return this.rec.life === 'open' || (this.rec.life === 'locked' && this.channel.latest !== null);
  }

  /** Runs `fn` after everything queued before it (the channel's serial queue). */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    // Once an import closed the storage, what was queued fails instead of running on it.
    const go = () => {
      if (this.reloading) throw this.stopReason ?? reloaded();
      if (this.sealed) throw this.afterSeal();
      return fn();
    };
    const next = this.queue.then(go, go);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * The node's stop, before it closes the storage: what was queued runs to its end, and from then on nothing runs,
   * is saved or appended (the stop's error), also from work outside the queue that ends after the stop (a
   * deployment's failure path): no write reaches a storage the stop closes.
   */
  async seal(bound = SEAL_WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((r) => (timer = setTimeout(r, bound)));
    // A queued run that never ends (a wait the stop did not reach) must not hang the stop: sealed after the bound.
    await Promise.race([this.run(() => void (this.sealed = true)).catch(() => undefined), late]);
    clearTimeout(timer);
    this.sealed = true;
  }

  private afterSeal(): NodeError {
    return this.stopReason ?? this.stoppedError('the node stopped: start it again');
  }

  /** Applies a lifecycle event to the record (in memory); the caller saves and performs the effects. */
  step(event: LifeEventType): { changed: boolean; effects: LifeEffect[] } {
    const before = this.rec.life;
    const r = lifeStep(before, this.rec.me, event);
    // A state both signed implies the lock (signedOpens): short of open while holding one, the channel is open.
    if (signedOpens(r.phase, this.channel.latest !== null, this.rec.legacy)) {
      const o = lifeStep(r.phase, this.rec.me, 'initialCommitted');
      this.rec.life = o.phase;
      return { changed: o.phase !== before, effects: [...r.effects, ...o.effects].filter((e) => e !== 'offerExit') };
    }
    this.rec.life = r.phase;
    return { changed: r.phase !== before, effects: r.effects };
  }

  async saveRecord(): Promise<void> {
    if (this.sealed) throw this.afterSeal();
    if (this.storage) await this.storage.writeRecord(this.rec).catch((e: unknown) => this.storageFailed(e));
  }

  /** Committed states with fromStep <= step < toStep, oldest first (none for a channel without storage). */
  async readStates(fromStep: bigint, toStep: bigint): Promise<SignedState[]> {
    if (!this.storage) return [];
    return this.storage.readStates(fromStep, toStep).catch((e: unknown) => this.storageFailed(e));
  }

  /**
   * A storage call's failure: once the storage is closed (an import, or the node's stop, closed it under a call
   * already made), what the stop or the reload says instead of the store's words; nothing more was written.
   */
  private storageFailed(e: unknown): never {
    if (this.storage?.isClosed) throw this.stopReason ?? reloaded();
    throw e;
  }

  /**
   * Appends to the journal; settles once these entries and every earlier one are durable. The queue need not wait
   * for it: every message of this channel leaves only once `durable` settles (write before send, ctx.send).
   */
  append(entries: JournalEntry[]): Promise<void> {
    if (!this.storage) return Promise.reject(new NodeError('INTERNAL', 'a channel without storage cannot keep states'));
    if (this.sealed) return Promise.reject(this.afterSeal());
    const written = this.storage.append(entries).catch((e: unknown) => this.storageFailed(e));
    // observed through the chain below; a failed write (a store's error, not a closed storage) is kept: journalProblem
    // (unless the store wrote what it held meanwhile: writeHeld)
    written.catch((e: unknown) => void (isJournalWriteError(e, !!this.storage?.isClosed) && this.storage?.holding && this.journal.failed(e, entries)));
    const d = this.durableChain.then(() => written);
    d.catch(() => undefined); // observed by whoever awaits it, and by every later send
    this.durableChain = d;
    return d;
  }

  /**
   * After a failed journal write (a full disk): writes what the journal held since, in order and durable (store
   * writeHeld), and clears the failure. Resolves with the entries written; rejects, changing nothing, while the disk
   * still refuses them. Run in the queue: what it holds is the machine's latest, and nothing is sent meanwhile.
   */
  async writeHeld(): Promise<JournalEntry[]> {
    if (!this.journal.error || !this.storage) return [];
    if (this.sealed) throw this.afterSeal();
    const written = await this.storage.writeHeld().catch((e: unknown) => this.storageFailed(e));
    this.journal.clear();
    // Every message of this channel waits on this chain (write before send): it rejected for good at the failure.
    this.durableChain = SETTLED;
    return written;
  }

  /** Why no new state can be signed in this channel (its journal could not be written), or null. */
  journalProblem(): NodeError | null {
    const no = journalRefusal(this.journal, this.channel.latestState?.step ?? null);
    return no && new NodeError(no.code, no.why, { cause: this.journal.error });
  }

  /** Settles once everything appended so far is durable; rejects after a failed write, until writeHeld. */
  get durable(): Promise<void> {
    return this.durableChain;
  }

  /** Settles once what was appended so far is on disk, or its write failed (never throws). */
  async written(): Promise<void> {
    await this.durableChain.catch(() => undefined);
  }

  /**
   * `s` as the chain takes it, once the journal holds everything appended so far: the only way to build one, so
   * no state reaches the chain before its record is on disk. After a failed write the chain is the only record
   * left, and leaving must still work: it does not throw for the journal.
   */
  async forChain(s: SignedState, sender: Address): Promise<SignedStateArg> {
    await this.written();
    if (!s.sigA || !s.sigB) throw new NodeError('INTERNAL', `step ${s.state.step} is not signed by both: the contract would refuse it`);
    return { state: s.state, sigA: s.sigA, sigB: s.sigB, by: this.sideOf(sender) };
  }

  /** The side of the wallet `sender` in this channel, from the record (never a read of the chain, which may lag). */
  sideOf(sender: Address): 'A' | 'B' | 'other' {
    if (sender.equals(Address.parse(this.rec.addressA))) return 'A';
    return sender.equals(Address.parse(this.rec.addressB)) ? 'B' : 'other';
  }

  /** Records a newly committed state's view (`previous` is the latest before it). */
  committed(s: SignedState, previous: SignedState | StateView | null): void {
    this.idleRun = this.idleAfter(s.state);
    if (this.idleRun <= 1) this.idleTold = false;
    this.lastCommitAt = Date.now();
    this.latestView = stateView(s, previous);
  }

  /** The idle run once `s` (the next state) is committed: one more, less two per DUST it moves; 0 after a quiet spell. */
  idleAfter(s: { balanceA: bigint }): number {
    const before = this.latestView;
    if (!before) return 0;
    const moved = s.balanceA >= before.balanceA ? s.balanceA - before.balanceA : before.balanceA - s.balanceA;
    const credit = (moved * 2n) / DUST;
    const run = Date.now() - this.lastCommitAt < IDLE_RUN_GAP_MS ? this.idleRun : 0;
    return credit > BigInt(run) ? 0 : run + 1 - Number(credit);
  }

  /** What this channel's person may do now (actions.ts: the options, and what each refusal says). */
  actions(o: ActionOptions = {}): Capabilities {
    return actionsOf(this, o);
  }

  /** Wakes the waiters (call after any change). */
  changed(): void {
    if (this.waits) for (const w of [...this.waits.waiters]) w();
  }

  /** Runs `fn` in `ms` unless the node stops first (the timer does not keep the process alive). */
  later(fn: () => void, ms: number): void {
    if (this.isStopped) return;
    const t = setTimeout(() => {
      this.timers?.delete(t);
      if (!this.isStopped) fn();
    }, ms);
    t.unref();
    (this.timers ??= new Set()).add(t);
  }

  /** Ends every wait and timer (the node stops): NODE_STOPPED, or `reason`. */
  stopWaiting(reason = new NodeError('NODE_STOPPED', 'the node stopped: start it again')): void {
    this.stopReason ??= reason;
    if (this.timers) for (const t of this.timers) clearTimeout(t);
    this.timers?.clear();
    if (this.waits) for (const f of [...this.waits.stoppers]) f(this.stopReason);
  }

  /**
   * The node dropped this controller (an import changed the channel's files or closed its storage, and the channel
   * is loaded again from them): every wait ends and whatever is queued or comes to run() fails (CHANNEL_RELOADED).
   */
  drop(): void {
    this.dropped = true;
    this.stopWaiting(reloaded());
  }

  /** The error for an operation that finds this controller stopped: `nodeStopped` says it for the node's stop. */
  stoppedError(nodeStopped: string, cause?: unknown): NodeError {
    return this.dropped ? reloaded() : new NodeError('NODE_STOPPED', nodeStopped, { cause });
  }

  /** Resolves when `done()` holds; rejects with TIMEOUT after `timeoutMs`, CANCELLED on abort, the stop's error once stopped. */
  waitFor(done: () => boolean, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    if (this.stopReason) return Promise.reject(this.stopReason);
    const w = (this.waits ??= { waiters: new Set(), stoppers: new Set() });
    return waitUntil(done, timeoutMs, signal, what, w.waiters, w.stoppers);
  }
}

/** What an operation on a dropped controller fails with. */
export function reloaded(): NodeError {
  return new NodeError('CHANNEL_RELOADED', 'the channel was loaded again from its files (a backup was imported) before this was done: it did not go on; run it again');
}

/**
 * Whether a channel kept on disk has this partner (raw address); `live`: only a channel not ended. A proposal held
 * in memory does not count: a stranger who proposes stays a stranger.
 */
export function hasStoredChannelWith(channels: Map<string, ChannelController>, raw: string, live: boolean): boolean {
  for (const c of channels instanceof ChannelMap ? channels.of(raw) : channels.values()) if (c.storage !== null && (!live || !c.ended) && partnerAddressOf(c.rec) === raw) return true;
  return false;
}

/** Whether `state` moves money from `latest` (a payment; an empty or close state of the same balances does not). */
export function movesMoney(state: ChannelState | undefined, latest: ChannelState | null | undefined): boolean {
  return !!state && !!latest && (state.balanceA !== latest.balanceA || state.balanceB !== latest.balanceB);
}
