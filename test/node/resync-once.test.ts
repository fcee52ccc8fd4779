// A partner that reconnects in a loop (each resume runs our resync) cannot grow our outbox: what a resync sends
// (the resync request, our staged state, a turn request) goes once until the partner acknowledges it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TON } from '../adversary/scene.js';
import { World, assertSameHistory, until } from '../adversary/world.js';
import type { ChannelController } from '../../src/node/controller.js';
import type { PeerSession } from '../../src/p2p/index.js';

interface Inside {
  sync: { resync(ctl: ChannelController): void };
  ctx: { channels: Map<string, ChannelController>; sessionOf(ctl: ChannelController): PeerSession | null };
}

test('resyncs while the partner does not acknowledge add nothing more to the outbox than the first one did', async () => {
  const w = await World.create();
  try {
    const vic = await w.node('vic');
    const hal = await w.node('hal');
    await w.link(vic, hal);
    const ch = (await w.open(hal, vic, TON('5'), TON('5'))).channelId; // B (Vic) has the turn
    await assertSameHistory(vic.node, hal.node, ch);
    const inside = vic.node as unknown as Inside;
    const ctl = inside.ctx.channels.get(ch)!;
    const session = inside.ctx.sessionOf(ctl)!;
    await until(() => session.pending === 0, 'the outbox to drain');
    // Hal stops answering (its node is gone; Vic's session keeps what it sends until Hal is back).
    await w.stop(hal);
    await until(() => !session.connected, 'the connection to drop');
    await vic.node.send(TON('1'), { channel: ch }); // staged, unacknowledged
    const after = session.pending;
    for (let i = 0; i < 20; i++) inside.sync.resync(ctl);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(session.pending <= after + 2, `${session.pending} pending after 20 resyncs (${after} before)`);
    const once = session.pending;
    for (let i = 0; i < 20; i++) inside.sync.resync(ctl);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(session.pending, once, 'the same messages are not queued again');
  } finally {
    await w.close();
  }
});
