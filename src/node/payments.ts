// Off-chain updates: the initial state, payments, empty states, turn requests, countersignatures, and the
// automatic mode. Write before send: my signature reaches the disk before it leaves the process, and a state
// both signed is on disk before success is reported.
import { Address } from '@ton/core';
import { formatTon } from '../core/amounts.js';
import type { Channel } from '../core/channel.js';
import { balanceOf, type SignedState } from '../core/signed.js';
import { stateFromBase64, stateToBase64, type ChannelState } from '../core/state.js';
import type { WireOf } from '../core/wire.js';
import type { NodeContext } from './context.js';
import { movesMoney, type ChannelController } from './controller.js';
import { cancelled, NodeError, saidHere, stoppedAfter } from './errors.js';
import { Equivocations } from './equivocation.js';
import { Coalescer, type Stager } from './pay.js';
import { crashPoint } from './crash.js';
import { askStates } from './unacked.js';
import { receiveInitial } from './initial.js';
import { stateView } from './views.js';
import { RESTORED_WHY } from '../core/capabilities.js';

import type { ProgressOptions, StateView } from './types.js';
import { afterPayout, closingRefusal, FREE_IDLE_STATES, proposalWords, RESTORED_FOR_PARTNER, Turns } from './turns.js';
import { isChannelError } from '../core/errors.js';
import { awaitAnswer, keepUnsent, owePass } from './unsynced.js';
import { settleSend } from './settle.js';
import { lockSeen } from './payout.js';

/** How long a send waits for the partner (0: not at all), what it says meanwhile, and the person's stop. */
export type SendWait = ProgressOptions & { waitMs?: number };

/** An initial state from the partner reads the chain at most this often per channel. */
const LOCK_READ_MS = 1_000;
/** A far-ahead proposal asks for the missing states at most this often for the same latest step. */
export const RESYNC_ASK_MS = 2_000;


function mySig(ch: Channel, s: SignedState): string {
  return (ch.party === 'A' ? s.sigA! : s.sigB!).toString('hex');
}

export class Payments implements Stager {
  /** coalesced payments (pay.ts) */
  readonly coalescer: Coalescer;
  /** turn requests and the automatic pass (turns.ts) */
  readonly turns: Turns;
  /** resent proposals and equivocations */
  private readonly seen: Equivocations;
  /** per channel, when an initial state last made us read the chain */
  private readonly lockReads = new WeakMap<ChannelController, number>();
  /** the channels whose partner's initial state was refused NOT_LOCKED: asked for again once the lock is seen here */
  private readonly refusedInitial = new WeakSet<ChannelController>();

  constructor(private readonly ctx: NodeContext) {
    this.coalescer = new Coalescer(ctx, this);
    this.turns = new Turns(ctx, this);
    this.seen = new Equivocations(ctx);
  }

  private check(ctl: ChannelController, action: 'send' | 'createEmpty' | 'requestEmpty' | 'sign'): void {
    const can = ctl.actions()[action];
    if (!can.ok) throw new NodeError(can.code, can.why);
    if (action === 'send') this.ctx.checkSpace();
  }

  /** Whether a new payment state may be written now (the disk above the floor); the user is told otherwise. */
  roomForState(): boolean {
    try {
      this.ctx.checkSpace();
      return true;
    } catch {
      return false;
    }
  }

  private online(ctl: ChannelController): boolean {
    return this.ctx.sessionOf(ctl)?.connected === true;
  }

  /** Sends our staged proposal (again): a payment, an empty state, the initial state or a close proposal; resolves true once the partner acknowledged it. */
  sendStaged(ctl: ChannelController, signed: SignedState, byUser?: boolean): Promise<boolean> {
    const sig = mySig(ctl.channel, signed);
    const state = stateToBase64(signed.state);
    const contract = ctl.rec.contract;
    return this.ctx.sendAcked(ctl, signed.state.tag === 'close' ? { type: 'close.propose', contract, state, signature: sig } : { type: 'state.propose', contract, state, signature: sig }, byUser);
  }

