// What peers with no channel here (strangers: a new wallet costs nothing) may put in front of the person: one budget
// for all of them, so that no number of wallets makes the node's events (a toast each in the extension) unbounded.
import type { PeerSession } from '../p2p/index.js';
import { TokenBucket } from '../p2p/quota.js';
import type { NodeContext } from './context.js';
import { hasStoredChannelWith } from './controller.js';

export const STRANGER_REPORT_BURST = 10;
export const STRANGER_REPORTS_PER_SECOND = 0.5;

const budgets = new WeakMap<NodeContext, TokenBucket>();

/** The node's budget for strangers' reports (refusals, proposals, dropped proposals). */
export function strangerReports(ctx: NodeContext): TokenBucket {
  let b = budgets.get(ctx);
  if (!b) budgets.set(ctx, (b = new TokenBucket({ burst: STRANGER_REPORT_BURST, perSecond: STRANGER_REPORTS_PER_SECOND })));
  return b;
}

/** Sessions whose connection events reach the UIs. */
const heard = new WeakSet<PeerSession>();

/**
 * Whether what a session brings reaches the UIs: anything of a partner (a session this node dialled, or a wallet
 * with a channel here); of a stranger, each proposal within the strangers' budget, and its connection within it once
 * (then its disconnection too; a disconnection takes no token).
 */
export function announced(ctx: NodeContext, s: PeerSession, event: 'connected' | 'disconnected' | 'proposed'): boolean {
  const partner = !!s.dialAddr || hasStoredChannelWith(ctx.channels.values(), s.partner.walletAddress.toRawString(), false);
  if (event === 'proposed') return partner || strangerReports(ctx).take();
  if (partner || heard.has(s)) return true;
  const ok = event === 'connected' && strangerReports(ctx).take();
  if (ok) heard.add(s);
  return ok;
}
