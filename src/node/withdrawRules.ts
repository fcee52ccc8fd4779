// A withdraw's rules and words, as the node's withdraw applies them and the CLI says them before it asks: its mode
// against its step, the partner's grace, a state awaiting this node's signature. Plain functions (no node code);
// uiRules.ts re-exports them. Not imported by the extension (its bundle test lists the plain src/node modules).

/** A withdraw's mode against its step (the node's check, and the CLI's before it asks for a confirmation). */
export function withdrawModeProblem(mode: 'auto' | 'cooperative' | 'unilateral', step: bigint, latest: bigint): string | undefined {
  if (mode !== 'cooperative' || step >= latest) return undefined;
  return `a cooperative close uses the latest state (step ${latest}), not step ${step}: withdraw with the latest, or close alone with step ${step} (unilateral)`;
}

/** How long a withdraw (not unilateral) gives a partner that is not connected to (re)connect (ms). */
export const PARTNER_GRACE_MS = 5_000;

/**
 * A withdraw of the latest step while the partner's state `pending` awaits this node's signature: what the node's
 * withdraw does with it. A close with the partner signs it first (then a fallback submits it too); an offline
 * partner gets PARTNER_GRACE_MS, after which auto closes alone with `latest` and cooperative sends nothing.
 */
export function pendingAtWithdraw(mode: 'auto' | 'cooperative' | 'unilateral', partnerOnline: boolean, latest: bigint, pending: bigint): string {
  const signs = 'the node signs it first, and the close pays its balances';
  const alone = `to close with step ${pending}, sign it first (sign), then withdraw`;
  if (mode === 'unilateral') return `a unilateral close submits step ${latest}; ${alone}.`;
  if (partnerOnline) return `${signs}.`;
  const back = `your partner is offline: if they connect within ${PARTNER_GRACE_MS / 1000} s, ${signs}`;
  if (mode === 'cooperative') return `${back}; otherwise nothing is sent.`;
  return `${back}; otherwise a unilateral close submits step ${latest}, the latest state both signed, without it. To close with step ${pending}, sign it first (sign), then withdraw.`;
}
