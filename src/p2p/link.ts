// One `/synchannel/1.0.0` stream: framing, validation, rate limit, and the address-proof handshake's order (its
// messages and checks: handshake.ts). After the handshake the link hands session frames to its PeerSession (session.ts).
import { randomBytes } from 'node:crypto';
import type { Connection, Stream } from '@libp2p/interface';
import { decodeWireMessage, encodeWireMessage, WireError, type Hello, type WireMessage } from '../core/wire.js';
import { encodeFrame, FrameDecoder, FrameWriter, MAX_FRAME_BYTES, type FrameEvent } from './frames.js';
import { helloOf, helloRefusal, proofFor, provenPartner } from './handshake.js';
import { P2PError } from './errors.js';
import type { PeerQuota } from './quota.js';
import type { LinkOptions, PartnerInfo, SessionFrame } from './linktypes.js';

export type { RateLimit } from './quota.js';
export { newStats, type P2PStats } from './stats.js';

export type { LinkOptions, LocalIdentity, PartnerInfo, VerifyWalletOwnership } from './linktypes.js';

/** Bytes queued for one stream's partner before the stream is reset (a peer that does not read). */
export const MAX_WRITE_BUFFER = 1024 * 1024;
/** How long a closed stream waits for the partner to close its side before it is reset. */
const CLOSE_GRACE_MS = 2_000;

export class Link {
  readonly partnerPeerId: string;
  readonly direction: 'inbound' | 'outbound';
  /** Resolves with the partner once both proofs are checked; rejects with a P2PError. */
  readonly handshake: Promise<PartnerInfo>;
  private onSessionFrame?: (msg: SessionFrame) => void;
  onClose?: (reason: string) => void;
  /** Called when queued bytes left for the partner (a write, or the stream drained): room for more. */
  onWritable?: () => void;
  /** What the partner told us it sees as our address (set on inbound links: the address it dialed). */
  observedByPartner?: string;

  private readonly decoder = new FrameDecoder(MAX_FRAME_BYTES);
  private quota: PeerQuota;
  private readonly nonce = randomBytes(32);
  private partnerHello?: Hello;
  private authenticated = false;
  private closed = false;
  private invalid = 0;
  private lastRateLimitReply = 0;
  /** Decoded frames not handled yet (the rest of a chunk that arrived while paused): at most one chunk's. */
  private held: FrameEvent[] = [];
  /** Frames queued in one run of code, written together as it ends (sendFrame). */
  private readonly writer = new FrameWriter(
    (bytes) => this.stream.send(bytes),
    (e) => this.close(`write failed: ${e.message}`),
    () => this.onWritable?.(),
  );
  private heldAt = 0;
  /** Why reading is paused: 'session' (no session took the link yet), 'quota', 'inbox'. */
  private readonly pauses = new Set<string>();
  private quotaTimer?: ReturnType<typeof setTimeout>;
  private remoteEnded = false;
  private resolveHandshake!: (p: PartnerInfo) => void;
  private rejectHandshake!: (e: P2PError) => void;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(
    readonly stream: Stream,
    readonly connection: Connection,
    private readonly opts: LinkOptions,
  ) {
    this.partnerPeerId = connection.remotePeer.toString();
    this.direction = stream.direction;
    this.quota = opts.quota;
    this.handshake = new Promise<PartnerInfo>((resolve, reject) => {
      this.resolveHandshake = resolve;
      this.rejectHandshake = reject;
    });
    this.handshake.catch(() => undefined); // observed by whoever awaits it; never unhandled
    stream.maxWriteBufferLength = MAX_WRITE_BUFFER;
    this.timer = setTimeout(() => {
      if (!this.authenticated) this.fail(new P2PError('HANDSHAKE_TIMEOUT', `peer ${this.partnerPeerId} did not finish the handshake within ${opts.handshakeTimeoutMs} ms; check that it runs SynChannel`));
    }, opts.handshakeTimeoutMs);
    stream.addEventListener('message', (evt) => {
      const data = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray();
      try {
        this.onBytes(data);
      } catch (e) {
        // a bug here must cost this stream, never the process (a listener's throw is an uncaught exception)
        opts.log(`dropping a stream from ${this.partnerPeerId} after an internal error: ${(e as Error).stack ?? String(e)}`);
        this.abort('internal error');
      }
    });
    // After the stream's own drain handler (added first) has written what waited.
    stream.addEventListener('drain', () => queueMicrotask(() => this.onWritable?.()));
    stream.addEventListener('close', (evt) => this.onStreamClosed(evt.error ? evt.error.message : 'stream closed'));
    // 'end': the partner closed its side and everything it sent before was read (held frames still count).
    stream.addEventListener('end', () => {
      this.remoteEnded = true;
      this.finishIfEnded();
    });
    this.send(helloOf(opts.local, this.nonce, connection.remoteAddr.toString()));
  }

