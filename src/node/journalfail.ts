// A channel whose journal could not be written (a full disk): no message of it leaves (write before send), so no new
// state is signed in it until the node starts again; closes still go, with the latest state both signed (memory).
import type { Capability } from '../core/capabilities.js';
import { isErrorCode } from '../core/errors.js';

/** Whether `e`, a failed append, is the store's write error (it has a code) rather than a storage closed meanwhile. */
export function isJournalWriteError(e: unknown, closed: boolean): e is Error {
  return !closed && typeof (e as { code?: unknown } | null)?.code === 'string';
}

/** The refusal of every new state while the journal write `e` failed (null: none failed). */
export function journalRefusal(e: Error | null): Extract<Capability, { ok: false }> | null {
  if (!e) return null;
  const code = (e as { code?: string }).code;
  return { ok: false, code: code && isErrorCode(code) ? code : 'DISK_WRITE_FAILED', why: `${e.message}. Until then no new state is signed in this channel (nothing went to your partner since); withdraw still closes it alone with the latest state both signed` };
}
