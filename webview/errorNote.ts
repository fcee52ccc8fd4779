// The error the host posts after a failed action, kept on the panel: the host sends the state right after it, the
// same as before, and a redraw must not wipe it. It goes when the person acts again or the state really changes
// (pure: the tests read it without a DOM).
import type { BalancesSnapshot } from './protocol.js';

/** A snapshot's content: its build time and the countdown's end (read again on every build) are not a change. */
function content(s: BalancesSnapshot | null): string {
  return JSON.stringify(s, (k, v: unknown) => (k === 'generatedAt' || k === 'deadline' ? undefined : typeof v === 'bigint' ? v.toString() : v));
}

export class ErrorNote {
  private message: string | null = null;
  private shownWith = '';

  /** The error to show, over `current` (the state the panel shows now). */
  set(message: string, current: BalancesSnapshot | null): void {
    this.message = message;
    this.shownWith = content(current);
  }

  /** A state from the host: a real change ends the error; the same state again keeps it. */
  state(next: BalancesSnapshot): void {
    if (this.message !== null && content(next) !== this.shownWith) this.message = null;
  }

  /** The person acted (a button, a selection, a copy, a replay step): the error is done. */
  acted(): void {
    this.message = null;
  }

  get text(): string | null {
    return this.message;
  }
}
