// One logical session per partner that survives stream and connection resets.
//
// Each side numbers the messages it sends (seq 1, 2, …) within its session incarnation (a random id made
// when the session object is created). The receiver delivers seq = received + 1 only, ignores what it
// already has, and acknowledges cumulatively. On every (re)connection both sides send `session.resume`
// (my incarnation, yours as I know it, what I received of yours, my lowest unacknowledged seq); each then
// drops what the other acknowledged and resends the rest in order. So nothing is lost, duplicated or
// reordered for the application while both processes live. If the partner process restarted (a new
// incarnation), its counters start over; what the old incarnation acknowledged is the node layer's to resync.
//
// The contract with the application (the node):
// - Every event is emitted synchronously from the frame that caused it; the session never waits for a
//   listener. A listener that returns a promise is not awaited: the next message is emitted as soon as it
//   arrives. An application that must handle messages one at a time queues them itself (and bounds that
//   queue: the session's flow control stops at the listener).
// - A listener that throws, or whose promise rejects, is logged; the session and its stream carry on.
// - Until a 'message' listener is attached, messages wait in a bounded inbox; when it is full the stream
//   is paused (the partner's sends wait in its outbox) until a listener drains it.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Multiaddr } from '@multiformats/multiaddr';
import { encodeWireMessage, WireError, type AppMessage, type WireErrorMessage } from '../core/wire.js';
import { addressText } from '../core/format.js';
import { encodeFrame } from './frames.js';
import { P2PError } from './errors.js';
import { emitSafely } from './emit.js';
import type { Link, P2PStats, PartnerInfo } from './link.js';
import type { SessionFrame } from './linktypes.js';

export interface PeerSessionEvents {
  /** An application message from the partner, exactly once and in order. */
  message: [msg: AppMessage];
  connected: [];
  disconnected: [reason: string];
  /** A transport-level complaint from the partner (a frame of ours it rejected). */
  'remote-error': [err: WireErrorMessage];
  /** The session ended for good (closed here, or dropped by the node, e.g. an idle peer without a channel). */
  closed: [reason: string];
}

interface Pending {
  seq: number;
  /** the session.data frame, encoded and checked once (resent as it is) */
  frame: Buffer;
  resolve: () => void;
  reject: (e: Error) => void;
}

export interface SessionHost {
  stats: P2PStats;
  log: (line: string) => void;
  /** Redials `addr`; resolves once a link authenticated as this session's partner is attached. */
  redial(session: PeerSession, addr: Multiaddr): Promise<void>;
  forget(session: PeerSession): void;
}

export const MAX_OUTBOX = 10_000;
/** Bytes of unacknowledged frames a session holds: a partner that never acknowledges costs at most this. */
export const MAX_OUTBOX_BYTES = 16 * 1024 * 1024;
/**
 * Unacknowledged frames go to the stream while less than this waits in it: a large outbox (after a reconnect)
 * follows the partner's reading instead of overflowing the stream's write buffer (link.ts MAX_WRITE_BUFFER).
 */
const SEND_AHEAD_BYTES = 256 * 1024;
/** Messages kept for an application that has no 'message' listener yet; then the stream is paused. */
export const MAX_INBOX = 1_000;
/** Acknowledgements wait this long, or this many messages, for data of ours to ride with (fewer frames). */
const ACK_DELAY_MS = 5;
const ACK_EVERY = 32;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;

export class PeerSession extends EventEmitter<PeerSessionEvents> {
  /** This side's incarnation id (hex). */
  readonly id = randomBytes(16).toString('hex');
  partner: PartnerInfo;
  /** Set when this side dialed: it redials here after a reset. */
  dialAddr?: Multiaddr;
  /** The partner's host (IPv4 address or IPv6 /64) as its latest connection came from. */
  remoteHost?: string;

  private link?: Link;
  private resumed = false;
  private closed = false;
  private partnerSession = '';
  private received = 0;
  private nextSeq = 1;
  private readonly outbox: Pending[] = [];
  private outboxBytes = 0;
  /** how many of the outbox's first messages went to the current stream */
  private sent = 0;
  private readonly inbox: AppMessage[] = [];
  private ackTimer?: ReturnType<typeof setTimeout>;
  /** the highest seq acknowledged to the partner, and whether a duplicate asks for an acknowledgement again */
  private acked = 0;
  private ackOwed = false;
  private redialTimer?: ReturnType<typeof setTimeout>;
  private backoff = BACKOFF_MIN_MS;
  private lastActive = Date.now();
  private closeWhy?: string;

  /** the partner's wallet as every view names it (0Q…) */
  private get who(): string {
    return addressText(this.partner.walletAddress, 'wallet');
  }

