// Channels the node cannot read from the chain: a wrong or revoked API key, an endpoint that is down, no network.
// Each failed poll is a log line; once a channel has been unread for WATCH_ALARM_MS the node raises one error
// (WATCH_FAILING) for all of them, because a close the partner starts meanwhile is neither seen nor challenged. A
// refused API key raises it at once: it does not mend by itself. A node on devnet or testnet also reads the chain
// once as it starts, so a wrong key or an endpoint out of reach is said then, with or without channels. When every
// such channel reads again, it says so. Times are monotonic: a local clock step neither raises nor hides the alarm.
import { setTimeout as delay } from 'node:timers/promises';
import { codeOf, messageOf } from '../core/errors.js';
import type { NodeContext } from './context.js';
import { chainNowRead } from './mayland.js';
import type { ChannelController } from './controller.js';
import { shownContract } from './addresses.js';

/** How long a channel's reads fail before the node raises WATCH_FAILING (ms; NodeTunables.watchAlarmMs). */
export const WATCH_ALARM_MS = 5 * 60_000;
/** How often the read at start is tried again after it failed (at most the alarm time). */
const START_READ_AGAIN_MS = 15_000;

/** Failures that do not mend by themselves: the alarm is raised at the first one. */
const AT_ONCE = new Set(['API_KEY_REJECTED']);
/** Failures of the endpoint itself: once the alarm says them, a channel's read that fails so says nothing more. */
const ENDPOINT = new Set(['API_KEY_REJECTED', 'ENDPOINT_UNREACHABLE']);

