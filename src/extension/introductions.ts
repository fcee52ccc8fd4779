// Which connecting wallets the notifications introduce (no VS Code here): each wallet once, of the last
// INTRODUCED_MAX seen (a reconnection is no news), and strangers' connections logged within one shared budget per
// minute, since a new wallet costs an attacker nothing.

/** The most wallets remembered as introduced; the oldest is forgotten first. */
export const INTRODUCED_MAX = 1024;
/** Strangers' connections logged per minute, all strangers together. */
export const STRANGER_LOG_BUDGET = 10;
const WINDOW_MS = 60_000;

export class Introductions {
  private readonly seen = new Set<string>();
  private windowStart = -Infinity;
  private used = 0;
  private dropped = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly max = INTRODUCED_MAX,
    private readonly budget = STRANGER_LOG_BUDGET,
  ) {}

  /** True the first time `address` connects (of the last `max` wallets seen). */
  first(address: string): boolean {
    if (this.seen.has(address)) return false;
    this.seen.add(address);
    if (this.seen.size > this.max) this.seen.delete(this.seen.values().next().value!);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  /**
   * Whether a stranger's connection may go to the log now. `skipped`: how many were left out before, while the
   * budget was spent (said once, with the first line of a new minute). `first`: the first of its minute.
   */
  allowStranger(): { ok: boolean; skipped: number; first: boolean } {
    const t = this.now();
    let skipped = 0;
    if (t - this.windowStart >= WINDOW_MS) {
      skipped = this.dropped;
      this.windowStart = t;
      this.used = 0;
      this.dropped = 0;
    }
    if (this.used >= this.budget) {
      this.dropped++;
      return { ok: false, skipped: 0, first: false };
    }
    this.used++;
    return { ok: true, skipped, first: this.used === 1 };
  }
}
