// The frame decoder: frames split anywhere come out whole; oversized frames are skipped, never held;
// the work is linear in the bytes pushed (a frame dripped byte by byte is not joined again and again). The writer:
// frames queued in one run leave in one write, in order, before the event loop turns (no turn added to a message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
