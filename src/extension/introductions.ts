// Which connecting wallets the notifications introduce (no VS Code here): each wallet once, of the last
// INTRODUCED_MAX seen (a reconnection is no news), and strangers' connections logged within one shared budget per
// minute, since a new wallet costs an attacker nothing.

/** The most wallets remembered as introduced; the oldest is forgotten first. */
export const INTRODUCED_MAX = 1024;
/** Strangers' connections logged per minute, all strangers together. */
export const STRANGER_LOG_BUDGET = 10;
const WINDOW_MS = 60_000;

export class Introductions {
  private readonly known = new Set<string>();
  private windowStart = -Infinity;
  private used = 0;
  private dropped = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly max = INTRODUCED_MAX,
    private readonly budget = STRANGER_LOG_BUDGET,
  ) {}

  /**
   * What to do about `address` connecting: log its introduction (Partner signature, Partner address) and show a
   * toast, or nothing (introduced before, or a stranger over the budget: not marked, so a later connection of it,
   * e.g. once it has a channel here, is introduced). `skipped`: strangers left out before, to say once.
   */
  connected(address: string, hasChannel: boolean): { log: boolean; toast: boolean; skipped: number } {
    if (this.known.has(address)) return { log: false, toast: false, skipped: 0 };
    const budget = hasChannel ? null : this.allowStranger();
    if (budget && !budget.ok) return { log: false, toast: false, skipped: 0 };
    this.known.add(address);
    if (this.known.size > this.max) this.known.delete(this.known.values().next().value!);
    return { log: true, toast: !budget || budget.first, skipped: budget?.skipped ?? 0 };
  }

  get size(): number {
    return this.known.size;
  }

  /**
   * Whether a stranger's connection may go to the log now. `skipped`: how many were left out before, while the
   * budget was spent (said once, with the first line of a new minute). `first`: the first of its minute.
   */
  private allowStranger(): { ok: boolean; skipped: number; first: boolean } {
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
