// A payment waiting in pay() (pay.ts), and its wait's end: one timer per channel however many payments wait,
// armed to the earliest deadline. Payments asked with the same waitMs end in the order they were asked, so each
// wait length keeps a queue in that order, and the settled ones leave from its front.
import type { ChannelState } from '../core/state.js';
import type { PaymentResult } from './types.js';

/** Longest delay setTimeout keeps; like setTimeout, a wait outside 1..TIMEOUT_MAX ms is 1 ms. */
const TIMEOUT_MAX = 2 ** 31 - 1;

/** At most this many waits end in one turn of the event loop; the rest in the next turns. */
const ENDS_PER_TURN = 4096;

/** A payment's place in a batch: included (with my balance right after it), or refused with an error. */
export type Entry = { ask: Ask; balance: bigint; error: null } | { ask: Ask; balance: null; error: Error };

export interface InFlight {
  step: bigint;
  state: ChannelState;
  entries: Entry[];
}

/** One payment asked for: told once (resolve or reject); its wait ends at `deadline` unless told before. */
export class Ask {
  /** given up while waiting (refused already; left in the line's queue until the next take) */
  gone = false;
  /** the state that carries it, once batched */
  flight: InFlight | null = null;
  /** refused in its batch (past the balance left): told at the batch's end, or as its wait ends */
  refused?: Error;
  /** told already: its deadline no longer counts */
  done = false;
  /** when its wait ends (performance.now() ms) */
  readonly deadline: number;
  readonly waitMs: number;
  private onAbort?: () => void;

  constructor(
    readonly amount: bigint,
    waitMs: number,
    private readonly deadlines: Deadlines,
    private readonly res: (r: PaymentResult) => void,
    private readonly rej: (e: Error) => void,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.waitMs = waitMs >= 1 && waitMs <= TIMEOUT_MAX ? waitMs : 1;
    this.deadline = performance.now() + this.waitMs;
  }

  /** Stops the wait when `signal` aborts (calls `giveUp` unless told before). */
  listen(giveUp: () => void): void {
    if (!this.signal) return;
    this.onAbort = giveUp;
    this.signal.addEventListener('abort', giveUp, { once: true });
  }

  resolve(r: PaymentResult): void {
    this.end();
    this.res(r);
  }

  reject(e: Error): void {
    this.end();
    this.rej(e);
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    if (this.onAbort) this.signal!.removeEventListener('abort', this.onAbort);
    this.deadlines.trim(this.waitMs);
  }
}

/** Asks in the order they were asked; `head` is the front. */
class Queue {
  items: (Ask | undefined)[] = [];
  head = 0;

  peek(): Ask | undefined {
    return this.items[this.head];
  }

  shift(): void {
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** The deadlines of one channel's waiting payments, and its one timer. */
export class Deadlines {
  private readonly byWait = new Map<number, Queue>();
  private timer: NodeJS.Timeout | null = null;
  private at = Infinity;
  private readonly fire = () => this.end();

  /** `expire` is called for each payment whose wait ended before it was told. */
  constructor(private readonly expire: (ask: Ask) => void) {}

  add(ask: Ask): void {
    let q = this.byWait.get(ask.waitMs);
    if (!q) this.byWait.set(ask.waitMs, (q = new Queue()));
    q.items.push(ask);
    if (ask.deadline < this.at) this.arm(ask.deadline);
  }

  /** A payment of wait `waitMs` was told: the told ones leave the front of its queue. */
  trim(waitMs: number): void {
    const q = this.byWait.get(waitMs);
    if (!q) return;
    for (let a = q.peek(); a?.done; a = q.peek()) q.shift();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.at = Infinity;
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(this.fire, Math.max(0, Math.ceil(at - performance.now())));
    this.timer.unref?.();
  }

  /** The timer: ends the waits that are over, then arms for the earliest one left. */
  private end(): void {
    this.timer = null;
    this.at = Infinity;
    const now = performance.now();
    let budget = ENDS_PER_TURN;
    let next = Infinity;
    for (const [waitMs, q] of this.byWait) {
      for (let a = q.peek(); a && budget > 0; a = q.peek()) {
        if (!a.done && a.deadline > now) break;
        q.shift();
        if (!a.done) {
          budget--;
          this.expire(a);
        }
      }
      const first = q.peek();
      if (first) next = Math.min(next, first.deadline);
      else this.byWait.delete(waitMs);
    }
    if (next < Infinity && !this.timer) this.arm(next);
  }
}
