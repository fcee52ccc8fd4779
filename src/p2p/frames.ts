// Length-prefixed frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON (one wire message).
// Frames above the limit are skipped byte for byte (never buffered) and reported, so the stream survives them.
// Work and memory are linear in the bytes pushed however they are split: a partial frame is kept in one buffer
// that doubles as it fills (a frame dripped byte by byte costs no more than one, and holds no object per chunk).
export const MAX_FRAME_BYTES = 64 * 1024;
const HEADER = 4;
/** The first buffer a partial frame is kept in (it doubles from there). */
const MIN_HELD = 256;
const EMPTY = Buffer.alloc(0);

export type FrameEvent = { kind: 'frame'; data: Buffer } | { kind: 'oversized'; length: number };

export function encodeFrame(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, HEADER);
  return out;
}

export class FrameDecoder {
  /** Bytes received and not yet part of a returned frame: the first `length` bytes of `held`. */
  private held = EMPTY;
  private length = 0;
  /** Bytes of an oversized frame still to skip. */
  private discard = 0;
  /** Length of the frame being assembled (its header is consumed), or -1 while reading a header. */
  private want = -1;

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Bytes held for a frame not complete yet: never more than the limit plus a header. */
  get buffered(): number {
    return this.length;
  }

  /** Feeds bytes; returns the complete frames (and oversized-frame notices) they finish, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (data.length > 0 || (this.want >= 0 && this.length >= this.want) || (this.want < 0 && this.length >= HEADER)) {
      if (this.discard > 0) {
        const skip = Math.min(this.discard, data.length);
        this.discard -= skip;
        data = data.subarray(skip);
        if (this.discard > 0) break;
        continue;
      }
      if (this.want < 0) {
        const header = this.take(HEADER, data);
        data = header.rest;
        if (!header.bytes) break;
        const length = header.bytes.readUInt32BE(0);
        if (length > this.maxFrameBytes) {
          events.push({ kind: 'oversized', length });
          this.discard = length;
          continue;
        }
        this.want = length;
      }
      const body = this.take(this.want, data);
      data = body.rest;
      if (!body.bytes) break;
      this.want = -1;
      events.push({ kind: 'frame', data: body.bytes });
    }
    return events;
  }

  /** `n` bytes from what is held plus `data` (the rest of `data` returned), or none yet (all of it held). */
  private take(n: number, data: Buffer): { bytes?: Buffer; rest: Buffer } {
    // A copy: frames may be handled later (a paused link), and the caller may reuse its buffer.
    if (this.length === 0 && data.length >= n) return { bytes: Buffer.from(data.subarray(0, n)), rest: data.subarray(n) };
    const part = data.subarray(0, Math.min(n - this.length, data.length));
    if (this.length + part.length > this.held.length) {
      // doubled (at most to the frame's size): each byte is copied a bounded number of times
      const size = Math.min(n, Math.max(MIN_HELD, 2 * this.held.length, this.length + part.length));
      this.held = Buffer.concat([this.held.subarray(0, this.length)], size);
    }
    part.copy(this.held, this.length);
    this.length += part.length;
    if (this.length < n) return { rest: data.subarray(data.length) };
    const bytes = this.held.length === n ? this.held : Buffer.from(this.held.subarray(0, n));
    this.held = EMPTY;
    this.length = 0;
    return { bytes, rest: data.subarray(part.length) };
  }
}

/**
 * Frames queued during one run of code (and the promise callbacks it queued first) and written together as it
 * ends: one encryption and one syscall instead of one per frame (a countersignature and the proposal after it, an
 * acknowledgement and a reply, a pump of the outbox). A microtask, not setImmediate: no event-loop turn is added
 * to a message (each payment's proposal, countersignature and pass wait on it).
 */
export class FrameWriter {
  private queued: Buffer[] = [];
  private queuedLength = 0;

  constructor(
    private readonly write: (bytes: Buffer) => void,
    private readonly onError: (e: Error) => void,
    /** called after each write of what was queued */
    private readonly onFlushed: () => void = () => undefined,
  ) {}

  /** Bytes queued and not written yet. */
  get queuedBytes(): number {
    return this.queuedLength;
  }

  push(frame: Buffer): void {
    this.queued.push(frame);
    this.queuedLength += frame.length;
    if (this.queued.length === 1) queueMicrotask(() => this.flush(true));
  }

  /** Writes what is queued now (before a graceful close). */
  flushNow(): void {
    this.flush(false);
  }

  discard(): void {
    this.queued = [];
    this.queuedLength = 0;
  }

  private flush(report: boolean): void {
    const frames = this.queued;
    this.queued = [];
    this.queuedLength = 0;
    if (frames.length === 0) return;
    try {
      this.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
    } catch (e) {
      if (report) this.onError(e as Error);
      return;
    }
    if (report) this.onFlushed();
  }
}
