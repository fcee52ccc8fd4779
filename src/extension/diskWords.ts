// The words of a channel's journal write that failed (a full disk) and its all-clear (the node's log event with
// code DISK_WRITE_AGAIN, journalretry.ts): what a state held in memory means, and that the node writes it by itself.
import { formatTon } from './util.js';
import type { NodeEvent } from '../node/types.js';

/** What a state held in memory only waits for: the node's own retry, no command. */
export const WRITES_WHEN_ROOM = 'the node writes it by itself once the disk has room';

/**
 * The all-clear of a channel's failed journal write as an info toast (its DISK_WRITE_FAILED error was one): the
 * channel signs again, and a payment it held goes now (its command said it failed: not to be sent again). Null for
 * any other log line.
 */
export function diskAgainNotice(e: Extract<NodeEvent, { type: 'log' }>, partner: (ch: NonNullable<typeof e.channel>) => string): { level: 'info'; text: string } | null {
  if (e.code !== 'DISK_WRITE_AGAIN' || !e.channel) return null;
  const name = partner(e.channel);
  const p = e.payment;
  const goes = p ? ` Your payment of ${formatTon(p.amount)} TON (Step ${p.step}), held with it, goes to ${name} now: do not send it again.` : '';
  return { level: 'info', text: `the disk takes the channel with ${name} again: what your node held in memory is saved, and the channel signs new states again.${goes}` };
}