  /**
   * Stages and sends a proposal of ours (made by `make` inside the channel's queue). Before the partner's answer
   * after a start (unsynced.ts) it is kept unsent: `pays` is what it pays, to make it again if the answer supersedes it.
   */
  async proposeOut(ctl: ChannelController, make: (ch: Channel) => SignedState, pays = 0n): Promise<StateView> {
    const signed = await ctl.run(async () => {
      const s = make(ctl.channel);
      // Write before send: my signature reaches the disk before it leaves the process.
      await ctl.append([{ kind: 'staged', state: s, mine: true }]);
      crashPoint('proposal-persisted');
      if (!ctl.unsynced) this.sendStaged(ctl, s);
      else keepUnsent(this.ctx, ctl, s, pays, this.online(ctl));
      return s;
    });
    this.ctx.changed(ctl);
    return stateView(signed, ctl.channel.latest);
  }

  /** Stages our payments' proposal inside the queue without waiting for the disk (it leaves once durable: ctx.send). */
  stage(ctl: ChannelController, make: (ch: Channel) => SignedState): { state: ChannelState; durable: Promise<void> } {
    const s = make(ctl.channel);
    const durable = ctl.append([{ kind: 'staged', state: s, mine: true }]);
    this.sendStaged(ctl, s, true);
    this.whenDurable(ctl, durable, () => this.ctx.changed(ctl));
    return { state: s.state, durable };
  }

  /**
   * Asks the partner for the states after `latest`: once per RESYNC_ASK_MS for the same step (each far-ahead
   * proposal asked again: a flood of them filled the partner's outbox with requests, one per proposal), and not
   * while the same request is still unacknowledged (unacked.ts: it waits in the outbox, resent on every resume).
   */
  private askResync(ctl: ChannelController, latest: bigint): void {
    const now = Date.now();
    const last = ctl.resyncAsked;
    if (last && last.latest === latest && now - last.at < RESYNC_ASK_MS) return;
    ctl.resyncAsked = { latest, at: now };
    askStates(this.ctx, ctl, latest);
  }

  /**
   * B, locked (the askInitial effect), after refusing A's initial state NOT_LOCKED: A sends it again only when asked,
   * so it is asked for once, with a resync request that A answers with its staged proposal (sync.ts).
   */
  askInitial(ctl: ChannelController): void {
    const ch = ctl.channel;
    if (!this.refusedInitial.has(ctl) || ctl.life !== 'locked' || ch.latest || ch.staged || !this.online(ctl)) return;
    this.refusedInitial.delete(ctl);
    this.ctx.send(ctl, { type: 'resync.request', contract: ctl.rec.contract, latestStep: 0n });
  }

  /** A, once locked: the initial state (balances = the deposits the contract holds). */
  async proposeInitial(ctl: ChannelController): Promise<void> {
    const ch = ctl.channel;
    if (ch.latest || ch.staged) return;
    await this.proposeOut(ctl, (c) => c.proposeInitial(ctl.rec.depositA, ctl.rec.depositB));
  }

