// Reads older than one the channel saw: a load-balanced endpoint's replica behind can answer, read after read, with
// the contract as it was before the partner's deposit. The account's last transaction (lt) only grows, so a read
// with a lower one than the newest the record saw is behind: it changes no deposit and decides no refund. Only
// testnet has replicas: the sandbox and a devnet are one chain, where an older read is the chain itself gone back (a
// devnet started again from an older data file), taken as it is, as src/chain/base.ts does (else nothing would
// ever bring the newer one back, and no refund would ever go).
// Reads behind for BEHIND_TAKEN_MS on end are taken too: no replica lags so long, but one broken answer with a last
// transaction far ahead of the chain would otherwise hold every later read "behind", and a refund, for ever.
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';

/** How long a channel's reads may all be behind the newest it saw before they are taken (ms). */
export const BEHIND_TAKEN_MS = 10 * 60_000;
/** Since when (a monotonic clock, ms: a wall clock set forward would take a replica behind at once) each channel's reads have been behind; none: the last read was not. */
const behindSince = new WeakMap<ChannelController, number>();

/**
 * Whether a read whose account's last transaction is `lt` (unsaid: not judged) is older than the newest this
 * channel saw (on testnet); if not, it becomes the newest (kept with the record's next save).
 */
export function olderThanSeen(ctx: NodeContext, ctl: ChannelController, lt: bigint | undefined): boolean {
  if (lt === undefined || lt <= 0n) return false;
  const seen = ctl.rec.seenLt;
  if (seen !== undefined && lt < seen && ctx.o.chain.kind === 'testnet') {
    const now = performance.now();
    const since = behindSince.get(ctl) ?? now;
    behindSince.set(ctl, since);
    if (now - since < BEHIND_TAKEN_MS) return true;
  }
  behindSince.delete(ctl);
  ctl.rec.seenLt = lt;
  return false;
}