  /** Called by the session that takes this link after the handshake; reading resumes with what was held. */
  setSessionHandler(handler: (msg: SessionFrame) => void): void {
    this.onSessionFrame = handler;
    this.resume('session');
  }

  /** Stops handing frames on (and, through the muxer's window, the partner's sending) until resume(reason). */
  pause(reason: string): void {
    if (this.closed || this.pauses.has(reason)) return;
    this.pauses.add(reason);
    if (this.pauses.size > 1) return;
    try {
      this.stream.pause();
    } catch {
      // closing: nothing more to read anyway
    }
  }

  resume(reason: string): void {
    if (!this.pauses.delete(reason) || this.pauses.size > 0 || this.closed) return;
    this.drain();
    if (this.pauses.size > 0 || this.closed) return;
    try {
      this.stream.resume();
    } catch {
      // closing
    }
  }

  get paused(): boolean {
    return this.pauses.size > 0;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  send(msg: WireMessage): void {
    if (this.closed) return;
    let frame: Buffer;
    try {
      frame = encodeFrame(encodeWireMessage(msg));
    } catch (e) {
      this.opts.log(`not sending an invalid ${msg.type}: ${(e as Error).message}`);
      return;
    }
    this.sendFrame(frame);
  }

  /** Bytes queued for the partner and not yet taken by the muxer (its window is full, or this turn's writes). */
  get backlog(): number {
    return this.writer.queuedBytes + this.stream.writeBufferLength;
  }

  /** Queues a frame already encoded (and checked) by the caller; the frames of one run of code leave in one write. */
  sendFrame(frame: Buffer): void {
    if (this.closed) return;
    this.opts.stats.framesOut++;
    this.writer.push(frame);
  }

  sendError(code: string, message: string, ref?: string): void {
    this.opts.stats.errorsSent++;
    this.send(ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref: ref.slice(0, 128) });
  }

  /** Closes gracefully: queued writes (e.g. an error reply) are flushed, then the stream is half-closed; it is
   * reset if the partner has not closed its side within the grace period. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.quotaTimer);
    this.writer.flushNow();
    const reset = setTimeout(() => this.stream.abort(new Error(reason)), CLOSE_GRACE_MS);
    reset.unref?.();
    this.stream.addEventListener('close', () => clearTimeout(reset), { once: true });
    this.stream.close().catch(() => this.stream.abort(new Error(reason)));
    if (!this.authenticated) this.rejectHandshake(new P2PError('HANDSHAKE_FAILED', `handshake with ${this.partnerPeerId} ended: ${reason}`));
    this.onClose?.(reason);
  }

  /** Drops the stream at once (a reset). */
  abort(reason: string): void {
    if (this.closed) return;
    this.writer.discard();
    this.stream.abort(new Error(reason));
    this.close(reason);
  }

