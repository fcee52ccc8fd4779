// A send of nothing, or of more than the balance, is refused at once: it asks the partner for no turn (a CLI
// audit's `send 0` did, got an empty state from the partner, then the refusal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TON } from '../adversary/scene.js';
import { World, assertSameHistory, type NodeHandle } from '../adversary/world.js';

/** Vic (A) and Hal (B) with a channel of 5 + 5 TON just opened (Hal has the turn), and Hal's turn requests heard. */
async function opened(body: (vic: NodeHandle, hal: NodeHandle, ch: string, asked: unknown[]) => Promise<void>): Promise<void> {
  const w = await World.create();
  try {
    const vic = await w.node('vic');
    const hal = await w.node('hal');
    await w.link(vic, hal);
    const ch = (await w.open(vic, hal, TON('5'), TON('5'))).channelId; // B (Hal) has the turn
    await assertSameHistory(vic.node, hal.node, ch);
    const asked: unknown[] = [];
    hal.node.on((e) => void (e.type === 'turnRequested' && asked.push(e)));
    await body(vic, hal, ch, asked);
  } finally {
    await w.close();
  }
}

test('a send of nothing is refused before it asks the partner for the turn', () =>
  opened(async (vic, hal, ch, asked) => {
    await assert.rejects(vic.node.send(0n, { channel: ch, waitMs: 2_000 }), (e: Error & { code?: string }) => e.code === 'AMOUNT_NOT_POSITIVE');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(asked, [], 'no turn request');
    assert.equal(World.step(hal.node, ch), 0n);
  }));

test('a send above the balance is refused before it asks the partner for the turn (a CLI audit wasted an empty state on it)', () =>
  opened(async (vic, hal, ch, asked) => {
    await assert.rejects(vic.node.send(TON('5') + 1n, { channel: ch, waitMs: 2_000 }), (e: Error & { code?: string }) => e.code === 'INSUFFICIENT_BALANCE' && e.message === 'you have 5 TON in the channel, asked 5.000000001 TON: pay at most your balance');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(asked, [], 'no turn request');
    assert.equal(World.step(hal.node, ch), 0n);
    // the whole balance is still paid, after asking for the turn
    await vic.node.send(TON('5'), { channel: ch, waitMs: 10_000 });
  }));
