// The arbiter's reads on demand: pokes coalesced per channel, and how a poke's failed read is told.
import { codeOf, messageOf } from '../core/errors.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { shownContract as shown } from './addresses.js';
import { StoreError } from './store/errors.js';

export interface PokeDeps {
  ctx: NodeContext;
  stopped: () => boolean;
  /** one read of the chain (the arbiter's sync) */
  sync: (ctl: ChannelController, background: boolean) => Promise<unknown>;
}

export class Pokes {
  private readonly poking = new Map<ChannelController, { again: boolean; background: boolean; done: Promise<void> }>();

  constructor(private readonly d: PokeDeps) {}

  /**
   * Reads the chain now (after our own transaction, or a partner's hint) instead of waiting for the next poll.
   * Coalesced: while a read is under way, any number of pokes cause one more read, not one each; that read is a
   * background one (see Chain's ReadOptions) only if every poke that asked for it was.
   */
  poke(ctl: ChannelController, o: { background?: boolean } = {}): Promise<void> {
    const background = o.background ?? false;
    const running = this.poking.get(ctl);
    if (running) {
      running.again = true;
      running.background &&= background;
      return running.done;
    }
    const entry = { again: false, background, done: Promise.resolve() };
    entry.done = (async () => {
      do {
        entry.again = false;
        const bg = entry.background;
        entry.background = true;
        // A read cut short by the node's stop is not news, nor one on a controller an import drops (the channel
        // loaded again reads the chain itself): nothing is there to run again.
        await this.d.sync(ctl, bg).catch((e) => this.d.stopped() || (ctl.reloading && codeOf(e) === 'CHANNEL_RELOADED') || this.readFailed(ctl, e));
      } while (entry.again && !this.d.stopped());
      this.poking.delete(ctl);
    })();
    this.poking.set(ctl, entry);
    return entry.done;
  }

  /**
   * A poke's read that failed: a record not saved (a full disk: what the read saw is on chain, not on disk) is the
   * store's error, told as the watch tells it; a failed chain read is a warning (the watch reads again).
   */
  private readFailed(ctl: ChannelController, e: unknown): void {
    if (e instanceof StoreError) return this.d.ctx.fail(e, ctl);
    this.d.ctx.log(`reading ${shown(ctl)}: ${messageOf(e)}`, 'warn');
  }
}