  async send(ctl: ChannelController, amount: bigint, o: SendWait = {}): Promise<StateView> {
    // Checked before any wait: a send of nothing asks the partner for no turn.
    if (amount <= 0n) throw new NodeError('AMOUNT_NOT_POSITIVE', `a payment must be more than zero, got ${formatTon(amount)} TON; use createEmpty to pass the turn without paying`);
    // Nor one above the most this party can hold by its turn (the latest state, or a payment to it awaiting its
    // signature): the partner is not asked to pass the turn for a payment that cannot be made.
    const ch = ctl.channel;
    const mine = (st: ChannelState | undefined) => (st ? balanceOf(st, ch.party) : -1n);
    const most = [mine(ch.latest?.state), ch.stagedBy === ch.partner ? mine(ch.staged?.state) : -1n].reduce((a, b) => (a > b ? a : b));
    if (most >= 0n && amount > most) throw new NodeError('INSUFFICIENT_BALANCE', `you have ${formatTon(most)} TON in the channel, asked ${formatTon(amount)} TON: pay at most your balance`);
    const waitMs = o.waitMs ?? 0;
    if (waitMs > 0) await this.settle(ctl, waitMs, o);
    // After a start: the partner's latest states first (unsynced.ts); the payment is made from them.
    if (ctl.unsynced) await awaitAnswer(ctl, () => this.online(ctl), o.signal);
    if (o.signal?.aborted) throw this.stoppedWaiting(ctl);
    if (ctl.isStopped) throw ctl.stoppedError('the node stopped while the send waited: nothing was paid; start it again and send');
    try {
      this.check(ctl, 'send');
    } catch (e) {
      // What a send waits for comes from the partner: say when they cannot send it now.
      const code = (e as NodeError).code;
      if ((code === 'PENDING_STATE' || code === 'NOT_YOUR_TURN') && !this.online(ctl)) {
        // their turn: asked for already (a waiting send asks), or to ask with requestEmpty; either way it comes from them
        const asked = ctl.channel.turnRequested ? ', and your node has asked them for it: the request goes when they reconnect' : ' (request it with requestEmpty)';
        const why = code === 'NOT_YOUR_TURN' ? `it is your partner's turn${asked}` : (e as Error).message;
        throw new NodeError('PARTNER_OFFLINE', `${why}; your partner is offline right now (the nodes reconnect by themselves: send again once they are back)`);
      }
      if (code === 'NOT_YOUR_TURN' && waitMs > 0 && ctl.channel.turnRequested) {
        const s = Math.round(waitMs / 1000);
        throw new NodeError('NOT_YOUR_TURN', `it is your partner's turn: your node asked them for it and it has not come within ${s} s (a partner who signs by hand passes it with createEmpty); send again once it is yours`);
      }
      throw e;
    }
    const v = await this.proposeOut(ctl, (c) => c.proposePayment(amount), amount);
    this.lastSent.set(ctl, v.step);
    return v;
  }

  /** A send the person stopped while it waited: nothing was paid; says when the turn request it sent stands. */
  private stoppedWaiting(ctl: ChannelController): NodeError {
    const c = cancelled();
    if (!ctl.channel.turnRequested) return c;
    return stoppedAfter(c, 'your node asked your partner for the turn (requestEmpty): nothing was paid, and once they pass it, it is yours') as NodeError;
  }

  /** the step of the last payment `send` made on a channel: the partner's automatic pass follows a payment */
  private readonly lastSent = new WeakMap<ChannelController, bigint>();

  /** Waits for what stands in the way of a send to pass, while the partner is connected (settle.ts). */
  private settle(ctl: ChannelController, waitMs: number, o: SendWait): Promise<void> {
    return settleSend(this.ctx, ctl, waitMs, o, { online: () => this.online(ctl), lastSent: () => this.lastSent.get(ctl), requestEmpty: () => this.requestEmpty(ctl) });
  }

  async createEmpty(ctl: ChannelController): Promise<StateView> {
    if (ctl.unsynced) await awaitAnswer(ctl, () => this.online(ctl));
    this.check(ctl, 'createEmpty');
    return this.proposeOut(ctl, (c) => c.proposeEmpty());
  }

  async requestEmpty(ctl: ChannelController): Promise<void> {
    this.check(ctl, 'requestEmpty');
    const at = await ctl.run(() => ctl.channel.requestTurn());
    this.ctx.send(ctl, { type: 'turn.request', contract: ctl.rec.contract, step: at.atStep });
    this.ctx.changed(ctl);
  }

  async sign(ctl: ChannelController): Promise<StateView> {
    this.check(ctl, 'sign');
    return ctl.run(() => this.countersignIn(ctl));
  }

