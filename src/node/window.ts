// Whether a close's challenge window is over, read from the chain's clock before a person's challenge or finish
// (the watch tells it later by itself).
import { clockText } from '../core/duration.js';
import { codeOf, messageOf } from '../core/errors.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { NodeError } from './errors.js';
import { chainNowRead } from './mayland.js';

/** Marks the window over when the chain's clock says so; for a finish, a chain that cannot be read is the answer. */
export async function readDeadline(ctx: NodeContext, ctl: ChannelController, o: { forFinish?: boolean } = {}): Promise<void> {
  const deadline = ctl.rec.close?.deadline;
  if (ctl.life !== 'closing' || ctl.deadlinePassed || deadline === undefined) return;
  let failed: unknown = null;
  const now = await chainNowRead(ctx).catch((e: unknown) => ((failed = e), null));
  if (now !== null && now >= deadline) ctl.deadlinePassed = true;
  // Over by this clock, and the chain unread: its failure is the answer, not "still open until" a past time.
  if (o.forFinish && now === null && failed && Date.now() / 1000 + ctx.chainSkew >= deadline) {
    const at = clockText(deadline);
    throw new NodeError(codeOf(failed), `the challenge window ended at ${at} by this node's clock, but the chain could not be read to confirm it: ${messageOf(failed)}. The node finishes the close by itself once it reads the chain`);
  }
}
