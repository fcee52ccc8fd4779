// Reads older than one the channel saw: a load-balanced endpoint's replica behind can answer, read after read, with
// the contract as it was before the partner's deposit. The account's last transaction (lt) only grows, so a read
// with a lower one than the newest the record saw is behind: it changes no deposit and decides no refund.
import type { ChannelController } from './controller.js';

/**
 * Whether a read whose account's last transaction is `lt` (unsaid: not judged) is older than the newest this
 * channel saw; if not, it becomes the newest (kept with the record's next save).
 */
export function olderThanSeen(ctl: ChannelController, lt: bigint | undefined): boolean {
  if (lt === undefined || lt <= 0n) return false;
  const seen = ctl.rec.seenLt;
  if (seen !== undefined && lt < seen) return true;
  ctl.rec.seenLt = lt;
  return false;
}
