// A controller's wait for a change: it resolves once done, or fails with TIMEOUT, CANCELLED or the stop's error.
import { NodeError, cancelled } from './errors.js';

/** Waits until `done()` holds, woken by `waiters` (each change) and ended by `stoppers` (the stop). */
export function waitUntil(
  done: () => boolean,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  what: string,
  waiters: Set<() => void>,
  stoppers: Set<(e?: Error) => void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (done()) finish();
    };
    const finish = (err?: Error) => {
      clearTimeout(timer);
      waiters.delete(check);
      stoppers.delete(finish);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => finish(cancelled());
    const timer = setTimeout(() => finish(new NodeError('TIMEOUT', `${what} within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    waiters.add(check);
    stoppers.add(finish);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
  });
}
