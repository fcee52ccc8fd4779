// Events to the application that can neither block nor break the p2p layer: each listener is called
// synchronously in turn; one that throws, or returns a promise that rejects, is logged and the others
// still run. A returned promise is never awaited.
import type { EventEmitter } from 'node:events';

export function emitSafely(emitter: EventEmitter, event: string, args: unknown[], log: (line: string) => void): boolean {
  const listeners = emitter.rawListeners(event);
  for (const listener of listeners) {
    try {
      const result: unknown = (listener as (...a: unknown[]) => unknown).apply(emitter, args);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(undefined, (e: unknown) => log(`a '${event}' listener rejected: ${describe(e)}`));
      }
    } catch (e) {
      log(`a '${event}' listener threw: ${describe(e)}`);
    }
  }
  return listeners.length > 0;
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
