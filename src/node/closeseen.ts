// A close, an exit or a challenge the arbiter's watch or a read shows: kept in the record, the lifecycle told, and
// the `closeStarted` / `challenged` events raised once per run and window (a restart tells a known close again,
// once). The arbiter (arbiter.ts) calls it; the defense (defense.ts) tells the close before a challenge of its own.
import type { ChannelEvent } from '../chain/types.js';
import type { ChannelState } from '../core/state.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { closeBehind } from './payout.js';
import { chainNowRead } from './mayland.js';
import { firstStepOf, keepClose, type ChannelRecord } from './record.js';

/** A close, an exit or a challenge, as the watch or a read reports it. */
export type CloseEvent = Extract<ChannelEvent, { type: 'closeStarted' | 'exitStarted' | 'challenged' }>;

/**
 * A close state read directly (a poke, a hint): a close already seen whose step rose in the same window is a
 * challenge (ours, read before its send returned, or the partner's), as the watch's diff tells it; else a close.
 */
export function closeRead(seen: ChannelRecord['close'], state: ChannelState, submitter: 'A' | 'B', deadline: number): CloseEvent {
  const challenge = !!seen && seen.deadline === deadline && (seen.step === null || state.step > seen.step);
  return challenge ? { type: 'challenged', step: state.step, state, deadline } : { type: 'closeStarted', step: state.step, submitter, deadline, state };
}

/** What the close telling needs of the arbiter. */
export interface CloseSeenHost {
  ctx: NodeContext;
  /** the step of the challenge this run sent on the channel, if any */
  challengedWith(ctl: ChannelController): bigint | null | undefined;
  /** a close state both signed during the window pays out at once (defense.ts) */
  payOutAgreed(ctl: ChannelController): void;
}

export class CloseSeen {
  /**
   * per channel id, the deadline of the close told in this run: a restart tells a known close again, once; a
   * controller loaded again (an import) does not
   */
  private readonly toldClose = new Map<string, number>();
  /**
   * per channel id, the steps of the challenges told in this run: one a dropped controller sent (or a stand-in) is
   * told once, whether it tells it as it lands or the channel's next controller reads it first
   */
  private readonly toldChallenges = new Map<string, Set<bigint>>();
  /** per channel id, the deadline of a close this run kept first (not in the record it loaded): told as new */
  private readonly newClose = new Map<string, number>();

  constructor(private readonly h: CloseSeenHost) {}

  /** A close, an exit or a challenge seen on chain: the record, the lifecycle, then what the user hears. */
  async seen(ctl: ChannelController, e: CloseEvent): Promise<void> {
    const { ctx } = this.h;
    const step = e.type === 'exitStarted' ? null : e.step;
    if (closeBehind(ctl.rec.close, step)) return; // an older read (the watch's first after a restart, on a lagging endpoint)
    const submitter = e.type === 'challenged' ? (ctl.rec.close?.submitter ?? ctl.rec.me) : e.submitter;
    if (e.type === 'challenged') this.tellClose(ctl); // the close challenged, in a run that has not told it yet (a restart)
    const fresh = !ctl.rec.close || ctl.rec.close.step !== step || ctl.rec.close.deadline !== e.deadline;
    if (ctl.rec.close?.deadline !== e.deadline) this.newClose.set(ctl.id, e.deadline);
    keepClose(ctl.rec, { step, submitter, deadline: e.deadline });
    // The chain clock is only for the time left shown: the defense never waits for it.
    void chainNowRead(ctx).catch(() => null).then(() => ctx.changed(ctl));
    await ctl.run(() => {
      if (!ctl.channel.isClosing) ctl.channel.markClosing();
    });
    // A record that cannot be written (a full disk) is reported at the end: the close is told and acted on.
    let unsaved: unknown = null;
    const keep = (err: unknown) => void (unsaved ??= err);
    // Our own close, if one was sent: known from the record (saved with the transition below).
    const sent = ctl.rec.closeSent?.step;
    delete ctl.rec.closeSent;
    // Our own close read first with a higher step: the partner challenged it before we looked. Its step is kept
    // (saved with the transition below): a later restart tells that close, then the challenge.
    const overtaken = e.type === 'closeStarted' && submitter === ctl.rec.me && sent !== undefined && (sent === null || (step !== null && step > sent));
    if (overtaken) ctl.rec.closeFirst = { step: sent ?? null, deadline: e.deadline };
    await ctx.transition(ctl, e.type === 'challenged' ? 'challengeSeen' : 'closeSeen').catch(keep);
    // The watch may have reported the deadline before the close (a restart after it): finish now.
    if (ctl.deadlinePassed) await ctx.transition(ctl, 'deadlinePassed').catch(keep);
    else this.h.payOutAgreed(ctl); // a close state both signed (a restart in the window) pays out at once
    // A restart whose record holds the close's challenge: the close as it started is told, then the challenge.
    const first = firstStepOf(ctl.rec, e.deadline);
    const replay = e.type === 'closeStarted' && !fresh && first !== undefined && this.toldClose.get(ctl.id) !== e.deadline;
    if (e.type !== 'challenged') this.tellClose(ctl, overtaken ? sent : replay ? first : step);
    // replayed: the record held this challenge, so a run before this one told it
    if ((fresh && (e.type === 'challenged' || overtaken)) || replay) this.tellChallenge(ctl, e.step as bigint, this.byMe(ctl, e.step), replay);
    if (unsaved) throw unsaved;
  }

  /** Whether a challenge with `step` is ours: sent in this run, or before a restart (the record says so). */
  private byMe(ctl: ChannelController, step: bigint | null): boolean {
    return step !== null && (this.h.challengedWith(ctl) === step || ctl.rec.challengeSent?.step === step);
  }

  /** Tells a challenge with `step` on the close once per run, whichever controller of the channel tells it first. */
  tellChallenge(ctl: ChannelController, step: bigint, byMe: boolean, earlier = false): void {
    let told = this.toldChallenges.get(ctl.id);
    if (!told) this.toldChallenges.set(ctl.id, (told = new Set()));
    if (told.has(step)) return;
    told.add(step);
    this.h.ctx.emit({ type: 'challenged', channel: this.h.ctx.view(ctl), step, byMe, ...(earlier ? { earlier } : {}) });
  }

  /**
   * Tells the close on chain once per run and window, before anything about its defense (a challenge failing at
   * once), also when a restart finds a close the record knows: `step` names the close, else the record's step.
   */
  tellClose(ctl: ChannelController, step?: bigint | null): void {
    const c = ctl.rec.close;
    if (!c || this.toldClose.get(ctl.id) === c.deadline) return;
    this.toldClose.set(ctl.id, c.deadline);
    const first = firstStepOf(ctl.rec, c.deadline);
    // a close the record held when this run first saw it was told in a run before this one
    const earlier = this.newClose.get(ctl.id) !== c.deadline;
    this.h.ctx.emit({ type: 'closeStarted', channel: this.h.ctx.view(ctl), step: step !== undefined ? step : first !== undefined ? first : c.step, byPartner: c.submitter !== ctl.rec.me, deadline: c.deadline, ...(earlier ? { earlier } : {}) });
  }
}
