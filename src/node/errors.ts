// The node's typed errors: a code from the one vocabulary (src/core/codes.ts) and a message saying what to do.
import { SynError, type ErrorCode } from '../core/errors.js';

export class NodeError extends SynError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'NodeError';
  }
}

/** The one cancellation error (a user's AbortSignal fired). */
export function cancelled(): NodeError {
  return new NodeError('CANCELLED', 'cancelled');
}

/** Races `p` against `signal`: rejects with CANCELLED when it fires (the work itself may still finish). */
export function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  p.catch(() => undefined); // a rejection after (or with) the abort is not an unhandled one
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
