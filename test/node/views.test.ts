// A channel's view is one consistent picture: while a state is being made durable, the view keeps showing the
// state before it (the latest state both signed on disk) with the turn, the count and the pending state that
// go with it, never the turn of a state it does not show yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChannelView } from '../../src/node/index.js';
import { World } from '../adversary/world.js';
import { TON } from '../adversary/scene.js';

function consistent(v: ChannelView): string | null {
  const latest = v.latest?.step ?? null;
  if (v.count !== (latest === null ? 0n : latest + 1n)) return `count ${v.count} with latest ${latest}`;
  if (v.pending && latest !== null && v.pending.step !== latest + 1n) return `pending step ${v.pending.step} with latest ${latest}`;
  if (v.myTurn && (latest === null || ((latest + 1n) % 2n === 0n ? 'A' : 'B') !== v.me)) return `myTurn with latest ${latest} (me ${v.me})`;
  if (v.myTurn && v.pending) return `myTurn with a pending state ${v.pending.step}`;
  return null;
}

test('views sampled during payments in automatic mode are consistent (turn, count and pending follow the latest state shown)', async () => {
  const w = await World.create();
  try {
    const a = await w.node('a');
    const b = await w.node('b');
    await w.link(a, b);
    const ch = (await w.open(a, b, TON('5'), TON('5'))).channelId;
    const bad: string[] = [];
    let samples = 0;
    let sampling = true;
    const sample = () => {
      for (const n of [a, b]) {
        const why = consistent(n.node.channel(ch)!);
        samples++;
        if (why) bad.push(`${n.name}: ${why}`);
      }
      if (sampling) setImmediate(sample);
    };
    sample();
    try {
      for (let i = 0; i < 6; i++) await w.pay(i % 2 ? a : b, ch, TON('0.1'));
    } finally {
      sampling = false;
    }
    assert.ok(samples > 100, `${samples} samples`);
    assert.deepEqual(bad.slice(0, 5), []);
  } finally {
    await w.close();
  }
});

test('what waits for an offline partner is said in words, never as a wire type ("state.countersign is sent…")', async () => {
  const { AppMessageSchema } = await import('../../src/core/wire.js');
  const { messageWords } = await import('../../src/node/views.js');
  for (const o of AppMessageSchema.options) {
    const type = o.entries.type.literal;
    const words = messageWords(type);
    assert.notEqual(words, type);
    assert.doesNotMatch(words, /\w\.\w/, words);
  }
});
