// A proposal the partner sends again (after a reconnect) is no news; a different state for a step we hold, signed
// by the partner, is equivocation: the evidence (both states) is kept and reported, within bounds.
import { isEquivocation } from '../core/channel.js';
import { sigOf, type SignedState } from '../core/signed.js';
import { statesEqual } from '../core/state.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { NodeError, saidHere } from './errors.js';

/** How far back a resent state is compared with our history (equivocation check). */
const EQUIVOCATION_WINDOW = 1024n;
/** The most steps whose equivocation evidence a channel keeps in one run of the node. */
const MAX_EVIDENCE = 16;

export class Equivocations {
  /** per channel, the steps whose equivocation evidence was kept in this run */
  private readonly evidence = new WeakMap<ChannelController, Set<bigint>>();

  constructor(private readonly ctx: NodeContext) {}

  /**
   * A proposal we already hold (a resend after a reconnect) is no news. A different state for a step we hold,
   * signed by the partner, is equivocation: the evidence (both states) is kept and reported.
   */
  async known(ctl: ChannelController, theirs: SignedState): Promise<boolean> {
    const ch = ctl.channel;
    const step = theirs.state.step;
    const latest = ch.latest;
    const staged = ch.staged;
    let ours: SignedState | null = null;
    if (staged && staged.state.step === step) ours = staged;
    else if (latest && step === latest.state.step) ours = latest;
    // Older steps are checked within a bounded window (a peer cannot make us read the whole history).
    else if (latest && step < latest.state.step && step + EQUIVOCATION_WINDOW >= latest.state.step && ctl.storage) {
      await ctl.durable; // the store reads what is durable: a state committed a moment ago is on disk first
      ours = (await ctl.readStates(step, step + 1n))[0] ?? null;
    }
    if (!ours) return latest !== null && step <= latest.state.step;
    if (statesEqual(ours.state, theirs.state)) return true;
    // A different state where we hold only our own proposal is a turn conflict: the machine rejects it.
    if (!sigOf(ours, ch.partner) || !isEquivocation(ours.state, theirs, ch.partner, ch.publicKeyOf(ch.partner))) return false;
    // Kept and reported once per step, and for at most MAX_EVIDENCE steps a run: a partner resending equivocations
    // cannot grow the journal or flood the UI.
    const kept = this.evidence.get(ctl) ?? new Set<bigint>();
    this.evidence.set(ctl, kept);
    if (!kept.has(step) && kept.size < MAX_EVIDENCE) {
      kept.add(step);
      await ctl.append([{ kind: 'evidence', a: ours, b: theirs, note: `two states for step ${step} signed by ${ch.partner}` }]);
      this.ctx.emit({ type: 'equivocation', channel: this.ctx.view(ctl), step });
    }
    // Said to the partner (who signed twice) from its side; this node's user reads it from this one.
    const e = new NodeError('EQUIVOCATION', `you signed two different states for step ${step}: their node keeps the evidence; the state both of you signed stands`);
    throw saidHere(e, `your partner signed two different states for step ${step}: the evidence is kept; the state both of you signed stands`);
  }
}
