// A channel whose journal write failed (a full disk: journalfail.ts) holds what it could not write in memory. The
// node writes it once the disk takes it (the store's writeHeld: in order, durable, a torn part of the failed write
// cut first): before a command that needs the channel, and by itself after RETRY_FIRST_MS, then at most every
// RETRY_MAX_MS. Written, in the channel's queue: the states both signed it held are told signed, the all-clear is
// said with the channel (DISK_WRITE_AGAIN; its view has no `unsaved` mark), and what never left goes to the partner
// (our signature of their state, our proposal), each message once its state is on disk (write before send).
import { messageOf } from '../core/errors.js';
import { creatorOf } from '../core/channelBase.js';
import { formatTon } from '../core/amounts.js';
import { balanceOf, type SignedState } from '../core/signed.js';
import { shownContract as shown } from './addresses.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import type { JournalEntry } from './persistence.js';
import type { Payments } from './payments.js';
import type { Sync } from './sync.js';
import { stateView } from './views.js';

/** the first retry after a failed write, then twice as long each time up to RETRY_MAX_MS */
export const RETRY_FIRST_MS = 2_000;
export const RETRY_MAX_MS = 30_000;

/** A payment of ours the all-clear held (the person was told it failed): it goes to the partner now; null: none. */
function paymentGoes(ctl: ChannelController, written: JournalEntry[]): { step: bigint; amount: bigint } | null {
  const ch = ctl.channel;
  const s = ch.stagedBy === ch.party ? ch.staged : null;
  const latest = ch.latestState;
  if (!s || !latest || !written.some((e) => e.kind === 'staged' && e.mine && e.state.state.step === s.state.step)) return null;
  const paid = balanceOf(latest, ch.party) - balanceOf(s.state, ch.party);
  return paid > 0n ? { step: s.state.step, amount: paid } : null;
}

export class HeldJournals {
  /** the channels whose retry timer is armed */
  private readonly armed = new WeakSet<ChannelController>();
  /** the write under way per channel (a command and the timer share it) */
  private readonly running = new WeakMap<ChannelController, Promise<boolean>>();

  constructor(
    private readonly ctx: NodeContext,
    private readonly payments: Payments,
    private readonly sync: Sync,
  ) {}

  /** The store says channel `id` holds entries after a failed write (DataDir.onHeld): tried again by itself. */
  held(id: string): void {
    const ctl = this.ctx.channels.get(id);
    if (ctl) this.arm(ctl, RETRY_FIRST_MS);
  }

  private arm(ctl: ChannelController, wait: number): void {
    if (this.armed.has(ctl) || ctl.isStopped) return;
    this.armed.add(ctl);
    ctl.later(() => {
      this.armed.delete(ctl);
      void this.retry(ctl).then((ok) => ok || this.arm(ctl, Math.min(wait * 2, RETRY_MAX_MS)));
    }, wait);
  }

  /**
   * Writes what the channel's journal holds, if anything: before a command that needs the channel (its own check
   * then says what is still wrong), and on the timer. True once nothing is held; never throws.
   */
  retry(ctl: ChannelController): Promise<boolean> {
    if (!ctl.journal.error) return Promise.resolve(true);
    let p = this.running.get(ctl);
    if (!p) {
      p = ctl.run(() => this.writeIn(ctl)).catch((e: unknown) => {
        this.ctx.log(`channel ${shown(ctl)}: ${messageOf(e)}`, 'info');
        return false;
      });
      const mine = p;
      void p.finally(() => this.running.get(ctl) === mine && this.running.delete(ctl));
      this.running.set(ctl, p);
    }
    return p;
  }

  /**
   * As the node stops (before its queues are sealed): each channel's journal writes what it holds, if the disk takes
   * it now; what it still cannot write is dropped with the process, and the node says so (none of it left).
   */
  async atStop(ctls: Iterable<ChannelController>): Promise<void> {
    for (const ctl of ctls) {
      if (!ctl.journal.error || (await this.retry(ctl))) continue;
      this.ctx.log(`channel ${shown(ctl)}: the node stops while its journal still cannot be written: what it held in memory only is dropped (none of it left this node). Once the disk has room, start the node again: your partner's node sends again what it waits for, and a payment of yours that was held must be sent again`, 'warn');
    }
  }

