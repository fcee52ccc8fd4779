// The node's typed errors: a code from the one vocabulary (src/core/codes.ts) and a message saying what to do.
import { SynError, type ErrorCode } from '../core/errors.js';

export class NodeError extends SynError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; sent?: boolean }) {
    super(code, message, options);
    this.name = 'NodeError';
  }
}

/** A mark kept on error objects (not a field: the error may be any thrown value): `mark` sets it, `has` reads it. */
function errorFlag(): { mark<E>(e: E): E; has(e: unknown): boolean } {
  const marked = new WeakSet<object>();
  return {
    mark<E>(e: E): E {
      if (typeof e === 'object' && e !== null) marked.add(e);
      return e;
    },
    has: (e) => typeof e === 'object' && e !== null && marked.has(e),
  };
}

/** Errors the peer was already answered for in the protocol's own words (a decline): no error message goes too. */
const answeredToPeer = errorFlag();
export const answered = answeredToPeer.mark;
export const wasAnswered = answeredToPeer.has;

/** This node's user's words for a refusal of a partner's message whose own message is written for the partner. */
const wordsHere = new WeakMap<object, string>();

export function saidHere<E>(e: E, words: string): E {
  if (typeof e === 'object' && e !== null) wordsHere.set(e, words);
  return e;
}

export function hereWordsOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? wordsHere.get(e) : undefined;
}

/** Refusals of a partner's message told here in saidHere's words: the code's next step is the partner's, not this user's. */
const refusals = errorFlag();
export const refusal = refusals.mark;
export const isRefusal = refusals.has;

/**
 * Refusals of a partner's message that came too late to matter (a state or turn request for a channel closing here):
 * answered to the partner as any refusal, told here once per channel as an info line in saidHere's words.
 */
const quietOnes = errorFlag();
export const quiet = quietOnes.mark;
export const isQuiet = quietOnes.has;

/** The one cancellation error (a user's AbortSignal fired). */
export function cancelled(): NodeError {
  return new NodeError('CANCELLED', 'cancelled');
}

/**
 * A wait the user stopped (CANCELLED), or the node's stop ended (NODE_STOPPED; CHANNEL_RELOADED when an import
 * loaded its channel again), after `what` happened (a transaction sent, an acceptance told): the same code that
 * says so, with `sent`, so that no UI shows it as "nothing happened". Other failures pass unchanged.
 */
export function stoppedAfter(e: unknown, what: string): unknown {
  const code = (e as { code?: string } | null)?.code;
  if ((code !== 'CANCELLED' && code !== 'NODE_STOPPED' && code !== 'CHANNEL_RELOADED') || (e as { sent?: boolean }).sent) return e;
  if (code === 'NODE_STOPPED') return new NodeError('NODE_STOPPED', `the node stopped, but ${what}`, { cause: e, sent: true });
  if (code === 'CHANNEL_RELOADED') return new NodeError('CHANNEL_RELOADED', `the channel was loaded again from its files (a backup was imported) while this waited, but ${what}`, { cause: e, sent: true });
  return new NodeError('CANCELLED', `you stopped waiting, but ${what}`, { cause: e, sent: true });
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

/** A dial's failure; one the node's stop cut short (Ctrl+C while it dials) says so, not that the address is wrong. */
export function dialFailed(stopping: AbortSignal, addr: string, e: unknown): never {
  if (!stopping.aborted) throw e;
  throw new NodeError('NODE_STOPPED', `the node stopped before the connection to ${addr} was made: start it again, then connect`, { cause: e });
}
