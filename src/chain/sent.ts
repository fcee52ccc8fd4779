// What a failure means once a wallet message went out: a final answer stands; a stop or a failed read says the
// message may still land (`sent`), so that nobody reads it as "nothing happened" and sends it again.
import type { Transaction } from '@ton/core';
import { ChainError } from './errors.js';
import { sleep } from './http.js';
import type { TxCursor } from './payout.js';

/** Final answers a wait for a sent message may end with (CANCELLED is the caller's stop, not an answer). */
const VERDICTS: ReadonlySet<string> = new Set(['CONTRACT_REJECTED', 'WALLET_REJECTED', 'INSUFFICIENT_FUNDS', 'NOT_DEPLOYED', 'TIMEOUT', 'CLOSED']);

/** The abort reasons of a node's stop (nodeStop): a wait they end is told as the stop of the node, not of a wait. */
const stops = new WeakSet<object>();

/** The reason a node's stop aborts its sends with: one not sent yet says nothing was sent. */
export function nodeStop(): ChainError {
  const e = new ChainError('CANCELLED', 'the node stopped before it was sent: nothing was sent; start the node again to retry');
  stops.add(e);
  return e;
}

/** Whether a wait ended by `signal` was ended by the node's stop (nodeStop), which watches nothing until the next start. */
function byNodeStop(signal: AbortSignal | undefined): boolean {
  return typeof signal?.reason === 'object' && signal.reason !== null && stops.has(signal.reason as object);
}

const CHECK = 'check the channel and your wallet before you retry';

/**
 * Once a message is sent: a final answer stands, a stop by the caller (`signal`) is CANCELLED and a read that
 * fails for good is TIMEOUT, both saying that it may still land, with `sent`.
 */
export async function sent<T>(what: string, wait: Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await wait;
  } catch (e) {
    if (e instanceof ChainError && e.sent) throw e;
    // The wait cut short by the operation's timeout is no answer: the message went out.
    const timedOut = !!signal?.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError';
    if (e instanceof ChainError && VERDICTS.has(e.code) && !(timedOut && e.code === 'TIMEOUT')) throw e;
    if (timedOut) throw new ChainError('TIMEOUT', `${what} was sent but not seen on chain in time; it may still land: check the channel and the wallet balance before retrying`, { cause: e, sent: true });
    if (signal?.aborted || (e instanceof ChainError && e.code === 'CANCELLED')) {
      const text = byNodeStop(signal)
        ? `the node stopped, but ${what} was sent: it may still land; the node reads it when it starts again: start it and ${CHECK}`
        : `you stopped waiting, but ${what} was sent: it may still land (the node keeps watching the chain); ${CHECK}`;
      throw new ChainError('CANCELLED', text, { cause: e, sent: true });
    }
    throw new ChainError('TIMEOUT', `${what} was sent, but reading the chain failed (${(e as Error).message}); it may still land: check the channel and the wallet balance before retrying`, { cause: e, sent: true });
  }
}

/** A stop while the message was being handed to the endpoint: it may have gone out, or not. */
export function stoppedWhileSending(what: string, e: ChainError, signal?: AbortSignal): ChainError {
  const text = byNodeStop(signal)
    ? `the node stopped while ${what} was being sent: it may have gone out; the node reads it when it starts again: start it and ${CHECK}`
    : `you stopped while ${what} was being sent: it may have gone out (the node keeps watching the chain); ${CHECK}`;
  return new ChainError('CANCELLED', text, { cause: e, sent: true });
}

/** Transactions per read while waiting, and the most pages one read goes back (a flood between two reads). */
export const WAIT_PAGE = 20;
const WAIT_PAGES = 50;

/**
 * Polls an account's transactions (`page`: newest first, older than `before`) until one matches; `giveUp` may end
 * the wait with an error. With `after` (an lt older than the one awaited), every transaction newer than it is
 * looked at once, however many land between two reads: a flood of the account must not push ours out of the
 * newest page.
 */
export async function waitForTransaction(o: {
  page: (before: TxCursor | null) => Promise<Transaction[]>;
  match: (tx: Transaction) => boolean;
  signal: AbortSignal;
  pollMs: number;
  /** with the lt up to which every transaction newer than `after` was looked at (null: not known) */
  giveUp?: (covered: bigint | null) => Promise<ChainError | null>;
  after?: bigint;
}): Promise<Transaction> {
  const { signal } = o;
  // The message is sent: a read that fails (the endpoint's own retries spent) is read again until the
  // operation's timeout, which says it may still land. Only the caller's abort or a real answer ends the wait.
  // A library's own error (a malformed answer, a transaction that does not parse: a replica mid-upgrade) is read
  // again too; an answer another attempt cannot fix (HTTP 400) ends the wait (sent: it may still land).
  const transient = (e: unknown) => !signal.aborted && (!(e instanceof ChainError) || e.retryable || e.code === 'ENDPOINT_UNREACHABLE' || e.code === 'RATE_LIMITED');
  const read = (before: TxCursor | null) =>
    o.page(before).catch((e: unknown) => {
      if (transient(e)) return null;
      throw e;
    });
  // Every transaction newer than `after` up to `covered` was looked at (no bound: only the newest page is read).
  // A scan reads from the newest down to `covered`, WAIT_PAGES pages a poll at most (a deep flood takes several
  // polls); once it gets there, `covered` rises to the newest it started from, and the next scan starts again.
  // A scan proves only what it read linked: each transaction names the one before it (prevTransactionLt), so a
  // page that leaves one out, or comes out of order, is seen, and that scan proves nothing (it starts again).
  let covered = o.after !== undefined && o.after > 0n ? o.after : null;
  let scan: { top: bigint | null; cursor: TxCursor | null; prev: bigint | null } | null = null;
  for (let i = 0; ; i++) {
    scan ??= { top: null, cursor: null, prev: null };
    for (let pages = 0; scan && pages < WAIT_PAGES; pages++) {
      const page = await read(scan.cursor);
      if (!page) break; // a failed read: the next poll goes on from here
      if (!scan.cursor) scan.top = page[0]?.lt ?? null;
      const found = page.find(o.match);
      if (found) return found;
      const last = page[page.length - 1];
      // An empty answer to a cursor is no proof (an endpoint that lost it): that scan starts again.
      if (covered === null || !last || !linked(scan, page, covered)) scan = null;
      else if (scan.prev !== null && scan.prev <= covered) {
        // read down to the bound (or the account's first transaction) with nothing left out
        if (scan.top !== null && scan.top > covered) covered = scan.top;
        scan = null;
      } else if (page.length < WAIT_PAGE) scan = null; // the endpoint's history ended short of the bound: no proof
      else scan.cursor = { lt: last.lt, hash: last.hash() };
    }
    if (o.giveUp && i > 0 && i % 5 === 0) {
      const err = await o.giveUp(covered).catch((e: unknown) => {
        if (transient(e)) return null;
        throw e;
      });
      if (err) throw err;
    }
    await sleep(o.pollMs, signal);
  }
}

/**
 * Whether `page` follows on from the scan's earlier pages with nothing left out, down to `bound`; `scan.prev` is
 * then the logical time of the transaction before the last one looked at (0: none, the account's first).
 */
function linked(scan: { prev: bigint | null }, page: Transaction[], bound: bigint): boolean {
  for (const tx of page) {
    if (scan.prev !== null && tx.lt !== scan.prev) return false;
    scan.prev = tx.prevTransactionLt;
    if (tx.lt <= bound) break;
  }
  return true;
}
