// Length-prefixed frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON (one wire message).
// Frames above the limit are skipped byte for byte (never buffered) and reported, so the stream survives them.
export const MAX_FRAME_BYTES = 64 * 1024;
const HEADER = 4;

export type FrameEvent = { kind: 'frame'; data: Buffer } | { kind: 'oversized'; length: number };

export function encodeFrame(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, HEADER);
  return out;
}

export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private discard = 0;

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Feeds bytes; returns the complete frames (and oversized-frame notices) they finish, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.discard > 0) {
      const skip = Math.min(this.discard, data.length);
      this.discard -= skip;
      data = data.subarray(skip);
    }
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : Buffer.from(data);
    while (this.buffer.length >= HEADER) {
      const length = this.buffer.readUInt32BE(0);
      if (length > this.maxFrameBytes) {
        events.push({ kind: 'oversized', length });
        const available = this.buffer.length - HEADER;
        const skip = Math.min(length, available);
        this.discard = length - skip;
        this.buffer = this.buffer.subarray(HEADER + skip);
        continue;
      }
      if (this.buffer.length < HEADER + length) break;
      events.push({ kind: 'frame', data: this.buffer.subarray(HEADER, HEADER + length) });
      this.buffer = this.buffer.subarray(HEADER + length);
    }
    if (this.buffer.length === 0) this.buffer = Buffer.alloc(0);
    return events;
  }
}
