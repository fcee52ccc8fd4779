// The first read of each watched channel after it is loaded (a start, a retry, an import): retried until it tells
// what the chain holds, since the watch reports only changes after its own first read (a close made while the node
// was off is known from this read alone). The node's end of piped input waits for these reads.
import { messageOf } from '../core/errors.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { RETRY_MAX_MS, RETRY_MIN_MS, sleep } from './policy.js';
import { shownContract as shown } from './addresses.js';
import { WatchWarning } from './watchwarn.js';

/** Whether the channel's contract was deployed by now, as its phase says. */
function deployed(ctl: ChannelController): boolean {
  return !['proposed', 'accepted', 'deploying'].includes(ctl.life);
}

export interface CatchUpParts {
  ctx: NodeContext;
  stopped: () => boolean;
  watching: (ctl: ChannelController) => boolean;
  /** a deep background read of the chain: its status ("behind", "not_deployed", …) */
  sync: (ctl: ChannelController) => Promise<string>;
  /** whether a failed read is told already, for every channel (the endpoint out of reach: WATCH_FAILING) */
  covered: (err: unknown) => Promise<boolean>;
}

export class CatchUps {
  /** per channel: settles once its catch-up read was tried */
  private readonly tried = new Map<ChannelController, Promise<void>>();
  /** the channels whose catch-up read told what the chain holds */
  private readonly told = new Set<ChannelController>();

  constructor(private readonly p: CatchUpParts) {}

  /** Starts a channel's catch-up read (it yields to operations on a rate-limited endpoint). */
  start(ctl: ChannelController): void {
    let firstDone: () => void = () => undefined;
    this.tried.set(ctl, new Promise<void>((r) => (firstDone = r)));
    void this.catchUp(ctl, firstDone);
  }

  forget(ctl: ChannelController): void {
    this.tried.delete(ctl);
    this.told.delete(ctl);
  }

  /** Settles once every watched channel's first catch-up read has been tried (what the chain showed is known). */
  allTried(): Promise<void> {
    return Promise.all(this.tried.values()).then(() => undefined);
  }

  /** The watched channels whose first catch-up read has not succeeded yet (still waiting, or failed and retried). */
  notReadYet(): ChannelController[] {
    return [...this.tried.keys()].filter((c) => !this.told.has(c));
  }

  private async catchUp(ctl: ChannelController, firstDone: () => void): Promise<void> {
    const { stopped, watching } = this.p;
    // The same failure again within a minute is counted, not logged at each retry (an endpoint out of reach).
    const warning = new WatchWarning(this.p.ctx);
    try {
      for (let delay = RETRY_MIN_MS; !stopped() && watching(ctl); delay = Math.min(delay * 2, RETRY_MAX_MS)) {
        let again = false;
        try {
          const read = await this.p.sync(ctl);
          again = read === 'again';
          if (read !== 'behind' && read !== 'again' && (read !== 'not_deployed' || !deployed(ctl))) return void this.told.add(ctl);
          // "again": a refund, or a lagging read (arbiter.sync): the next read says, nothing to warn of yet
          const why = read === 'behind' ? 'it was before (a lagging endpoint?)' : 'not deployed: a lagging endpoint, or another chain than the one the channel was opened on (--chain, --devnet-url)?';
          if (read !== 'again') warning.warn(`reading ${shown(ctl)}: the contract reads as ${why}; reading again until it answers`);
        } catch (e) {
          if (stopped()) return;
          if (!(await this.p.covered(e))) warning.warn(`reading ${shown(ctl)}: ${messageOf(e)}; reading again until it answers`);
        }
        // the first try ends with the read that confirms what an "again" showed (a refund: told before piped input ends)
        if (!again || delay > RETRY_MIN_MS) firstDone();
        await sleep(delay);
      }
    } finally {
      firstDone();
    }
  }
}