  /** Countersigns the partner's staged state (inside the queue). In automatic mode, passes the turn back. */
  async countersignIn(ctl: ChannelController): Promise<StateView> {
    const { ctx } = this;
    const ch = ctl.channel;
    if (!ch.pending) throw new NodeError('NOTHING_TO_SIGN', 'no state from your partner awaits your signature (showLast shows the latest)');
    // Restored from a backup: the partner may hold newer states; never sign below them.
    if (ctl.rec.restorePending) throw new NodeError('RESTORE_PENDING', 'restored from a backup: your partner has not answered yet, so the node does not sign; it signs once it knows the latest state');
    // Imported from a backup: no payment (the partner may hold newer states); an empty or close state is fine.
    if (ctl.rec.restored && movesMoney(ch.pending.state, ch.latestState)) throw new NodeError('CHANNEL_RESTORED', RESTORED_WHY);
    // The machine's latest (the view of it may wait for the disk): whether this state changed a balance.
    const before = ch.latest;
    // Asked for the turn (a withdraw, a payment of ours): countersigning the partner's state gives it to us, keep it.
    const asked = ch.turnRequested;
    const signed = ch.countersign();
    const view = stateView(signed, before);
    // Automatic mode: after countersigning a payment, pass the turn back at once, piggybacked on the
    // countersignature, so one direction of payments costs one round trip (our own waiting payments pass it too).
    let pass: SignedState | null = null;
    // Not in a long idle run (this payment counted): the partner asks for the turn, and holdPass answers late.
    if (ctx.autoMode && signed.state.tag === 'state' && signed.state.step > 0n && !view.empty && !asked && ch.isMyTurn && !ch.staged && ctl.liveOffChain && !this.coalescer.waits(ctl) && this.roomForState() && ctl.idleAfter(signed.state) < FREE_IDLE_STATES) {
      // after a start, before the partner's answer: owed, made once it is in (unsynced.ts)
      if (ctl.unsynced) owePass(ctl, signed.state.step);
      else pass = ch.proposeEmpty();
    }
    // Write before send: the state both signed (and my pass) reach the disk in one fdatasync; the messages below
    // leave once it is done (ctx.send), in this order.
    const durable = ctl.append([{ kind: 'committed', state: signed }, ...(pass ? [{ kind: 'staged' as const, state: pass, mine: true }] : [])]);
    void durable.then(() => crashPoint('after-countersign'), () => undefined);
    const sig = mySig(ch, signed);
    if (signed.state.tag === 'close') ctx.send(ctl, { type: 'close.accept', contract: ctl.rec.contract, step: signed.state.step, signature: sig });
    else ctx.send(ctl, { type: 'state.countersign', contract: ctl.rec.contract, step: signed.state.step, signature: sig });
    if (pass) this.sendStaged(ctl, pass);
    // Without a pass the turn is ours now: payments waiting for it go into our next state, in this fdatasync.
    else this.coalescer.pump(ctl);
    await durable;
    ctl.committed(signed, before);
    // The phase changes at once; the record's save is awaited after the event (states may follow meanwhile).
    const opened = signed.state.step === 0n ? ctx.transition(ctl, 'initialCommitted') : null;
    ctx.emit({ type: 'stateSigned', channel: ctx.view(ctl), state: view });
    ctx.changed(ctl);
    await opened;
    return view;
  }

