// Messages to partners: a channel's message leaves once what the channel appended before it is durable (write
// before send), on the partner's session, which resends it until acknowledged. Never waited for by the sender.
import { messageOf } from '../core/errors.js';
import type { AppMessage } from '../core/wire.js';
import type { PeerSession } from '../p2p/index.js';
import { askedByUser } from './asked.js';
import type { ChannelController } from './controller.js';
import { partnerAddressOf } from './record.js';
import { messageWords } from './views.js';

/** A session whose outbox is full logs that once per this long (each refused send used to log a line). */
const FULL_LOG_MS = 10_000;

export class Outbound {
  /** per session: when a refused send was last logged, and how many were refused since */
  private readonly full = new WeakMap<PeerSession, { at: number; since: number }>();
  /** channels whose partner was offline for a message the node sent by itself: said once until they are back */
  private readonly quiet = new WeakSet<ChannelController>();

  constructor(
    private readonly session: (wallet: string) => PeerSession | null,
    private readonly log: (message: string, level: 'info' | 'warn' | 'error') => void,
    /** whether the node is stopping: its sessions close, and what they held is resent at the next start */
    private readonly stopping: () => boolean,
    /** tells that a channel's message does not reach the partner now (PARTNER_OFFLINE) */
    private readonly offline: (ctl: ChannelController, message: string) => void,
  ) {}

  /**
   * Sends once the channel's appends are durable. Resolves true once the partner acknowledged it, false if it was
   * not sent or will not be delivered (partner offline, session closed, outbox full, journal failed); never rejects.
   * A partner not connected then is told (PARTNER_OFFLINE) before the command that sent it returns (its durable
   * write is awaited already).
   */
  sendAcked(ctl: ChannelController, msg: AppMessage, byUser = askedByUser()): Promise<boolean> {
    // The partner knows this node by the wallet the channel was opened with, not the one it runs now.
    if (ctl.otherWallet) return Promise.resolve(false);
    return ctl.durable.then(
      () => {
        const s = this.session(partnerAddressOf(ctl.rec));
        // Not connected: a session's outbox resends it as it resumes; with none, the resync at their connection does.
        if (s?.connected) this.quiet.delete(ctl);
        else if (!this.stopping()) this.tellOffline(ctl, `partner offline: ${messageWords(msg.type)} reaches them when they reconnect`, byUser);
        return s ? this.sendOn(s, msg) : false;
      },
      (e: unknown) => {
        this.log(`${messageWords(msg.type)} was not sent: the channel's journal could not be written (${messageOf(e)})`, 'error');
        return false;
      },
    );
  }

  /**
   * A user's command whose message waits for the partner is told (PARTNER_OFFLINE); what the node sends by itself
   * (a countersignature, a pass, a resync) is one info line a channel until the partner is back.
   */
  private tellOffline(ctl: ChannelController, message: string, byUser: boolean): void {
    if (byUser) return this.offline(ctl, message);
    if (this.quiet.has(ctl)) return;
    this.quiet.add(ctl);
    this.log(message, 'info');
  }

  /** Queued and resent by the session until acknowledged: true once acknowledged, false if it will not be. */
  sendOn(s: PeerSession, msg: AppMessage): Promise<boolean> {
    return s.send(msg).then(
      () => true,
      (e: Error & { code?: string }) => {
        if (e.code === 'OUTBOX_FULL') this.refusedFull(s, msg, e);
        else if (!this.stopping()) this.log(`could not deliver ${messageWords(msg.type)}: ${e.message}`, 'warn');
        return false;
      },
    );
  }

  private refusedFull(s: PeerSession, msg: AppMessage, e: Error): void {
    const now = Date.now();
    const f = this.full.get(s);
    if (f && now - f.at < FULL_LOG_MS) {
      f.since++;
      return;
    }
    const more = f?.since ? ` (and ${f.since} more since the last report)` : '';
    this.full.set(s, { at: now, since: 0 });
    this.log(`could not deliver ${messageWords(msg.type)}${more}: ${e.message}`, 'warn');
  }
}
