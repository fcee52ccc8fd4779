// What each running command acts on, carried by its async context (commands run side by side, each its own).
// On Node 20 an enabled AsyncLocalStorage puts async hooks on every promise of the process (the node's payments
// too, in the extension host), so it is enabled only while a command runs (as src/node/asked.ts does).
import { AsyncLocalStorage } from 'node:async_hooks';

export class Acting<T extends object> {
  private readonly storage = new AsyncLocalStorage<T>();
  /** Runs not settled yet. */
  private running = 0;

  /** Runs `fn` with `store` visible (current) to what it does, until its promise settles. */
  async run<R>(store: T, fn: () => Promise<R>): Promise<R> {
    this.running++;
    try {
      return await this.storage.run(store, fn);
    } finally {
      if (--this.running === 0) this.storage.disable();
    }
  }

  /** The store of the run that the code running now belongs to, if one is running. */
  current(): T | undefined {
    return this.storage.getStore();
  }
}
