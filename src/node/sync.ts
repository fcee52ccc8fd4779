// Catching up with the partner after a reconnect or a restart: lifecycle messages the partner may have missed,
// states both signed that one side lacks (resync), and our own proposal in flight. Bounded: a resync answer
// carries at most MAX_RESYNC_STATES states, and each channel answers resync requests at a bounded rate.
import { signedFromJson, signedToJson, type SignedState } from '../core/signed.js';
import { MAX_RESYNC_STATES, type WireOf } from '../core/wire.js';
import type { PeerSession } from '../p2p/index.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import type { Negotiation } from './negotiation.js';
import type { Payments } from './payments.js';
import { stateViews } from './views.js';

/** Resync answers per channel: a burst, then this many per second. */
const RESYNC_BURST = 8;
const RESYNC_PER_SECOND = 4;

export class Sync {
  private readonly buckets = new WeakMap<ChannelController, { tokens: number; at: number }>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly negotiation: Negotiation,
    private readonly payments: Payments,
  ) {}

  /** On every (re)connection of a partner: for each of our channels with them. */
  onConnected(s: PeerSession): void {
    const partner = s.partner.walletAddress.toRawString();
    for (const ctl of this.ctx.channels.values()) {
      if (ctl.ended || ctl.rec.legacy) continue;
      const other = ctl.rec.me === 'A' ? ctl.rec.addressB : ctl.rec.addressA;
      if (other !== partner) continue;
      this.resyncChannel(ctl);
    }
  }

  private resyncChannel(ctl: ChannelController): void {
    const { ctx } = this;
    const rec = ctl.rec;
    if (rec.me === 'A' && rec.life === 'proposed') return this.negotiation.sendProposal(ctl);
    if (rec.me === 'B' && rec.life === 'accepted') ctx.send(ctl, { type: 'channel.accept', channelId: rec.channelId });
    if (rec.me === 'A' && (rec.life === 'funding' || rec.life === 'locked')) ctx.send(ctl, { type: 'channel.deployed', channelId: rec.channelId, contract: rec.contract });
    if (rec.life === 'proposed' || rec.life === 'accepted' || rec.life === 'deploying') return;
    const latest = ctl.channel.latest?.state.step ?? null;
    // latestStep 0 with nothing held means "nothing yet": the partner sends step 0 too (we skip what we have).
    ctx.send(ctl, { type: 'resync.request', contract: rec.contract, latestStep: latest ?? 0n });
    const staged = ctl.channel.staged;
    if (staged && ctl.channel.stagedBy === rec.me) this.payments.sendStaged(ctl, staged);
  }

  /** The partner lacks states after `latestStep`: send at most a window of them, and our proposal in flight. */
  async onRequest(ctl: ChannelController, m: WireOf<'resync.request'>): Promise<void> {
    if (!this.allow(ctl)) return;
    const ch = ctl.channel;
    const from = m.latestStep === 0n ? 0n : m.latestStep + 1n;
    let states: SignedState[] = [];
    if (ch.latest && from <= ch.latest.state.step && ctl.storage) {
      const end = from + BigInt(MAX_RESYNC_STATES);
      states = await ctl.storage.readStates(from, end > ch.count ? ch.count : end);
    }
    // Always answered (an empty answer says "nothing newer here"), so a restored partner learns it is up to date.
    const wire = states.map((s) => {
      const j = signedToJson(s);
      return { state: j.state, sigA: j.sigA!, sigB: j.sigB! };
    });
    this.ctx.send(ctl, { type: 'resync.response', contract: ctl.rec.contract, states: wire });
    const staged = ch.staged;
    if (staged && ch.stagedBy === ctl.rec.me) this.payments.sendStaged(ctl, staged);
  }

  /** A token bucket per channel: a peer cannot make us read and resend the history in a loop. */
  private allow(ctl: ChannelController): boolean {
    const now = Date.now();
    const b = this.buckets.get(ctl) ?? { tokens: RESYNC_BURST, at: now };
    b.tokens = Math.min(RESYNC_BURST, b.tokens + ((now - b.at) / 1000) * RESYNC_PER_SECOND);
    b.at = now;
    this.buckets.set(ctl, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** States both signed that the partner had and we lacked: verified by the machine, kept, and reported. */
  async onResponse(ctl: ChannelController, m: WireOf<'resync.response'>): Promise<void> {
    const { ctx } = this;
    const ch = ctl.channel;
    const before = ch.latest;
    const incoming = m.states.map((x) => signedFromJson(x)).sort((a, b) => (a.state.step < b.state.step ? -1 : 1));
    const fresh = incoming.filter((x) => !before || x.state.step > before.state.step);
    if (ctl.rec.restorePending) {
      // The partner answered: from now on the node knows everything both signed.
      ctl.rec.restorePending = false;
      await ctl.saveRecord();
      ctx.changed(ctl);
    }
    if (!fresh.length) return;
    const n = ch.importCommitted(fresh);
    if (!n) return;
    await ctl.append(fresh.map((state) => ({ kind: 'committed' as const, state })));
    const views = stateViews(fresh, before);
    ctl.latestView = views[views.length - 1]!;
    if (!before && ctl.life === 'locked') await ctx.transition(ctl, 'initialCommitted');
    ctx.emit({ type: 'stateSigned', channel: ctx.view(ctl), state: views[views.length - 1]! });
    ctx.changed(ctl);
    // A full window: the partner may hold more.
    if (m.states.length >= MAX_RESYNC_STATES) ctx.send(ctl, { type: 'resync.request', contract: ctl.rec.contract, latestStep: ch.latest!.state.step });
    if (ctl.life === 'closing') void this.ctx.transition(ctl, 'challengeSeen');
  }
}