export class WatchHealth {
  /** channels whose reads fail, since when (performance.now()), and the last failure */
  private readonly failing = new Map<ChannelController, { since: number; last: string; atOnce: boolean }>();
  /** the alarm raised and not cleared yet */
  private raised = false;
  /** ends the read at start and its reads again */
  private readonly stopper = new AbortController();
  /** settles once the read at start has said what it found (an endpoint out of reach, a refused key) */
  private startSaid: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: NodeContext,
    private readonly alarmMs = WATCH_ALARM_MS,
  ) {}

  /** A poll of `ctl`'s contract failed. */
  failed(ctl: ChannelController, err: Error): void {
    const now = performance.now();
    const atOnce = AT_ONCE.has(codeOf(err));
    const f = this.failing.get(ctl);
    if (f) Object.assign(f, { last: err.message, atOnce });
    else this.failing.set(ctl, { since: now, last: err.message, atOnce });
    if (this.raised) return;
    const blind = [...this.failing].filter(([, x]) => x.atOnce || now - x.since >= this.alarmMs);
    if (!blind.length) return;
    this.raised = true;
    const [first, { since, last }] = blind[0]!;
    const which = blind.length === 1 ? `channel ${shownContract(first)}` : `${blind.length} channels (${shownContract(first)} and others)`;
    const minutes = Math.round((now - since) / 60_000);
    const unread = minutes ? `has not read ${which} from the chain for ${minutes} minute${minutes === 1 ? '' : 's'}` : `cannot read ${which} from the chain`;
    this.alarm(`the node ${unread} (${last})`);
  }

  /** The one error for channels left unwatched, and what to do. */
  private alarm(what: string): void {
    this.ctx.emit({
      type: 'error',
      code: 'WATCH_FAILING',
      level: 'error',
      message:
        `${what}: a close your partner starts now is neither seen nor challenged until it can. ` +
        'Check the network and the chain endpoint (its URL and API key); the node keeps trying and says when it reads again',
    });
  }

  /**
   * The read of the chain's time as the node starts: its skew is kept, then `skewRead`. A failed read is tried again
   * every little while until it reads. On devnet or testnet, a refused key or an endpoint out of reach is also said
   * at once: as WATCH_FAILING when channels are `watched`, else with its own code (deposits, payouts and balances
   * fail until it mends), with an all-clear once it reads (unless a channel still fails). A rate limit is not said.
   */
  async checkAtStart(watched: () => number, skewRead: () => void = () => undefined): Promise<void> {
    const chain = this.ctx.o.chain;
    const signal = this.stopper.signal;
    // the chain's clock against ours: what the views estimate (a deposit that may still land) starts from it
    const read = () => chainNowRead(this.ctx, { background: true, signal }).then(skewRead);
    let said: 'channels' | 'chain' | null = null;
    let told: () => void = () => undefined;
    this.startSaid = new Promise((r) => (told = r));
    try {
      await read();
      return;
    } catch (e) {
      if (signal.aborted) return;
      const code = codeOf(e);
      const n = watched();
      if (chain.kind !== 'sandbox' && (code === 'API_KEY_REJECTED' || code === 'ENDPOINT_UNREACHABLE') && !(n && this.raised)) {
        said = n ? 'channels' : 'chain';
        if (n) this.alarm(`the node cannot read its ${n === 1 ? 'channel' : `${n} channels`} from the chain (${messageOf(e)})`);
        else this.ctx.emit({ type: 'error', code, level: code === 'API_KEY_REJECTED' ? 'error' : 'warning', message: `the node cannot read the chain (${messageOf(e)}): balances, deposits and closes fail until it can` });
        if (n) this.raised = true;
      }
    } finally {
      told();
    }
    await this.readUntilItCan(read, said, signal);
  }

  /** After a failed read at start: reads again until it can; then the all-clear for what was said. */
  private async readUntilItCan(read: () => Promise<unknown>, said: 'channels' | 'chain' | null, signal: AbortSignal): Promise<void> {
    const again = Math.min(START_READ_AGAIN_MS, this.alarmMs);
    for (;;) {
      await delay(again, undefined, { signal, ref: false }).catch(() => undefined);
      if (signal.aborted) return;
      if (!(await read().then(() => true, () => false))) continue;
      if (signal.aborted) return;
      // a channel's alarm raised since is cleared by the channels' own reads (ok), not by this one
      if (said === 'chain' && !this.raised) this.readAgain('the node reads the chain again');
      // the channels' own reads may have given the all-clear already
      else if (said === 'channels' && this.raised && !this.failing.size) {
        this.raised = false;
        this.readAgain('the node reads the chain again: its channels are watched (a close by a partner is seen and challenged)');
      }
      return;
    }
  }

  /** Settles once the read at start has said what it found (at once when it read the chain). */
  startRead(): Promise<void> {
    return this.startSaid;
  }

  /**
   * Whether a channel's failed read is told by the alarm already (WATCH_FAILING): the endpoint out of reach or
   * refusing the key, said once for every channel with what to do, not once more per channel. Waits for the read at
   * start to have said it (the channels' first reads fail alongside it).
   */
  async covers(err: unknown): Promise<boolean> {
    if (!ENDPOINT.has(codeOf(err))) return false;
    await this.startSaid;
    return this.raised;
  }

  /** A poll of `ctl`'s contract read as expected (after failures): the all-clear once no channel's reads fail. */
  ok(ctl: ChannelController): void {
    if (!this.failing.delete(ctl) || !this.raised || this.failing.size) return;
    this.raised = false;
    this.readAgain('the node reads its channels from the chain again: they are watched (a close by a partner is seen and challenged)');
  }

  /** The all-clear of what was said (CHAIN_READ_AGAIN: a run's end status goes by it, src/cli/main.ts). */
  private readAgain(message: string): void {
    this.ctx.emit({ type: 'log', level: 'warn', code: 'CHAIN_READ_AGAIN', message });
  }

  stop(): void {
    this.stopper.abort();
  }

  /** `ctl` is not watched any more (it ended, or the node stops): no all-clear, since nothing was read. */
  forget(ctl: ChannelController): void {
    if (this.failing.delete(ctl) && !this.failing.size) this.raised = false;
  }
}
