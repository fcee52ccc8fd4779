// Catching up with the partner after a reconnect or a restart: lifecycle messages the partner may have missed,
// states both signed that one side lacks (resync), and our own proposal in flight. Bounded: a resync answer
// carries at most MAX_RESYNC_STATES states, and each channel answers resync requests at a bounded rate, one at a
// time: the next answer waits until the partner acknowledged the last (one that never does holds one answer).
import { balanceOf, signedFromJson, signedToJson, type SignedState } from '../core/signed.js';
import { stateFromBase64, stateHash, statesEqual, type ChannelState } from '../core/state.js';
import { verify } from '../core/signer.js';
import { signedOpens } from '../core/lifecycle.js';
import { MAX_RESYNC_STATES, type WireOf } from '../core/wire.js';
import type { PeerSession } from '../p2p/index.js';
import { TokenBucket } from '../p2p/quota.js';
import type { NodeContext } from './context.js';
import { channelsWith, movesMoney, type ChannelController } from './controller.js';
import type { Negotiation } from './negotiation.js';
import type { Payments } from './payments.js';
import { sendReject } from './decline.js';
import { askStates, sendAccept, sendDeployed, sendOnce } from './unacked.js';
import { stateViews } from './views.js';
import { shownContract as shown } from './addresses.js';
import { answered, noteStaged, seenStates } from './unsynced.js';

/** Resync answers per channel: a burst, then this many per second. */
export const RESYNC_BURST = 8;
export const RESYNC_PER_SECOND = 4;

