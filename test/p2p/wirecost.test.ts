// What one message costs on the wire between two real P2PNodes on 127.0.0.1, counted in socket writes: a message
// leaves in one write (the Noise length and body together) and its receiver sends nothing back per frame (Yamux
// window updates once half the window is used). The dependencies are patched for this (scripts/patches).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import type { AppMessage } from '../../src/core/wire.js';
import type { PeerSession } from '../../src/p2p/index.js';
import { first, makeNode, newWallet, tempDir, until } from './helpers.js';

const turn = (i: number): AppMessage => ({ type: 'turn.request', contract: '0:' + '22'.repeat(32), step: BigInt(i) });

/** Counts socket writes (write and writev calls reaching the handle) per remote port while `fn` runs. */
async function countWrites(fn: () => Promise<void>): Promise<Map<number, number>> {
  const proto = Socket.prototype as unknown as { _writeGeneric: (...a: unknown[]) => unknown };
  const original = proto._writeGeneric;
  const counts = new Map<number, number>();
  proto._writeGeneric = function (this: Socket, ...a: unknown[]) {
    const port = this.remotePort ?? 0;
    counts.set(port, (counts.get(port) ?? 0) + 1);
    return original.apply(this, a);
  };
  try {
    await fn();
  } finally {
    proto._writeGeneric = original;
  }
  return counts;
}

test('one message, one socket write: no frame is split in two writes, no window update per frame', async () => {
  const da = await tempDir();
  const db = await tempDir();
  const { node: a } = await makeNode(da.path, newWallet());
  const { node: b } = await makeNode(db.path, newWallet());
  try {
    const served = (await a.serve(0, '127.0.0.1')).lan[0]!;
    const port = Number(/\/tcp\/(\d+)/.exec(served)![1]);
    const incoming = first<PeerSession>(a, 'session');
    const sb = await b.connect(served, { timeoutMs: 10_000 });
    const sa = await incoming;
    const got: AppMessage[] = [];
    sa.on('message', (m) => got.push(m));
    await sb.send(turn(0)); // the stream is open and acknowledged
    const n = 40;
    // each message leaves once the one before it arrived: one frame at a time
    const sent: Promise<void>[] = [];
    sa.on('message', () => {
      if (got.length <= n) sent.push(sb.send(turn(got.length)));
    });
    const writes = await countWrites(async () => {
      sent.push(sb.send(turn(1)));
      await until(() => got.length === n + 1, `${n} messages delivered`);
    });
    await Promise.all(sent); // every message acknowledged
    const fromB = writes.get(port) ?? 0; // b dialed a: b's socket has a's port as its remote port
    const fromA = [...writes].filter(([p]) => p !== port).reduce((s, [, c]) => s + c, 0);
    // before the patches: 2 writes per message from b, and 2 per message back from a (a Yamux window update each)
    assert.ok(fromB <= n + 2, `b wrote ${fromB} times for ${n} messages`);
    assert.ok(fromA <= n / 4, `a wrote ${fromA} times while receiving ${n} messages (acknowledgements only)`);
    assert.deepEqual(got.slice(1), Array.from({ length: n }, (_, i) => turn(i + 1)));
  } finally {
    await a.stop();
    await b.stop();
    await da.cleanup();
    await db.cleanup();
  }
});

test('a received chunk holding whole frames is decoded without an error thrown at its end', async () => {
  const { LengthPrefixedDecoder } = await import('@libp2p/utils'); // ESM only, as src/p2p/deps.ts loads libp2p
  let calls = 0;
  const lengthDecoder = (b: Uint8Array | { byteLength: number; getUint16(at: number): number }): number => {
    calls++;
    if (b.byteLength < 2) throw new RangeError('need 2 bytes'); // what Noise's decoder does, at the cost of an Error
    return b instanceof Uint8Array ? (b[0]! << 8) | b[1]! : b.getUint16(0);
  };
  const decoder = new LengthPrefixedDecoder({ lengthDecoder, encodingLength: () => 2 });
  const frames = [...decoder.decode(Uint8Array.from([0, 3, 1, 2, 3, 0, 1, 9]))].map((f) => [...f.subarray()]);
  assert.deepEqual(frames, [[1, 2, 3], [9]]);
  assert.equal(calls, 2, 'the length decoder ran once per frame, not once more on the empty rest');
  assert.deepEqual([...decoder.decode(Uint8Array.from([0]))], []); // half a length waits for the rest
  assert.deepEqual([...decoder.decode(Uint8Array.from([2, 7, 8]))].map((f) => [...f.subarray()]), [[7, 8]]);
});