  /** The partner's proposal (state.propose or close.propose), inside the channel's queue. */
  async onProposal(ctl: ChannelController, m: WireOf<'state.propose'> | WireOf<'close.propose'>): Promise<void> {
    const { ctx } = this;
    const ch = ctl.channel;
    const state = stateFromBase64(m.state);
    const sig = Buffer.from(m.signature, 'hex');
    const partner = ch.partner;
    const signed: SignedState = { state, sigA: partner === 'A' ? sig : null, sigB: partner === 'B' ? sig : null };
    if (await this.seen.known(ctl, signed)) return;
    // Paid out: a state signed now pays nothing, and would show as the latest beside the payout.
    if (ctl.life === 'closed') throw afterPayout(ctl, proposalWords(m.type, state, ch.latestState).here);
    if (ctl.rec.restored && state.step > 0n && movesMoney(state, ch.latestState)) {
      throw new NodeError('CHANNEL_RESTORED', RESTORED_FOR_PARTNER);
    }
    // A partner can stream states as fast as we sign them: none is taken while the disk is nearly full, except
    // the pass we asked for (a payment of ours or a close waits for it; it is refused with DISK_LOW or proposed).
    const asked = ch.turnRequested && ch.latest && state.balanceA === ch.latest.state.balanceA && state.balanceB === ch.latest.state.balanceB;
    if (m.type === 'state.propose' && state.step > 0n && !asked) ctx.checkSpace();
    try {
      if (state.step === 0n) receiveInitial(ch, signed, await this.lockedDeposits(ctl));
      else if (m.type === 'close.propose') ch.receiveCloseProposal(signed);
      else ch.receiveProposal(signed);
    } catch (e) {
      // Refused before the lock was seen here: asked for again on the lock (now, if the watch saw it meanwhile).
      if (state.step === 0n && e instanceof NodeError && e.code === 'NOT_LOCKED') {
        this.refusedInitial.add(ctl);
        this.askInitial(ctl);
      }
      // Ahead of us (the countersignature of our proposal, or states, were lost to a crash): ask for what we
      // lack; the partner answers with it, then sends its proposal again.
      const latest = ch.count - 1n;
      if (state.step > latest + 1n) this.askResync(ctl, latest < 0n ? 0n : latest);
      if (isChannelError(e, 'CHANNEL_CLOSING')) throw closingRefusal(ctl, proposalWords(m.type, state, ch.latestState));
      throw e;
    }
    // Kept on disk when it waits for a person, or for the partner's resync answer after a restore.
    const waits = !ctx.autoMode || ctl.rec.restorePending;
    if (waits) await ctl.append([{ kind: 'staged', state: signed, mine: false }]);
    crashPoint('before-countersign');
    const view = stateView(signed, ch.latest);
    const previous = ch.latest ? stateView(ch.latest) : null;
    const received = () => {
      if (m.type === 'close.propose') ctx.emit({ type: 'closeRequested', channel: ctx.view(ctl), state: view });
      ctx.emit({ type: 'stateReceived', channel: ctx.view(ctl), state: view, previous, bySign: !ctx.autoMode });
      ctx.changed(ctl);
    };
    if (waits) return received();
    // Told once what came before it is durable (often our proposal's countersignature, in the same frame, told
    // when durable): the events come in step order. Countersigned now; the queue does not wait for the disk.
    this.whenDurable(ctl, ctl.durable, received);
    this.whenDurable(ctl, this.countersignIn(ctl), () => undefined);
  }

  /** The deposits the locked contract holds: B checks A's initial state against them. */
  private async lockedDeposits(ctl: ChannelController): Promise<{ depositA: bigint; depositB: bigint }> {
    // Locked, or A's own channel (the machine refuses an initial state from B): nothing to read.
    if (ctl.life === 'locked' || ctl.rec.me === 'A') return { depositA: ctl.rec.depositA, depositB: ctl.rec.depositB };
    if (ctl.life === 'proposed' || ctl.life === 'rejected') throw saidHere(new NodeError('NOT_LOCKED', 'your initial state arrived for a channel they have not accepted: nothing changed (it counts only once they accept it and the contract locks)'), 'an initial state arrived for a channel you have not accepted: accept it with deposit first');
    // The partner saw the lock before our watch did: read the chain, at most once per LOCK_READ_MS per channel and in
    // the background (a partner's messages never set the pace of chain reads, nor hold up the watches'). Refused, the
    // state is asked for again once the lock is seen here (askInitial).
    const now = Date.now();
    if (now - (this.lockReads.get(ctl) ?? 0) < LOCK_READ_MS) throw saidHere(new NodeError('NOT_LOCKED', 'your initial state arrived before their node saw the contract lock: once it sees the lock, it asks your node for the state again (nothing to do)'), 'the initial state arrived before this node saw the contract lock: once it sees the lock, it asks your partner for the state again (nothing to do)');
    this.lockReads.set(ctl, now);
    const data = await this.ctx.o.chain.getChannelData(Address.parse(ctl.rec.contract), { background: true });
    if (!data || data.phase === 'funding') throw saidHere(new NodeError('NOT_LOCKED', 'your initial state arrived before the contract locked, as their node reads it: once it sees both deposits in, it asks your node for the state again (nothing to do)'), 'the initial state arrived before the contract locked, as this node reads it: once it sees both deposits in, it asks your partner for the state again (nothing to do)');
    if (data.phase === 'open') await this.lockRead(ctl);
    return { depositA: data.depositA, depositB: data.depositB };
  }

