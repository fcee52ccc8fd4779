// A channel whose journal could not be written (a full disk): no message of it leaves (write before send), so no new
// state is signed in it until the journal takes what it held in memory (journalretry.ts: the node tries again by
// itself); closes still go, with the latest state both signed (memory). The views show that state, said not saved
// on disk (views.ts latestShown), since it is what a withdraw submits.
import type { Capability } from '../core/capabilities.js';
import { HELD_IN_MEMORY } from './uiRules.js';
import { isErrorCode } from '../core/errors.js';
import type { JournalEntry } from './persistence.js';

/** Whether `e`, a failed append, is the store's write error (it has a code) rather than a storage closed meanwhile. */
export function isJournalWriteError(e: unknown, closed: boolean): e is Error {
  return !closed && typeof (e as { code?: unknown } | null)?.code === 'string';
}

/** A channel's failed journal writes: the first error, and the lowest step whose state is not on disk. */
export class JournalFailure {
  /** the first failed write (null: none failed) */
  error: Error | null = null;
  /** the lowest step of a state whose append failed (a later append fails too: the store holds it after one) */
  unsavedFrom: bigint | null = null;

  /** Notes the failed append of `entries`. */
  failed(e: Error, entries: readonly JournalEntry[]): void {
    this.error ??= e;
    for (const x of entries) {
      if (x.kind === 'evidence') continue;
      const step = x.state.state.step;
      if (this.unsavedFrom === null || step < this.unsavedFrom) this.unsavedFrom = step;
    }
  }

  /** The journal took what it held: nothing is in memory only any more. */
  clear(): void {
    this.error = null;
    this.unsavedFrom = null;
  }

  /** Whether the state of `step` this node holds is in memory only (its write failed). */
  unsaved(step: bigint): boolean {
    return this.unsavedFrom !== null && step >= this.unsavedFrom;
  }
}

/**
 * The refusal of every new state while the journal write `j` failed (null: none failed), until the journal takes
 * what it held; `latest`: the step of the latest state both signed this node holds.
 */
export function journalRefusal(j: JournalFailure, latest: bigint | null): Extract<Capability, { ok: false }> | null {
  const e = j.error;
  if (!e) return null;
  const code = (e as { code?: string }).code;
  const memory = latest !== null && j.unsaved(latest) ? ` (step ${latest} is ${HELD_IN_MEMORY})` : '';
  return { ok: false, code: code && isErrorCode(code) ? code : 'DISK_WRITE_FAILED', why: `${e.message}. Until then no new state is signed in this channel (nothing went to your partner since); withdraw still closes it alone with the latest state both signed${memory}` };
}