  /** `ctl`, for a command that signs: once its journal wrote what it held, if it can (the command's check says the rest). */
  async ready(ctl: ChannelController): Promise<ChannelController> {
    await this.retry(ctl);
    return ctl;
  }

  /** In the channel's queue: writes what was held, then tells it and sends what never left. */
  private async writeIn(ctl: ChannelController): Promise<boolean> {
    if (!ctl.journal.error) return true;
    let written: JournalEntry[];
    try {
      written = await ctl.writeHeld();
    } catch (e) {
      this.ctx.log(`channel ${shown(ctl)}: its journal still cannot be written (${messageOf(e)}): the node tries again`, 'info');
      return false;
    }
    const opened = this.tell(ctl, written);
    this.resend(ctl, written);
    // step 0 both signed opens the channel (as countersignIn does once it is durable)
    if (opened) await this.ctx.transition(ctl, 'initialCommitted').catch((e: unknown) => this.ctx.fail(e, ctl));
    return true;
  }

  /**
   * Told as a failure is: the states both signed it held (as signed), the partner's proposal it held, the all-clear.
   * Whether step 0 was among them.
   */
  private tell(ctl: ChannelController, written: JournalEntry[]): boolean {
    const { ctx } = this;
    let opened = false;
    for (const e of written) {
      const before = ctl.latestView;
      if (e.kind !== 'committed' || (before && e.state.state.step <= before.step)) continue;
      ctl.committed(e.state, before);
      opened ||= e.state.state.step === 0n;
      ctx.emit({ type: 'stateSigned', channel: ctx.view(ctl), state: ctl.latestView! });
    }
    const pending = ctl.channel.pending;
    if (pending && written.some((e) => e.kind === 'staged' && !e.mine && e.state.state.step === pending.state.step)) {
      const state = stateView(pending, ctl.channel.latest);
      if (pending.state.tag === 'close') ctx.emit({ type: 'closeRequested', channel: ctx.view(ctl), state });
      ctx.emit({ type: 'stateReceived', channel: ctx.view(ctl), state, previous: ctl.latestView, bySign: !ctx.autoMode });
    }
    const steps = written.flatMap((e) => (e.kind === 'evidence' ? [] : [e.state.state.step]));
    const which = steps.length ? ` (step${steps.length > 1 ? 's' : ''} ${[...new Set(steps)].join(', ')})` : '';
    const payment = paymentGoes(ctl, written);
    const goes = payment ? `; your payment of ${formatTon(payment.amount)} TON in step ${payment.step}, held with it, goes to your partner now (do not send it again)` : '';
    ctx.emit({ type: 'log', level: 'warn', code: 'DISK_WRITE_AGAIN', message: `channel ${shown(ctl)}: what the node held in memory since its journal could not be written is on disk now${which}: the channel signs new states again${goes}`, channel: ctx.view(ctl), ...(payment ? { payment } : {}) });
    ctx.changed(ctl);
    return opened;
  }

  /**
   * What waited for the write and never left: our signature of the partner's latest state (they wait for it), then
   * our proposal and a turn request, as a reconnection resends them (sync.ts). A partner not connected gets them at
   * its reconnection (its resync asks for the state).
   */
  private resend(ctl: ChannelController, written: JournalEntry[]): void {
    const ch = ctl.channel;
    const last = written.findLast((e): e is Extract<JournalEntry, { kind: 'committed' }> => e.kind === 'committed');
    if (!this.ctx.sessionOf(ctl)?.connected) return;
    if (last && last.state.state.step === ch.latest?.state.step && creatorOf(last.state.state.step) === ch.partner) this.countersignAgain(ctl, last.state);
    this.sync.resync(ctl);
    void ctl.run(() => this.payments.turns.passIfAsked(ctl)).catch((e: unknown) => this.ctx.fail(e, ctl));
  }

  private countersignAgain(ctl: ChannelController, s: SignedState): void {
    const sig = (ctl.channel.party === 'A' ? s.sigA : s.sigB)?.toString('hex');
    if (!sig) return;
    const { contract } = ctl.rec;
    const step = s.state.step;
    this.ctx.send(ctl, s.state.tag === 'close' ? { type: 'close.accept', contract, step, signature: sig } : { type: 'state.countersign', contract, step, signature: sig });
  }
}
