// The frame decoder: frames split anywhere come out whole; oversized frames are skipped, never held;
// the work is linear in the bytes pushed (a frame dripped byte by byte is not joined again and again). The writer:
// frames queued in one run leave in one write, in order, before the event loop turns (no turn added to a message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES } from '../../src/p2p/index.js';
import { FrameWriter } from '../../src/p2p/frames.js';

test('frames split at every byte, oversized frames skipped, and zero-length frames', () => {
  const payloads = ['{"a":1}', '', 'x'.repeat(1000)];
  const bytes = Buffer.concat([...payloads.map((p) => encodeFrame(p)), encodeFrame(Buffer.alloc(MAX_FRAME_BYTES + 1, 7)), encodeFrame('end')]);
  const d = new FrameDecoder();
  const events = [];
  for (let i = 0; i < bytes.length; i++) {
    events.push(...d.push(bytes.subarray(i, i + 1)));
    assert.ok(d.buffered <= MAX_FRAME_BYTES + 4);
  }
  assert.deepEqual(
    events.map((e) => (e.kind === 'frame' ? e.data.toString() : `oversized ${e.length}`)),
    [...payloads, `oversized ${MAX_FRAME_BYTES + 1}`, 'end'],
  );
  assert.equal(d.buffered, 0);
});

test('a 64 KiB frame dripped one byte at a time is joined once (linear work)', () => {
  const frame = encodeFrame(Buffer.alloc(MAX_FRAME_BYTES, 0x61));
  const concat = Buffer.concat;
  let copied = 0;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
    const out = concat(list, total);
    copied += out.length;
    return out;
  }) as typeof Buffer.concat;
  try {
    const d = new FrameDecoder();
    let frames = 0;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < frame.length; i++) frames += d.push(frame.subarray(i, i + 1)).length;
    }
    assert.equal(frames, 2);
  } finally {
    Buffer.concat = concat;
  }
  assert.ok(copied <= 4 * frame.length, `${copied} bytes joined for ${2 * frame.length} bytes pushed`);
});

test('frames dripped one byte at a time hold about their own size in memory, not an object per byte', () => {
  // A peer may send a frame in 1-byte muxer frames: each reaches the decoder as its own chunk. 16 streams (two
  // connections' worth) each hold a frame just under the limit, short of its last bytes.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const used = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const decoders: FrameDecoder[] = [];
  const one = Buffer.alloc(1, 0x20);
  for (let d = 0; d < 16; d++) {
    const dec = new FrameDecoder();
    decoders.push(dec);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(MAX_FRAME_BYTES - 10);
    dec.push(header);
    for (let i = 0; i < MAX_FRAME_BYTES - 20; i++) dec.push(one);
  }
  const held = decoders.reduce((n, dec) => n + dec.buffered, 0);
  const grown = used() - before;
  assert.equal(held, 16 * (MAX_FRAME_BYTES - 20));
  // the bytes themselves are 1 MiB: at most a few times that, never ~100 times (an object per chunk)
  assert.ok(grown < 8 * held, `${(grown / 2 ** 20).toFixed(1)} MiB in memory for ${(held / 2 ** 20).toFixed(1)} MiB held`);
});

test('frames queued in one run leave in one write, in order, before the event loop turns; a later run writes apart', async () => {
  const writes: Buffer[] = [];
  let flushed = 0;
  const failed: Error[] = [];
  const w = new FrameWriter((b) => void writes.push(Buffer.from(b)), (e) => void failed.push(e), () => void flushed++);
  const [a, b, c, d] = ['one', 'two', 'three', 'four'].map((p) => encodeFrame(p)) as [Buffer, Buffer, Buffer, Buffer];
  w.push(a);
  w.push(b);
  assert.equal(w.queuedBytes, a.length + b.length, 'queued frames count in the backlog until written');
  assert.equal(writes.length, 0, 'not written inside push (the caller may push more this run)');
  await Promise.resolve();
  assert.deepEqual(writes, [Buffer.concat([a, b])], 'written together once the run ends, before the next turn');
  assert.equal(w.queuedBytes, 0);
  assert.equal(flushed, 1);
  w.push(c);
  await Promise.resolve();
  assert.deepEqual(writes.slice(1), [c]);
  // discarded frames are never written; a failed write is reported once
  w.push(d);
  w.discard();
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 2);
  const broken = new FrameWriter(() => {
    throw new Error('stream gone');
  }, (e) => void failed.push(e));
  broken.push(a);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(failed.map((e) => e.message), ['stream gone']);
  assert.equal(broken.queuedBytes, 0);
});
