// Sends of one wallet go one at a time: each signs with the seqno the one before it left, so two in flight
// would carry the same seqno (one of them refused).
import type { Address } from '@ton/core';
import { abortedError } from './http.js';

export class WalletLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  /**
   * Runs `fn` once the wallet's earlier sends are done. A stop (`signal`) while it waits ends the wait at once:
   * nothing was signed (`fn` still takes its turn, sees the stop and sends nothing, so the next send waits for it).
   */
  async run<T>(address: Address, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const key = address.toRawString();
    const prev = this.tails.get(key) ?? Promise.resolve();
    let started = false;
    const start = () => ((started = true), fn());
    const run = prev.then(start, start);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    if (!signal) return run;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => void (started || reject(abortedError(signal)));
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}
