// Whether what runs now was asked for by the user (a command of the node's API) or is the node's own (a
// countersignature, a pass of the turn, a resync): the async context of the command carries the mark.
// On Node 20 an enabled AsyncLocalStorage puts async hooks on every promise of the process (a third of a coalesced
// payment's CPU), so the mark is enabled only while a command runs; payments (pay) mark their messages themselves.
import { AsyncLocalStorage } from 'node:async_hooks';

const asked = new AsyncLocalStorage<true>();
/** Commands running now (their promises not settled). */
let running = 0;

function done(): void {
  if (--running === 0) asked.disable();
}

/** Runs a user's command: what it does, also later in its own promise chain, is marked as asked for. */
export function byUser<T>(command: () => T): T {
  running++;
  let r: T;
  try {
    r = asked.run(true, command);
  } catch (e) {
    done();
    throw e;
  }
  if (r instanceof Promise) r.then(done, done);
  else done();
  return r;
}

/** Whether the code running now belongs to a user's command (see byUser). */
export function askedByUser(): boolean {
  return asked.getStore() === true;
}
