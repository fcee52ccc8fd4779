// What peers with no channel here (strangers: a new wallet costs nothing) may put in front of the person: one budget
// for all of them, so that no number of wallets makes the node's events (a toast each in the extension) unbounded.
import { TokenBucket } from '../p2p/quota.js';
import type { NodeContext } from './context.js';

export const STRANGER_REPORT_BURST = 10;
export const STRANGER_REPORTS_PER_SECOND = 0.5;

const budgets = new WeakMap<NodeContext, TokenBucket>();

/** The node's budget for strangers' reports (refusals, proposals, dropped proposals). */
export function strangerReports(ctx: NodeContext): TokenBucket {
  let b = budgets.get(ctx);
  if (!b) budgets.set(ctx, (b = new TokenBucket({ burst: STRANGER_REPORT_BURST, perSecond: STRANGER_REPORTS_PER_SECOND })));
  return b;
}
