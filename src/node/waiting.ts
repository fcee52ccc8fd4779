// A partner's messages waiting in one channel's queue: at most MAX_WAITING. An honest partner has a few in flight;
// one over the limit is refused (answered, not kept), so a flood cannot grow memory or the work left at stop. The
// session has acknowledged a refused message already, so its sender never sends it again: once the queue has
// drained, the node catches up as on a reconnect (sync.resync: the partner's answer brings the states both signed
// that we lack and resends its own proposal in flight), and takes the newest refused turn request and resync
// request (one of each kept per channel). A partner in a burst loses nothing; a flood costs one catch-up per drain.
import type { WireOf } from '../core/wire.js';
import type { NodeContext } from './context.js';
import type { ChannelController } from './controller.js';
import { NodeError, saidHere } from './errors.js';
import type { Sync } from './sync.js';
import type { Turns } from './turns.js';
import { shownContract as shown } from './addresses.js';

/** The most messages of a partner that wait in one channel's queue. */
export const MAX_WAITING = 64;

/** What a channel's refused messages leave to do once its queue drains. */
interface Owed {
  /** the newest step a refused turn request named */
  turn?: bigint;
  /** the newest refused resync request */
  request?: WireOf<'resync.request'>;
}

type Queued = WireOf<'state.propose' | 'close.propose' | 'state.countersign' | 'close.accept' | 'turn.request' | 'resync.request' | 'resync.response'>;

export class Waiting {
  /** per channel, the partner's messages waiting in its queue */
  private readonly queued = new WeakMap<ChannelController, number>();
  /** per channel, what refused messages left to do */
  private readonly owed = new WeakMap<ChannelController, Owed>();

  /** `parts` are read when a queue drains (the handler table is built before they are used). */
  constructor(
    private readonly ctx: NodeContext,
    private readonly parts: { sync: Pick<Sync, 'resync' | 'onRequest'>; payments: { turns: Pick<Turns, 'onTurnRequest'> } },
  ) {}

  /** Runs `fn` for the partner's message `m` in the queue of `ctl`, or refuses it (QUOTA_EXCEEDED) when it is full. */
  run(ctl: ChannelController, m: Queued, fn: () => Promise<void>): Promise<void> {
    const waiting = this.queued.get(ctl) ?? 0;
    if (waiting >= MAX_WAITING) {
      this.refused(ctl, m);
      const e = new NodeError('QUOTA_EXCEEDED', `too many of your messages wait for channel ${shown(ctl)}: this one is set aside, and this node asks yours for what it missed once they are answered (nothing to do)`);
      throw saidHere(e, `too many of their messages wait for channel ${shown(ctl)}: this one is set aside, and this node asks theirs for what it missed once they are answered (nothing to do)`);
    }
    this.queued.set(ctl, waiting + 1);
    return ctl.run(fn).finally(() => this.done(ctl));
  }

  private refused(ctl: ChannelController, m: Queued): void {
    const o = this.owed.get(ctl) ?? {};
    if (m.type === 'turn.request' && (o.turn === undefined || m.step > o.turn)) o.turn = m.step;
    if (m.type === 'resync.request') o.request = m;
    this.owed.set(ctl, o);
  }

  /** One message left the queue: the last one out catches up with what was refused. */
  private done(ctl: ChannelController): void {
    const left = (this.queued.get(ctl) ?? 1) - 1;
    this.queued.set(ctl, left);
    const o = this.owed.get(ctl);
    if (left > 0 || !o) return;
    this.owed.delete(ctl);
    if (ctl.ended) return;
    const { sync, payments } = this.parts;
    sync.resync(ctl);
    if (o.turn === undefined && !o.request) return;
    void ctl
      .run(async () => {
        if (o.turn !== undefined) await payments.turns.onTurnRequest(ctl, o.turn);
        if (o.request) await sync.onRequest(ctl, o.request);
      })
      .catch((e: Error) => this.ctx.log(`channel ${shown(ctl)}: a request of your partner's set aside in a burst: ${e.message}`, 'info'));
  }
}
