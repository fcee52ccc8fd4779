// Sends of one wallet go one at a time: each signs with the seqno the one before it left, so two in flight
// would carry the same seqno (one of them refused). Urgent sends (a challenge: its window is on the chain's
// clock) go before the waiting ones that are not; the one in flight always ends first.
import type { Address } from '@ton/core';
import { abortedError } from './http.js';

export interface LockOptions {
  /** A stop while the send waits for the wallet ends the wait at once: nothing was signed. */
  signal?: AbortSignal;
  /** Goes before the waiting sends that are not urgent. */
  urgent?: boolean;
  /** Told when the send has to wait: how many sends of the wallet go first. */
  onWait?: (ahead: number) => void;
}

interface Waiter {
  urgent: boolean;
  start: () => void;
}

interface WalletQueue {
  busy: boolean;
  waiting: Waiter[];
}

export class WalletLocks {
  private readonly queues = new Map<string, WalletQueue>();

  /** Runs `fn` once the wallet's earlier sends (the urgent ones only, for an urgent send) are done. */
  run<T>(address: Address, fn: () => Promise<T>, o: LockOptions = {}): Promise<T> {
    const key = address.toRawString();
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { busy: false, waiting: [] }));
    const queue = q;
    const { signal } = o;
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(abortedError(signal));
      const onAbort = () => {
        const i = queue.waiting.indexOf(waiter);
        if (i < 0) return;
        queue.waiting.splice(i, 1);
        if (!queue.busy && !queue.waiting.length) this.queues.delete(key);
        reject(abortedError(signal!));
      };
      const waiter: Waiter = {
        urgent: !!o.urgent,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          Promise.resolve()
            .then(fn)
            .then(resolve, reject)
            .finally(() => this.next(key));
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const ahead = (queue.busy ? 1 : 0) + (waiter.urgent ? queue.waiting.filter((w) => w.urgent).length : queue.waiting.length);
      queue.waiting.push(waiter);
      if (!queue.busy) return this.next(key);
      if (ahead > 0) o.onWait?.(ahead);
    });
  }

  /** The wallet is free: the first urgent waiter starts, else the first one. */
  private next(key: string): void {
    const q = this.queues.get(key);
    if (!q) return;
    const i = q.waiting.findIndex((w) => w.urgent);
    const w = q.waiting.splice(i >= 0 ? i : 0, 1)[0];
    q.busy = !!w;
    if (!w) {
      this.queues.delete(key);
      return;
    }
    w.start();
  }
}