  private onStreamClosed(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.quotaTimer);
    if (!this.authenticated) this.rejectHandshake(new P2PError('HANDSHAKE_FAILED', `peer ${this.partnerPeerId} closed the stream during the handshake (${reason}); check that it runs SynChannel and try again`));
    this.onClose?.(reason);
  }

  private fail(err: P2PError, replyCode?: string): void {
    if (this.closed) return;
    this.opts.stats.handshakesFailed++;
    this.opts.log(`handshake with ${this.partnerPeerId} failed: ${err.message}`);
    if (replyCode) this.sendError(replyCode, err.message);
    this.rejectHandshake(err);
    this.close(err.message);
  }

  private onBytes(data: Uint8Array): void {
    if (this.closed) return;
    this.opts.stats.bytesIn += data.byteLength;
    let owed = this.quota.bytes.charge(data.byteLength);
    if (owed > 0 && this.upgraded()) owed = this.quota.bytes.charge(data.byteLength);
    const events = this.decoder.push(data);
    if (this.heldAt < this.held.length) {
      for (const ev of events) this.held.push(ev); // no spread: a chunk may hold more frames than call arguments
    } else {
      this.held = events;
      this.heldAt = 0;
    }
    this.drain();
    if (owed > 0) this.pauseFor(owed);
  }

  /** Over its quota: an authenticated partner moves to the partners' larger quota (once). */
  private upgraded(): boolean {
    const q = this.authenticated ? this.opts.partnerQuota?.() : null;
    if (!q || q === this.quota) return false;
    this.quota = q;
    return true;
  }

  /** Pauses reading for `ms` (a quota's debt), counted once per pause. */
  private pauseFor(ms: number): void {
    if (this.closed || this.pauses.has('quota')) return;
    this.opts.stats.quotaPauses++;
    this.pause('quota');
    this.quotaTimer = setTimeout(() => this.resume('quota'), ms);
  }

  /** Handles held frames until paused or closed. */
  private drain(): void {
    while (this.heldAt < this.held.length && this.pauses.size === 0 && !this.closed) {
      const ev = this.held[this.heldAt]!;
      if (this.authenticated) {
        // A partner over the frame rate is slowed (read later), never dropped: a dropped session frame
        // would only be resent after a reconnect, and with nothing after it nobody notices the gap.
        let wait = this.quota.frames.takeOrWait();
        if (wait > 0 && this.upgraded()) wait = this.quota.frames.takeOrWait();
        if (wait > 0) {
          this.pauseFor(wait);
          break;
        }
      } else if (!this.quota.frames.take()) {
        this.heldAt++;
        this.rateLimited();
        continue;
      }
      this.heldAt++;
      this.onFrame(ev);
    }
    if (this.heldAt >= this.held.length) {
      this.held = [];
      this.heldAt = 0;
      this.finishIfEnded();
    }
  }

  private finishIfEnded(): void {
    if (this.remoteEnded && this.heldAt >= this.held.length) this.close('partner closed the stream');
  }

  /** Before the handshake, frames over the rate are dropped and answered (at most once a second). */
  private rateLimited(): void {
    this.opts.stats.rateLimited++;
    const now = Date.now();
    if (now - this.lastRateLimitReply > 1000) {
      this.lastRateLimitReply = now;
      this.sendError('RATE_LIMITED', 'too many frames before the handshake: slow down');
    }
  }

  private onFrame(ev: FrameEvent): void {
    if (ev.kind === 'oversized') {
      this.opts.stats.oversizedFrames++;
      this.sendError('FRAME_TOO_LARGE', `frame of ${ev.length} bytes exceeds ${MAX_FRAME_BYTES}; it was skipped`);
      this.countInvalid();
      return;
    }
    this.opts.stats.framesIn++;
    let msg: WireMessage;
    try {
      msg = decodeWireMessage(ev.data);
    } catch (e) {
      const err = e as WireError;
      if (err.code === 'WIRE_UNKNOWN_TYPE') this.opts.stats.unknownFrames++;
      else this.opts.stats.invalidFrames++;
      this.sendError(err.code ?? 'WIRE_INVALID', err.message, err.unreadable?.ref);
      // A newer peer's message in a sound envelope: the session passes over it (acknowledged, never resent).
      if (err.unreadable && this.authenticated) this.onSessionFrame?.({ type: 'session.unreadable', seq: err.unreadable.seq });
      this.countInvalid();
      return;
    }
    this.onMessage(msg);
  }

  private countInvalid(): void {
    if (++this.invalid > this.opts.maxInvalidFrames) {
      this.opts.log(`dropping stream from ${this.partnerPeerId}: more than ${this.opts.maxInvalidFrames} invalid frames`);
      this.abort('too many invalid frames');
    }
  }

  /** A frame out of place, answered and counted against the stream's invalid frames (the session's too). */
  unexpected(msg: { readonly type: string }, why: string): void {
    this.opts.stats.unexpectedFrames++;
    this.sendError('UNEXPECTED_MESSAGE', `'${msg.type}' ${why}`, msg.type);
    this.countInvalid();
  }

  private onMessage(msg: WireMessage): void {
    if (this.authenticated) {
      if (msg.type === 'hello' || msg.type === 'proof') return this.unexpected(msg, 'after the handshake is complete');
      if (msg.type === 'error') this.opts.stats.errorsReceived++;
      this.onSessionFrame?.(msg); // set before reading resumes after the handshake (see onProof)
      return;
    }
    switch (msg.type) {
      case 'hello':
        return this.onHello(msg);
      case 'proof':
        return this.onProof(msg.signature);
      case 'error':
        this.opts.stats.errorsReceived++;
        return this.fail(new P2PError('HANDSHAKE_REJECTED', `peer ${this.partnerPeerId} rejected the handshake: ${msg.code}: ${msg.message}`));
      default:
        return this.unexpected(msg, 'before the handshake: send hello and proof first');
    }
  }

  private onHello(hello: Hello): void {
    if (this.partnerHello) return this.unexpected(hello, 'twice');
    const refused = helloRefusal(hello, this.partnerPeerId, this.opts.verifyWalletOwnership);
    if (refused) return this.fail(refused.error, refused.reply);
    this.partnerHello = hello;
    if (this.direction === 'inbound' && hello.observed) this.observedByPartner = hello.observed;
    this.send({ type: 'proof', signature: proofFor(hello, this.opts.local, this.partnerPeerId) });
  }

  private onProof(signatureHex: string): void {
    const hello = this.partnerHello;
    if (!hello) return this.unexpected({ type: 'proof' }, 'before hello');
    const proven = provenPartner(hello, signatureHex, this.partnerPeerId, this.opts.local, this.nonce);
    if ('error' in proven) return this.fail(proven.error, proven.reply);
    this.authenticated = true;
    clearTimeout(this.timer);
    this.opts.stats.handshakesOk++;
    // Frames after the proof wait (held, stream paused) until a session takes the link.
    this.pause('session');
    this.resolveHandshake(proven);
  }
}
