// A partner's session wired to the node: its messages go to the handlers one at a time (per session), and its
// connects and disconnects reach the views, the sync and the payments waiting for the partner.
import type { AppMessage } from '../core/wire.js';
import type { PeerSession } from '../p2p/index.js';
import type { NodeContext } from './context.js';
import { dispatch, type HandlerTable } from './handlers.js';
import type { Payments } from './payments.js';
import { channelsWith } from './channelmap.js';
import { announced } from './reports.js';
import type { Sessions } from './sessions.js';
import type { Sync } from './sync.js';
import { rawTextOf } from './addresses.js';

export interface AttachParts {
  ctx: NodeContext;
  table: HandlerTable;
  sessions: Sessions;
  sync: Sync;
  payments: Payments;
  stopped: () => boolean;
}

/** Wires each session once; a session's messages run in the order they came. */
export class SessionWiring {
  private readonly attached = new WeakSet<PeerSession>();

  constructor(private readonly p: AttachParts) {}

  attach(s: PeerSession): void {
    if (this.attached.has(s)) return;
    this.attached.add(s);
    const { ctx, sessions, sync, payments, stopped } = this.p;
    let q: Promise<unknown> = Promise.resolve();
    const queue = {
      run: <T>(fn: () => Promise<T>) => {
        const next = q.then(fn, fn);
        q = next.catch(() => undefined);
        return next;
      },
    };
    // Once the session is resumed (its 'connected' event says it otherwise): an earlier event came before the
    // partner counted as online, and a second one followed.
    // Strangers' connections are told within their own share and a global cap (reports.ts): a new wallet costs nothing.
    if (s.connected && announced(ctx, s, 'connected')) ctx.emit({ type: 'partnerConnected', partner: sessions.view(s, true) });
    // Once the node stops, what arrives is left to the next start: the partner resends it then (resync), and the
    // channel's journal may already be closed.
    s.on('message', (m: AppMessage) => void (stopped() || dispatch(this.p.table, ctx, s, m, queue)));
    s.on('connected', () => {
      if (stopped()) return;
      if (announced(ctx, s, 'connected')) ctx.emit({ type: 'partnerConnected', partner: sessions.view(s, true) });
      sync.onConnected(s);
      for (const ctl of channelsWith(ctx.channels, rawTextOf(s.partner.walletAddress))) ctx.changed(ctl);
    });
    s.on('disconnected', () => {
      if (announced(ctx, s, 'disconnected')) ctx.emit({ type: 'partnerDisconnected', partner: sessions.view(s, false) });
      // Views show the partner offline, and what waits for the partner stops waiting.
      for (const ctl of channelsWith(ctx.channels, rawTextOf(s.partner.walletAddress))) {
        payments.coalescer.partnerGone(ctl);
        ctx.changed(ctl);
      }
    });
    sync.onConnected(s);
  }
}
