// A Chain with injected faults for the node tests: the first N calls of a method fail with a given error, or a
// read returns something else (an empty read), then the real chain answers again.
import type { Chain } from '../../src/chain/types.js';
import { ChainError, type ChainErrorCode } from '../../src/chain/errors.js';

export interface Fault {
  method: keyof Chain;
  /** how many calls fail (default 1) */
  times?: number;
  /** the error thrown, or a value returned instead of the real answer */
  error?: ChainErrorCode;
  /** the error says the message went out (a TIMEOUT of the real chain after the send does) */
  sent?: boolean;
  value?: unknown;
  /** the call waits for this, then the real chain answers (no error, no value) */
  hold?: Promise<unknown>;
}

export interface FaultyChain {
  chain: Chain;
  /** how many calls of each method were made, and how many failed */
  calls: Map<string, number>;
  injected: Map<string, number>;
  /** adds faults at run time */
  inject(f: Fault): void;
}

export function faultyChain(real: Chain, faults: Fault[] = []): FaultyChain {
  const pending = [...faults];
  const calls = new Map<string, number>();
  const injected = new Map<string, number>();
  const chain = new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const name = String(prop);
        calls.set(name, (calls.get(name) ?? 0) + 1);
        const f = pending.find((x) => x.method === prop && (x.times ?? 1) > 0);
        if (f) {
          f.times = (f.times ?? 1) - 1;
          injected.set(name, (injected.get(name) ?? 0) + 1);
          if (f.hold) return f.hold.then(() => (v as (...a: unknown[]) => unknown).apply(target, args));
          if (f.error) return Promise.reject(new ChainError(f.error, `injected fault: ${name} failed (${f.error})`, { sent: f.sent ?? false }));
          return Promise.resolve(f.value);
        }
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Chain;
  return { chain, calls, injected, inject: (f) => pending.push(f) };
}
