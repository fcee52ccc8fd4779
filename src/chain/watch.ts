// The channel watch: polls the channel's status and turns the changes between polls into events. `closed` comes
// only from a stored CLOSED phase whose payout transaction was read; anything unexpected (no account after a live
// read, a frozen account, a payout not found yet, a failed read, a read older than the last) goes to onError and the
// next poll tries again; the first good read after them goes to onReadAgain.
import type { ChannelData, ChannelStatus } from '../contract/index.js';
import { ChainError } from './errors.js';
import { sleep } from './http.js';
import { unnamed } from '../core/unnamed.js';
import type { ChannelEvent, Payout, PayoutBuried, PayoutNoHistory, WatchOptions } from './types.js';

export interface WatchSource {
  status(signal: AbortSignal): Promise<ChannelStatus>;
  payout(signal: AbortSignal): Promise<Payout | PayoutBuried | PayoutNoHistory | null>;
  now(signal: AbortSignal): Promise<number>;
}

type Emit = (e: ChannelEvent) => void;

/** At most this many poll intervals between two looks for a payout transaction not found yet. */
const MAX_SLOWER = 64;
/** At most this many poll intervals between two reads the endpoint refused for the API key (it asks the person). */
const MAX_REFUSED_SLOWER = 8;

/**
 * Runs until `signal` aborts or the channel has paid out. `pollMs`: the wait between polls, or a function of
 * whether the channel is urgent (closing, or closed with its payout unread) that gives it.
 */
export async function runWatch(src: WatchSource, o: WatchOptions, pollMs: number | ((urgent: boolean) => number), signal: AbortSignal): Promise<void> {
  const interval = typeof pollMs === 'number' ? () => pollMs : pollMs;
  let failing = false;
  // kept for the watch's life: unnamed (core/unnamed.ts)
  const fail = unnamed((e: Error): void => {
    failing = true;
    o.onError?.(e);
  });
  const readAgain = unnamed((): void => {
    if (!failing) return;
    failing = false;
    o.onReadAgain?.();
  });
  const emit: Emit = unnamed((e: ChannelEvent) => {
    try {
      o.onEvent(e);
    } catch (err) {
      o.onError?.(err as Error);
    }
  });
  let prev: ChannelData | null | undefined; // undefined: no baseline yet; null: nothing deployed
  let deadlineSeen: number | null = null;
  let slower = 1; // a payout not found yet is looked for less and less often (each look reads pages of transactions)
  let refusedSlower = 1; // reads refused for the API key: the endpoint is not asked at full pace until one goes through
  let urgent = false;
  let unreadTold = false; // a payout not found yet: its paidOutUnread event told
  while (!signal.aborted) {
    try {
      const cur = await src.status(signal);
      refusedSlower = 1;
      urgent = cur.status === 'closing' || cur.status === 'closed';
      if (cur.status === 'closed') {
        const payout = await src.payout(signal);
        if (payout && !('buried' in payout) && !('noHistory' in payout)) {
          emit({ type: 'closed', payoutA: payout.paidA, payoutB: payout.paidB, payout });
          return;
        }
        slower = Math.min(slower * 2, MAX_SLOWER);
        // buried under later messages: the watcher may read deeper (and end the channel by its closed record)
        if (payout && 'buried' in payout) emit({ type: 'payoutBuried', record: payout.record });
        else {
          if (!unreadTold) emit({ type: 'paidOutUnread', paid: cur.paid, noHistory: !!payout && 'noHistory' in payout });
          unreadTold = true;
          fail(new ChainError('PENDING', 'the channel is closed but its payout transaction was not found yet: reading again'));
        }
      } else if (cur.status === 'frozen') {
        fail(new ChainError('FROZEN', 'the channel account is frozen by unpaid storage fees: unfreeze it with its state init and the debt'));
      } else if (cur.status === 'not_deployed') {
        if (prev) fail(new ChainError('PENDING', 'the channel account reads as not deployed after it was live (a lagging endpoint, or a devnet started again with a new chain?): reading again'));
        else {
          prev = null;
          readAgain();
        }
      } else if (prev && behind(prev, cur.data)) {
        fail(new ChainError('PENDING', `the channel reads as ${cur.data.phase} after it was ${prev.phase} (a lagging endpoint?): reading again`));
      } else {
        // The first read reports all it shows (the deposits, the lock, a close): whoever read the chain before
        // the watch started may have read it before they landed. The node takes each event once.
        diff(prev ?? null, cur.data, emit, cur.lt);
        deadlineSeen = await checkDeadline(src, o, cur.data, deadlineSeen, emit, signal);
        prev = cur.data;
        readAgain();
      }
    } catch (e) {
      if (signal.aborted) break;
      if ((e as { code?: string }).code === 'API_KEY_REJECTED') refusedSlower = Math.min(refusedSlower * 2, MAX_REFUSED_SLOWER);
      fail(e as Error);
    }
    try {
      await sleep(interval(urgent) * slower * refusedSlower, signal);
    } catch {
      break;
    }
  }
}

async function checkDeadline(src: WatchSource, o: WatchOptions, cur: ChannelData, seen: number | null, emit: Emit, signal: AbortSignal): Promise<number | null> {
  if (cur.phase !== 'closing' || cur.deadline === null || seen === cur.deadline) return seen;
  const now = await src.now(signal);
  o.onNow?.(now);
  if (now < cur.deadline) return seen;
  emit({ type: 'deadlinePassed', deadline: cur.deadline, now });
  return cur.deadline;
}

const ORDER = { funding: 0, open: 1, closing: 2, closed: 3 } as const;

/** A read older than one already seen: an earlier phase, or a close with a lower step floor. A contract never goes back. */
export function behind(prev: ChannelData, cur: ChannelData): boolean {
  return ORDER[cur.phase] < ORDER[prev.phase] || (cur.phase === 'closing' && prev.phase === 'closing' && cur.stepFloor < prev.stepFloor);
}

/** The events between two reads of a live channel (`prev` null: not deployed before; `lt`: the read's last transaction). */
export function diff(prev: ChannelData | null, cur: ChannelData, emit: Emit, lt?: bigint): void {
  const before = prev ?? { ...cur, phase: 'funding' as const, depositA: 0n, depositB: 0n, storedState: null, exit: false, submitter: null, deadline: null, stepFloor: 0n };
  for (const party of ['A', 'B'] as const) {
    const was = party === 'A' ? before.depositA : before.depositB;
    const is = party === 'A' ? cur.depositA : cur.depositB;
    const read = { depositA: cur.depositA, depositB: cur.depositB, ...(lt !== undefined ? { lt } : {}) };
    if (is > was) emit({ type: 'deposit', party, amount: is - was, ...read });
    else if (is < was) emit({ type: 'refund', party, amount: was - is, ...read });
  }
  if (before.phase === 'funding' && cur.phase !== 'funding') emit({ type: 'locked', depositA: cur.depositA, depositB: cur.depositB });
  if (cur.phase !== 'closing' || cur.deadline === null || cur.submitter === null) return;
  if (before.phase !== 'closing') {
    if (cur.exit) emit({ type: 'exitStarted', submitter: cur.submitter, deadline: cur.deadline, depositA: cur.depositA, depositB: cur.depositB });
    else if (cur.storedState) emit({ type: 'closeStarted', step: cur.storedState.step, submitter: cur.submitter, deadline: cur.deadline, state: cur.storedState });
  } else if (cur.storedState && cur.stepFloor > before.stepFloor) {
    emit({ type: 'challenged', step: cur.storedState.step, state: cur.storedState, deadline: cur.deadline });
  }
}