export class Sync {
  private readonly buckets = new WeakMap<ChannelController, TokenBucket>();
  /** per channel, the newest resync request waiting for a token or for the answer in flight */
  private readonly deferred = new WeakMap<ChannelController, { m: WireOf<'resync.request'> }>();
  /** the channels whose last answer the partner has not acknowledged yet */
  private readonly inFlight = new WeakSet<ChannelController>();
  /** the latest step a restored channel had when the partner's answer began */
  private readonly restoredAt = new WeakMap<ChannelController, bigint | null>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly negotiation: Negotiation,
    private readonly payments: Payments,
  ) {}

  /** On every (re)connection of a partner: for each of our channels with them. */
  onConnected(s: PeerSession): void {
    for (const ctl of channelsWith(this.ctx.channels, s.partner.walletAddress.toRawString())) this.resync(ctl);
  }

  /** Asks the partner for what we lack in one channel, and resends what the partner may lack. */
  resync(ctl: ChannelController): void {
    const { ctx } = this;
    const rec = ctl.rec;
    // our decline, lost with the process that sent it (its outbox was in memory): the partner may still wait
    if (rec.life === 'rejected' && rec.rejectOwed) return void sendReject(ctx, ctl).catch((e: unknown) => ctx.fail(e, ctl));
    if (ctl.ended || rec.legacy) return;
    if (this.negotiation.earlierContract(ctl)) return void this.negotiation.withdrawEarlier(ctl).catch((e: unknown) => ctx.fail(e, ctl));
    // Each waits in the session's outbox until acknowledged (unacked.ts): sent again only after that.
    if (rec.me === 'A' && rec.life === 'proposed') return this.negotiation.sendProposal(ctl);
    if (rec.me === 'B' && rec.life === 'accepted') sendAccept(ctx, ctl);
    if (rec.me === 'A' && (rec.life === 'funding' || rec.life === 'locked')) sendDeployed(ctx, ctl);
    if (rec.life === 'proposed' || rec.life === 'accepted' || rec.life === 'deploying') return;
    const latest = ctl.channel.latest?.state.step ?? null;
    askStates(ctx, ctl, latest ?? 0n);
    // A channel restored from a backup says nothing of its own until the partner has answered.
    if (rec.restorePending) return;
    const ch = ctl.channel;
    const staged = ch.staged;
    // Once closing here no new state counts: a proposal of ours is not sent again, nor is the turn asked for.
    const closing = ch.phase === 'CLOSING';
    // After a start, ours waits for the partner's answer (unsynced.ts): it may be at a step they hold.
    if (staged && ch.stagedBy === rec.me && !closing && !ctl.unsynced) sendOnce(ctl, `staged:${staged.state.step}`, () => this.payments.sendStaged(ctl, staged));
    // A turn request made while the partner was unreachable (or lost with its process) is asked again, also
    // after our proposal just resent (the partner forgets a request when it restarts; a repeat changes nothing).
    const theirs = !staged && ch.turn === ch.partner;
    const ours = !!staged && ch.stagedBy === rec.me;
    if (ch.turnRequested && latest !== null && (theirs || ours) && ch.can('requestTurn')) sendOnce(ctl, `turn:${latest}`, () => ctx.sendAcked(ctl, { type: 'turn.request', contract: rec.contract, step: latest }));
  }

  /**
   * The partner lacks states after `latestStep`: send at most a window of them, and our proposal in flight.
   * Over the rate, or while the last answer is unacknowledged, the newest request waits (one per channel) for the
   * next token or the acknowledgement: a flood costs a few answers per second and at most one answer held for a
   * partner that never acknowledges, and a partner catching up on many windows is still answered.
   */
  async onRequest(ctl: ChannelController, m: WireOf<'resync.request'>): Promise<void> {
    const busy = this.inFlight.has(ctl);
    if (!busy && this.allow(ctl)) return this.answer(ctl, m);
    const waiting = this.deferred.get(ctl);
    if (waiting) {
      waiting.m = m;
      return;
    }
    this.deferred.set(ctl, { m });
    // retried on the acknowledgement (answer) or when a token is due
    if (!busy) setTimeout(() => this.retry(ctl), 1000 / RESYNC_PER_SECOND).unref?.();
  }

  /** The request that waited, if any, tries again in the channel's queue. */
  private retry(ctl: ChannelController): void {
    const entry = this.deferred.get(ctl);
    if (!entry) return;
    this.deferred.delete(ctl);
    if (!ctl.ended) void ctl.run(() => this.onRequest(ctl, entry.m)).catch((e: Error) => this.ctx.log(`resync answer: ${e.message}`, 'warn'));
  }

  private async answer(ctl: ChannelController, m: WireOf<'resync.request'>): Promise<void> {
    // Ended here by our decline the partner has not taken in (lost with its process, or ours): said again, within
    // the same bounds as an answer. One the partner declined is answered as any ended channel.
    if (ctl.life === 'rejected' && (ctl.rec.rejectedHere || ctl.rec.rejectOwed)) return this.answerWith(ctl, { type: 'channel.reject', channelId: ctl.rec.channelId, reason: ctl.rec.rejectOwed?.reason ?? ctl.rejectReason ?? 'declined' });
    const ch = ctl.channel;
    const from = m.latestStep === 0n ? 0n : m.latestStep + 1n;
    let states: SignedState[] = [];
    if (ch.latest && from <= ch.latest.state.step && ctl.storage) {
      const end = from + BigInt(MAX_RESYNC_STATES);
      // The journal reads back only what is on disk: a state both just signed may still be on its way there.
      await ctl.written();
      states = await ctl.readStates(from, end > ch.count ? ch.count : end);
    }
    // Always answered (an empty answer says "nothing newer here"), so a restored partner learns it is up to date.
    const wire = states.map((s) => {
      const j = signedToJson(s);
      return { state: j.state, sigA: j.sigA!, sigB: j.sigB! };
    });
    // The requester's proposal we hold unsigned: a node restored from an older backup takes it back instead of
    // proposing another state for that step.
    const pending = ch.pending;
    const sig = pending && (ctl.rec.me === 'A' ? pending.sigB : pending.sigA);
    const yours = pending && sig ? { yours: { state: signedToJson(pending).state, signature: sig.toString('hex') } } : {};
    this.answerWith(ctl, { type: 'resync.response', contract: ctl.rec.contract, states: wire, ...yours });
    const staged = ch.staged;
    if (staged && ch.stagedBy === ctl.rec.me && ch.phase !== 'CLOSING' && !ctl.unsynced) this.payments.sendStaged(ctl, staged);
  }

  /** Sends an answer: the next one waits until the partner acknowledged it. */
  private answerWith(ctl: ChannelController, msg: WireOf<'resync.response'> | WireOf<'channel.reject'>): void {
    this.inFlight.add(ctl);
    void this.ctx.sendAcked(ctl, msg).then(() => {
      this.inFlight.delete(ctl);
      this.retry(ctl);
    });
  }

  /** A token bucket per channel: a peer cannot make us read and resend the history in a loop. */
  private allow(ctl: ChannelController): boolean {
    let b = this.buckets.get(ctl);
    if (!b) this.buckets.set(ctl, (b = new TokenBucket({ burst: RESYNC_BURST, perSecond: RESYNC_PER_SECOND })));
    return b.take();
  }

  /**
   * States both signed that the partner had and we lacked: verified by the machine, kept, and reported. A full
   * window asks for the next one. A channel restored from a backup stays restorePending until the partner's
   * answer is complete (not a full window): only then does it sign or send again.
   */
  async onResponse(ctl: ChannelController, m: WireOf<'resync.response'>): Promise<void> {
    const { ctx } = this;
    const ch = ctl.channel;
    const before = ch.latest;
    if (ctl.rec.restorePending && !this.restoredAt.has(ctl)) this.restoredAt.set(ctl, before?.state.step ?? null);
    const incoming = m.states.map((x) => signedFromJson(x)).sort((a, b) => (a.state.step < b.state.step ? -1 : 1));
    // Paid out: only the history up to the state paid by comes in (a state signed after the payout paid nothing).
    const payout = ctl.life === 'closed' ? ctl.rec.payout : null;
    const paid = payout ? (payout.step ?? -1n) : null;
    const fresh = incoming.filter((x) => (!before || x.state.step > before.state.step) && (paid === null || x.state.step <= paid));
    noteStaged(ctl); // our proposal kept unsent, dropped if superseded: told in answered()
    const n = fresh.length ? ch.importCommitted(fresh) : 0;
    seenStates(ctl, fresh);
    if (n) {
      await ctl.append(fresh.map((state) => ({ kind: 'committed' as const, state })));
      const views = stateViews(fresh, before);
      ctl.latestView = views[views.length - 1]!;
      // Step 0 signed by both implies the lock, whether or not a read here showed it yet (a record restored from
      // before the lock, an endpoint behind it): the channel opens with it.
      const opened = !before && signedOpens(ctl.life, true, ctl.rec.legacy) ? ctx.transition(ctl, 'initialCommitted') : null;
      ctx.emit({ type: 'stateSigned', channel: ctx.view(ctl), state: views[views.length - 1]! });
      ctx.changed(ctl);
      await opened;
    }
    // A full window: the partner may hold more (a full window with nothing new answers an older request).
    // Anything less is the partner's last word: a restored channel is up to date now.
    // A close on chain is answered with what came first: nothing after it may keep the defense from starting.
    if (n && ctl.life === 'closing') void this.ctx.transition(ctl, 'challengeSeen');
    if (m.states.length >= MAX_RESYNC_STATES) {
      if (n) ctx.send(ctl, { type: 'resync.request', contract: ctl.rec.contract, latestStep: ch.latest!.state.step });
    } else if (ctl.rec.restorePending) {
      ctl.unsynced = false;
      if (m.yours) await this.takeBack(ctl, stateFromBase64(m.yours.state), Buffer.from(m.yours.signature, 'hex'));
      await this.restored(ctl);
    } else if (ctl.unsynced) {
      // Loaded at this start: the partner's last word is in; ours may go now (unsynced.ts).
      answered(ctx, this.payments, ctl, fresh);
    }
  }

  /**
   * A restored channel's own proposal the partner still holds unsigned: staged again (signatures are
   * deterministic: the same state gets the same signature), so no other state is proposed for that step. Only
   * with our own signature on it: a partner cannot make us sign a payment we never proposed.
   */
  private async takeBack(ctl: ChannelController, state: ChannelState, signature: Buffer): Promise<void> {
    const ch = ctl.channel;
    const latest = ch.latestState;
    if (ch.staged || !ch.isMyTurn || !latest || state.tag !== 'state' || state.step !== latest.step + 1n) return;
    const myKey = ctl.rec.me === 'A' ? ch.params.publicKeyA : ch.params.publicKeyB;
    if (!verify(stateHash(state), signature, myKey)) return;
    const paid = balanceOf(latest, ctl.rec.me) - balanceOf(state, ctl.rec.me);
    const expected = { ...latest, step: state.step, balanceA: latest.balanceA - (ctl.rec.me === 'A' ? paid : -paid), balanceB: latest.balanceB - (ctl.rec.me === 'B' ? paid : -paid) };
    if (paid < 0n || !statesEqual(expected, state)) return;
    const s = paid > 0n ? ch.proposePayment(paid) : ch.proposeEmpty();
    await ctl.append([{ kind: 'staged', state: s, mine: true }]);
    this.ctx.log(`channel ${shown(ctl)}: your proposal of step ${state.step} from before the restore waits for your partner's signature again`, 'info');
  }

  /** The partner's answer is complete: the restored channel knows everything both signed, and may act again. */
  private async restored(ctl: ChannelController): Promise<void> {
    const { ctx } = this;
    // Said in the same turn as the flag clears (a view that shows it cleared has the words in the log).
    ctl.rec.restorePending = false;
    const from = this.restoredAt.get(ctl) ?? null;
    this.restoredAt.delete(ctl);
    const now = ctl.channel.latest?.state.step ?? null;
    const gained = now === null ? 0n : from === null ? now + 1n : now - from;
    const only = ctl.rec.restored ? ". Your partner may still hold newer states that your node signed before it lost its data: the node signs no payment in this channel, close it with withdraw and open a new one to pay again" : '';
    ctx.log(`channel ${shown(ctl)}: restored from a backup at step ${from ?? '-'}; your partner's answer brought ${gained} newer state(s) signed by both, now at step ${now ?? '-'}${only}`, 'warn');
    await ctl.saveRecord();
    ctx.changed(ctl);
    const ch = ctl.channel;
    const staged = ch.staged;
    if (staged && ch.stagedBy === ctl.rec.me) this.payments.sendStaged(ctl, staged);
    if (ctl.rec.restored && ctl.liveOffChain && !ch.staged && ch.latest && ch.turn === ch.partner && !ch.turnRequested) {
      // Taken and kept: on its turn the partner could only propose payments this channel refuses.
      ctx.send(ctl, { type: 'turn.request', contract: ctl.rec.contract, step: ch.requestTurn().atStep });
    }
    if (ch.pending && ctx.autoMode && !(ctl.rec.restored && movesMoney(ch.pending.state, ch.latestState))) await this.payments.countersignIn(ctl);
    else this.payments.turns.passIfAsked(ctl); // a turn request that came while the node signed nothing
  }
}
