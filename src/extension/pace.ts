// Toasts a peer can repeat at will (its error reports): at most one per window, the rest only in the output log.

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
