// Whether what runs now was asked for by the user (a command of the node's API) or is the node's own (a
// countersignature, a pass of the turn, a resync): the async context of the command carries the mark.
import { AsyncLocalStorage } from 'node:async_hooks';

const asked = new AsyncLocalStorage<true>();

/** Runs a user's command: what it does, also later in its own promise chain, is marked as asked for. */
export function byUser<T>(command: () => T): T {
  return asked.run(true, command);
}

/** Whether the code running now belongs to a user's command (see byUser). */
export function askedByUser(): boolean {
  return asked.getStore() === true;
}