  constructor(
    partner: PartnerInfo,
    private readonly host: SessionHost,
  ) {
    super();
    this.partner = partner;
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event === 'message' && this.inbox.length) queueMicrotask(() => this.flushInbox());
    });
  }

  /** True while a live, resumed stream carries this session. */
  get connected(): boolean {
    return !!this.link && this.link.isOpen && this.resumed;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Messages sent but not yet acknowledged by the partner. */
  get pending(): number {
    return this.outbox.length;
  }

  /** Bytes of the frames sent but not yet acknowledged. */
  get pendingBytes(): number {
    return this.outboxBytes;
  }

  /** Messages received but not emitted yet (no 'message' listener). */
  get inboxLength(): number {
    return this.inbox.length;
  }

  /** When an application message last went either way (ms since the epoch; creation counts). */
  get lastActivity(): number {
    return this.lastActive;
  }

  /** Messages sent and not acknowledged yet. */
  get unacknowledged(): number {
    return this.outbox.length;
  }

  /** Why the session ended (undefined while it lives). */
  get closeReason(): string | undefined {
    return this.closeWhy;
  }

  /** Emits `event` to each listener in turn; one that throws or rejects is logged (emit.ts). */
  override emit<K extends keyof PeerSessionEvents>(event: K, ...args: PeerSessionEvents[K]): boolean {
    return emitSafely(this as EventEmitter, event, args, (line) => this.host.log(`session with ${this.who}: ${line}`));
  }

  /** Queues `msg`; resends it across reconnects until the partner acknowledges it. Resolves on the ack. */
  send(msg: AppMessage): Promise<void> {
    if (this.closed) return Promise.reject(new P2PError('SESSION_CLOSED', `the session with ${this.who} is closed; connect again`));
    if (this.outbox.length >= MAX_OUTBOX) {
      return Promise.reject(new P2PError('OUTBOX_FULL', `${MAX_OUTBOX} messages to ${this.who} are unacknowledged; wait for the partner to reconnect`));
    }
    let frame: Buffer;
    try {
      frame = encodeFrame(encodeWireMessage({ type: 'session.data', seq: this.nextSeq, msg }));
    } catch (e) {
      const why = e instanceof WireError ? e.message : String(e);
      return Promise.reject(new P2PError('BAD_MESSAGE', `not sending an invalid message: ${why}`, { cause: e }));
    }
    if (this.outboxBytes + frame.length > MAX_OUTBOX_BYTES) {
      const mib = MAX_OUTBOX_BYTES / (1024 * 1024);
      return Promise.reject(new P2PError('OUTBOX_FULL', `${mib} MiB of messages to ${this.who} are unacknowledged; wait for the partner to reconnect`));
    }
    this.lastActive = Date.now();
    return new Promise<void>((resolve, reject) => {
      const p: Pending = { seq: this.nextSeq++, frame, resolve, reject };
      this.outbox.push(p);
      this.outboxBytes += frame.length;
      if (this.connected) {
        this.pump();
        if (this.ackTimer || this.ackOwed) this.sendAck(); // rides in the same write
      }
    });
  }

  /**
   * Ends the session for good: pending sends reject, no more redials. With `code`, the partner is told why
   * in an error frame (flushed before the stream closes).
   */
  close(reason = 'closed by this node', code?: string): void {
    if (this.closed) return;
    if (code && this.link?.isOpen) this.link.sendError(code, reason.slice(0, 1024));
    this.closed = true;
    this.closeWhy = reason;
    clearTimeout(this.redialTimer);
    clearTimeout(this.ackTimer);
    const err = new P2PError('SESSION_CLOSED', `the session with ${this.who} was closed before the partner acknowledged this message`);
    this.outboxBytes = 0;
    this.sent = 0;
    for (const p of this.outbox.splice(0)) p.reject(err);
    const link = this.link;
    this.link = undefined;
    link?.close(`session closed: ${reason}`);
    this.host.forget(this);
    this.emit('closed', reason);
  }

  /** Takes over an authenticated link (a newer one replaces an older one). */
  attach(link: Link, partner: PartnerInfo): void {
    if (this.closed) {
      link.close('session closed');
      return;
    }
    this.partner = partner;
    const old = this.link;
    this.link = link;
    this.resumed = false;
    this.sent = 0;
    clearTimeout(this.redialTimer);
    this.redialTimer = undefined;
    link.onClose = (reason) => this.detach(link, reason);
    link.onWritable = () => {
      if (this.link === link) this.pump();
    };
    if (old && old !== link) old.close('replaced by a newer connection');
    if (this.inbox.length >= MAX_INBOX) link.pause('inbox');
    // Our resume goes out before we handle anything of the partner's (its resume may be queued already,
    // and handling it resends our outbox, which must follow our resume on the wire).
    link.send({
      type: 'session.resume',
      session: this.id,
      peerSession: this.partnerSession,
      received: this.received,
      base: this.outbox[0]?.seq ?? this.nextSeq,
    });
    link.setSessionHandler((m) => this.onFrame(link, m));
  }

  private detach(link: Link, reason: string): void {
    if (this.link !== link) return;
    const wasResumed = this.resumed;
    this.link = undefined;
    this.resumed = false;
    this.sent = 0;
    if (this.closed) return;
    this.host.log(`session with ${this.who}: disconnected (${reason})`);
    if (wasResumed) this.emit('disconnected', reason);
    this.scheduleRedial();
  }

  private scheduleRedial(): void {
    if (this.closed || !this.dialAddr || this.redialTimer) return;
    const delay = this.backoff + Math.floor(Math.random() * this.backoff * 0.2);
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    this.redialTimer = setTimeout(() => {
      this.redialTimer = undefined;
      if (this.closed || this.link) return;
      const addr = this.dialAddr!;
      this.host.redial(this, addr).catch((e: unknown) => {
        this.host.log(`redial ${addr.toString()} failed: ${(e as Error).message}`);
        if (!this.link) this.scheduleRedial();
      });
    }, delay);
    this.redialTimer.unref?.();
  }

  private onFrame(link: Link, msg: SessionFrame): void {
    if (this.link !== link || this.closed) return;
    switch (msg.type) {
      case 'session.resume': {
        if (this.resumed) {
          // One per stream: each would resend the whole outbox (a peer could make the node send megabytes for
          // bytes). The stream ends; a reconnect resumes as usual.
          this.host.stats.unexpectedFrames++;
          link.sendError('UNEXPECTED_MESSAGE', 'session.resume on a stream already resumed; reconnect to resume again', 'session.resume');
          link.close('session.resume twice');
          return;
        }
        if (msg.session !== this.partnerSession) {
          // A new partner incarnation: its numbering starts at what it still holds.
          this.partnerSession = msg.session;
          this.received = Math.max(0, msg.base - 1);
        } else if (this.received < msg.base - 1) {
          this.received = msg.base - 1;
        }
        this.acknowledge(msg.peerSession === this.id ? msg.received : 0);
        this.resumed = true;
        this.backoff = BACKOFF_MIN_MS;
        this.acked = this.received; // our resume told the partner
        this.sent = 0;
        this.pump();
        this.emit('connected');
        return;
      }
      case 'session.data':
      case 'session.unreadable': {
        if (!this.resumed) {
          link.unexpected({ type: 'session.data' }, 'before session.resume');
          return;
        }
        if (msg.seq <= this.received) {
          this.host.stats.duplicatesDropped++;
          this.ackOwed = true; // the partner resent it: our acknowledgement may have been lost
          this.scheduleAck();
          return;
        }
        if (msg.seq !== this.received + 1) {
          // A gap (e.g. a frame dropped by the rate limit): end the stream so both sides resume. The error
          // is flushed before the stream closes (close, not abort: an abort discards unsent bytes).
          link.sendError('SEQ_GAP', `expected seq ${this.received + 1}, got ${msg.seq}; resuming`, 'session.data');
          link.close('sequence gap');
          return;
        }
        this.received = msg.seq;
        // a message this version cannot read was answered by the link: passed over, not delivered
        if (msg.type === 'session.data') this.deliver(msg.msg);
        this.scheduleAck();
        return;
      }
      case 'session.ack':
        this.acknowledge(msg.seq);
        return;
      case 'error':
        this.host.log(`partner ${this.who} reported ${msg.code}: ${msg.message}`);
        this.emit('remote-error', msg);
        return;
      default:
        link.unexpected(msg, 'must travel inside session.data');
    }
  }

  private acknowledge(upTo: number): void {
    while (this.outbox.length && this.outbox[0]!.seq <= upTo) {
      const p = this.outbox.shift()!;
      this.outboxBytes -= p.frame.length;
      if (this.sent > 0) this.sent--;
      p.resolve();
    }
  }

  /** Writes the outbox's unsent messages, in order, while the stream takes them (its backlog is small). */
  private pump(): void {
    const link = this.link;
    if (!link || !this.connected) return;
    while (this.sent < this.outbox.length && link.backlog < SEND_AHEAD_BYTES) link.sendFrame(this.outbox[this.sent++]!.frame);
  }

  /** Acknowledges soon: with our next data, after ACK_DELAY_MS, or at once when ACK_EVERY messages wait. */
  private scheduleAck(): void {
    if (this.received - this.acked >= ACK_EVERY) return this.sendAck();
    this.ackTimer ??= setTimeout(() => this.sendAck(), ACK_DELAY_MS);
  }

  private sendAck(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (!this.connected || (this.received <= this.acked && !this.ackOwed)) return;
    this.ackOwed = false;
    this.acked = this.received;
    this.link!.send({ type: 'session.ack', seq: this.received });
  }

  private deliver(msg: AppMessage): void {
    this.lastActive = Date.now();
    if (this.listenerCount('message') === 0 || this.inbox.length) {
      this.inbox.push(msg);
      if (this.inbox.length >= MAX_INBOX) this.link?.pause('inbox');
      return;
    }
    this.emit('message', msg);
  }

  private flushInbox(): void {
    while (this.inbox.length && this.listenerCount('message') > 0) this.emit('message', this.inbox.shift()!);
    if (this.inbox.length < MAX_INBOX) this.link?.resume('inbox');
  }
}