  /**
   * The lock B read as A's initial state came: saved (the record says locked) and told before the state is signed,
   * as a read of the watch tells it. Told after the journal took step 0, a crash between the two left a record that
   * never saw the lock, loaded open in silence: the lock was never told. A record not saved (a full disk) is said,
   * and the state is still signed.
   */
  private async lockRead(ctl: ChannelController): Promise<void> {
    if (lockSeen(ctl.life)) return;
    ctl.rec.lockedAt ??= Date.now();
    const unsaved = await this.ctx.transition(ctl, 'locked').then(() => null, (e: unknown) => e ?? new Error('the record was not saved'));
    if (unsaved && (ctl.reloading || ctl.isStopped)) throw unsaved;
    if (ctl.life === 'locked') this.ctx.emit({ type: 'channelLocked', channel: this.ctx.view(ctl) });
    if (unsaved) this.ctx.fail(unsaved, ctl);
  }

  /** The partner's countersignature of our staged proposal (state.countersign or close.accept). */
  async onCountersign(ctl: ChannelController, m: WireOf<'state.countersign'> | WireOf<'close.accept'>): Promise<void> {
    const { ctx } = this;
    const ch = ctl.channel;
    if (m.step < ch.count) return; // a resend
    // Paid out by another state: ours countersigned now pays nothing, and would show as a payment made beside the
    // payout. The close state the contract paid by is taken (the partner sent it to the contract before its answer).
    const paid = ctl.rec.payout;
    if (ctl.life === 'closed' && paid && paid.step !== m.step) throw afterPayout(ctl, `signed your state (step ${m.step})`);
    const staged = ch.staged;
    if (!staged || ch.stagedBy !== ch.party || staged.state.step !== m.step) {
      throw saidHere(new NodeError('NOTHING_TO_SIGN', `your signature of step ${m.step} came, but no proposal of theirs has that step: not taken`), `a signature of the partner for step ${m.step} arrived, but no proposal of yours has that step: nothing changed`);
    }
    if ((staged.state.tag === 'close') !== (m.type === 'close.accept')) {
      const [theirs, here] = m.type === 'close.accept' ? ['your close acceptance came for an ordinary state of theirs', 'a close acceptance of the partner arrived for an ordinary state of yours'] : ['your ordinary signature came for their close proposal', "the partner's ordinary signature arrived for your close proposal"];
      throw saidHere(new NodeError('UNEXPECTED_CLOSE', `${theirs}: not taken`), `${here}: not taken`);
    }
    const before = ch.latest;
    const signed = ch.acceptCountersignature(Buffer.from(m.signature, 'hex'));
    // Not awaited in the queue: the next message (often the partner's proposal that came with this) is handled
    // now and its append shares this fdatasync. What reports the state as signed runs once it is durable.
    const durable = ctl.append([{ kind: 'committed', state: signed }]);
    this.coalescer.committed(ctl, signed.state.step, durable);
    this.whenDurable(ctl, durable, async () => {
      ctl.committed(signed, before);
      const opened = signed.state.step === 0n ? ctx.transition(ctl, 'initialCommitted') : null;
      ctx.emit({ type: 'stateSigned', channel: ctx.view(ctl), state: stateView(signed, before) });
      ctx.changed(ctl);
      await opened;
    });
    // The turn is the partner's now (steps alternate): nothing of ours follows a countersignature.
  }

  /** Runs `then` once `durable` settles; a failed write is reported (the channel's later sends never leave). */
  whenDurable(ctl: ChannelController, durable: Promise<unknown>, then: () => unknown): void {
    durable.then(then).catch((e: unknown) => this.ctx.fail(e, ctl));
  }
}
