// Channels the node cannot read from the chain: a wrong or revoked API key, an endpoint that is down, no network.
// Each failed poll is a log line; once a channel has been unread for WATCH_ALARM_MS the node raises one error
// (WATCH_FAILING) for all of them, because a close the partner starts meanwhile is neither seen nor challenged.
// When every such channel reads again, it says so. Times are monotonic: a local clock step neither raises nor
// hides the alarm.
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { shownContract } from './addresses.js';

/** How long a channel's reads fail before the node raises WATCH_FAILING (ms; NodeTunables.watchAlarmMs). */
export const WATCH_ALARM_MS = 5 * 60_000;

export class WatchHealth {
  /** channels whose reads fail, since when (performance.now()), and the last failure */
  private readonly failing = new Map<ChannelController, { since: number; last: string }>();
  /** the alarm raised and not cleared yet */
  private raised = false;

  constructor(
    private readonly ctx: NodeContext,
    private readonly alarmMs = WATCH_ALARM_MS,
  ) {}

  /** A poll of `ctl`'s contract failed. */
  failed(ctl: ChannelController, err: Error): void {
    const now = performance.now();
    const f = this.failing.get(ctl);
    if (f) f.last = err.message;
    else this.failing.set(ctl, { since: now, last: err.message });
    if (this.raised) return;
    const blind = [...this.failing].filter(([, x]) => now - x.since >= this.alarmMs);
    if (!blind.length) return;
    this.raised = true;
    const [first, { since, last }] = blind[0]!;
    const which = blind.length === 1 ? `channel ${shownContract(first)}` : `${blind.length} channels (${shownContract(first)} and others)`;
    const minutes = Math.max(1, Math.round((now - since) / 60_000));
    this.ctx.emit({
      type: 'error',
      code: 'WATCH_FAILING',
      level: 'error',
      message:
        `the node has not read ${which} from the chain for ${minutes} minute${minutes === 1 ? '' : 's'} (${last}): a close your partner starts now ` +
        `is neither seen nor challenged until it can. Check the network and the chain endpoint (its URL and API key); the node keeps trying and says when it reads again`,
    });
  }

  /** A poll of `ctl`'s contract read as expected (after failures): the all-clear once no channel's reads fail. */
  ok(ctl: ChannelController): void {
    if (!this.failing.delete(ctl) || !this.raised || this.failing.size) return;
    this.raised = false;
    this.ctx.log('the node reads its channels from the chain again: they are watched (a close by a partner is seen and challenged)', 'warn');
  }

  /** `ctl` is not watched any more (it ended, or the node stops): no all-clear, since nothing was read. */
  forget(ctl: ChannelController): void {
    if (this.failing.delete(ctl) && !this.failing.size) this.raised = false;
  }
}
