// The deposits a read of the contract shows (the watch, a catch-up, a hint): kept in the record, and each change
// told once. The arbiter (arbiter.ts) decides which reads are believed (a first read of a run may lag behind).
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { depositsSeen } from './record.js';

/**
 * Keeps what the contract holds, and reports a partner's deposit the first time any read (the watch, a catch-up,
 * a hint) shows it: once, and before what it causes (the lock).
 */
export async function setDeposits(ctx: NodeContext, ctl: ChannelController, depositA: bigint, depositB: bigint, refund = false): Promise<void> {
  if (ctl.rec.depositA === depositA && ctl.rec.depositB === depositB) return;
  // Compared inside the queue: two reads that saw the same deposit at once report it once.
  const before = await ctl.run(async () => {
    const was = { A: ctl.rec.depositA, B: ctl.rec.depositB };
    if (was.A === depositA && was.B === depositB) return null;
    depositsSeen(ctl.rec, depositA, depositB);
    await ctl.saveRecord();
    return was;
  });
  if (!before) return;
  for (const [party, now] of [['A', depositA], ['B', depositB]] as const) {
    if (now > before[party]) ctx.emit({ type: 'depositSeen', channel: ctx.view(ctl), party, amount: now - before[party] });
    // Only a refund seen after a first read in this run: a first read after a restart may lag behind.
    if (now < before[party] && refund) ctx.emit({ type: 'refundSeen', channel: ctx.view(ctl), party, amount: before[party] - now });
  }
}
