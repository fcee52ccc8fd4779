// The deposits a read of the contract shows (the watch, a catch-up, a hint, a person's command): kept in the record,
// and each change told once. DepositReads decides which reads are believed (a first read of a run may lag behind).
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { depositsSeen } from './record.js';
import { readsBehind } from './payout.js';

/**
 * Keeps what the contract holds, and reports a partner's deposit the first time any read (the watch, a catch-up,
 * a hint, a command) shows it: once, and before what it causes (the lock). The change is saved with the deposits
 * it was told against (`depositsUntold`) and cleared once told: a crash between leaves it to the next load.
 */
export async function setDeposits(ctx: NodeContext, ctl: ChannelController, depositA: bigint, depositB: bigint, refund = false): Promise<void> {
  if (ctl.rec.depositA === depositA && ctl.rec.depositB === depositB) return;
  // Compared, saved and told inside the queue: two reads that saw the same deposit at once report it once.
  let unsaved: unknown = null;
  const told = await ctl.run(async () => {
    const was = { A: ctl.rec.depositA, B: ctl.rec.depositB };
    if (was.A === depositA && was.B === depositB) return false;
    depositsSeen(ctl.rec, depositA, depositB);
    // On chain whether or not the record is saved (a full disk): told, then the failure (kept in memory, a later
    // read finds nothing new to tell). Not on a controller being dropped: the one loaded again reads and tells it.
    ctl.rec.depositsUntold = { ...(ctl.rec.depositsUntold ?? was), ...(refund ? { refund: true as const } : {}) };
    await ctl.saveRecord().catch((e: unknown) => {
      if (ctl.reloading || ctl.isStopped) throw e;
      unsaved = e;
    });
    return tellUntold(ctx, ctl);
  });
  if (unsaved) throw unsaved;
  // Told: the record says so with its next save, this one if it can (else the next load tells it again).
  if (told) await ctl.saveRecord().catch(() => undefined);
}

/**
 * Tells the change of deposits the record holds untold (saved, then a crash before it was told) and clears it
 * (the caller saves the record); false when there is none. In the channel's queue (setDeposits), or as it loads.
 */
export function tellUntold(ctx: NodeContext, ctl: ChannelController): boolean {
  const before = ctl.rec.depositsUntold;
  if (!before) return false;
  delete ctl.rec.depositsUntold;
  for (const [party, now] of [['A', ctl.rec.depositA], ['B', ctl.rec.depositB]] as const) {
    if (now > before[party]) ctx.emit({ type: 'depositSeen', channel: ctx.view(ctl), party, amount: now - before[party] });
    if (now < before[party] && before.refund) ctx.emit({ type: 'refundSeen', channel: ctx.view(ctl), party, amount: before[party] - now });
  }
  return true;
}

/** Deposits lower than the record's (a refund, or a lagging read): what a second read must show to be believed. */
function lowerDeposits(rec: { depositA: bigint; depositB: bigint }, d: { depositA: bigint; depositB: bigint }): string | null {
  return d.depositA < rec.depositA || d.depositB < rec.depositB ? `${d.depositA}/${d.depositB}` : null;
}

/**
 * The reads of a run that the node believes, shared by the arbiter's reads and a person's commands: whichever
 * reads first, a change is told once, and a first read lower than the record is read again before it is believed.
 */
export class DepositReads {
  /** channels whose contract this run has read once: a lower deposit after that is a refund, not a lagging first read */
  private readonly readOnce = new WeakSet<ChannelController>();
  /** per channel, the lower deposits a first read showed: read again before they are believed */
  private readonly lowerRead = new WeakMap<ChannelController, string>();

  constructor(private readonly ctx: NodeContext) {}

  /**
   * A read of a live contract: 'again' when it is a first read of the run showing deposits lower than the record's
   * (a refund that landed before a restart, or a lagging endpoint), kept aside until a next read shows them too.
   */
  async read(ctl: ChannelController, d: { phase: string; depositA: bigint; depositB: bigint }, first = false): Promise<'again' | 'kept'> {
    // The contract takes deposits and refunds only while funding: a funding read once it locked is a lagging one.
    if (readsBehind(ctl.life, d.phase)) return 'kept';
    // `first`: a watch's first poll, judged as a first read even after another read of the run (it may lag behind it)
    const lower = (this.readOnce.has(ctl) && !first) || d.phase !== 'funding' ? null : lowerDeposits(ctl.rec, d);
    if (lower !== null && this.lowerRead.get(ctl) !== lower) return (this.lowerRead.set(ctl, lower), 'again');
    await setDeposits(this.ctx, ctl, d.depositA, d.depositB, this.readOnce.has(ctl) || lower !== null);
    this.readOnce.add(ctl);
    return 'kept';
  }
}
