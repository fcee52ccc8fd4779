// Toasts a peer can repeat at will (its error reports, its messages this node refuses): at most one per window,
// the rest only in the output log; and a challenge the node retries: one toast per cause (ChallengeFailures).
import type { NodeEvent } from '../node/types.js';

/** The shortest time between two toasts of one paced kind. */
export const REPORT_TOAST_WINDOW_MS = 30_000;

export class ToastPace {
  private last = -Infinity;
  private held = 0;

  constructor(
    private readonly windowMs = REPORT_TOAST_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether this one is shown now; `held`: how many were not shown since the last shown, to say with this one. */
  take(): { show: boolean; held: number } {
    const t = this.now();
    if (t - this.last < this.windowMs) {
      this.held++;
      return { show: false, held: 0 };
    }
    const held = this.held;
    this.last = t;
    this.held = 0;
    return { show: true, held };
  }
}

/**
 * The toasts a peer can repeat at will, each kind paced on its own: its error reports (`partner`), and its messages
 * this node refuses (`wire`: two a second after a burst of 20, by the node's budget). null: not paced.
 */
export function pacedKind(e: NodeEvent): 'report' | 'refusal' | null {
  if (e.type !== 'error') return null;
  return e.partner ? 'report' : e.wire ? 'refusal' : null;
}

/** Said with the first toast of a window: how many of its kind were held back (each is in the output log). */
export function heldWords(kind: 'report' | 'refusal', held: number): string {
  const what = kind === 'report' ? 'reports from partners' : "partners' messages refused";
  return held ? ` (and ${held} more ${what} since the last shown: see the SynChannel output)` : '';
}

/**
 * A failing challenge's toasts. The node retries it until the window ends, every 30 s at most (a wallet short of the
 * fee fails each time, for hours in a long window), each failure an event: one toast per channel and cause (code)
 * while it retries, every failure in the output log (the node's line). A new cause, and the last failure (no retry:
 * the window is over, or the contract refused it several times) are told; a challenge that lands starts over.
 */
export class ChallengeFailures {
  /** per channel id, the cause of the failure last shown */
  private readonly told = new Map<string, string>();

  /** Whether this event's toast is shown (any event but a failed challenge: yes). */
  take(e: NodeEvent): boolean {
    if (e.type === 'challenged' || e.type === 'closed') this.told.delete(e.channel.id);
    if (e.type !== 'challengeFailed') return true;
    const cause = e.nextRetryMs === null ? `${e.code} (last: ${e.stopped ?? 'no time left'})` : e.code;
    if (this.told.get(e.channel.id) === cause) return false;
    this.told.set(e.channel.id, cause);
    return true;
  }
}

/**
 * Whether a challenge's outcome (landed, or failed) comes while a person's Challenge runs on that channel
 * (`asking`: their channel ids): the node tells it before the command returns, and the command tells it itself.
 */
export function toldByChallenge(e: NodeEvent, asking: ReadonlySet<string>): boolean {
  return ((e.type === 'challenged' && e.byMe && !e.earlier) || e.type === 'challengeFailed') && asking.has(e.channel.id);
}
