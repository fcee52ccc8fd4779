// A refund that landed while the node was down (or just before it crashed) showed in the channel after the restart
// (its first read lowers the deposit) and was never told: a first read of the run may lag behind, so no lower
// deposit it showed was a refund. The first read that shows one is read again; shown again, it is told, once.
import assert from 'node:assert/strict';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import type { ChannelController } from '../../src/node/controller.js';
import { bobPutOneIn, bobRefundedWhileAliceDown, proposedWithFailingDeposit, withPair } from '../helpers/reads.js';
import { TON, until } from '../helpers/nodes.js';

withPair("a partner's refund that landed while the node was down is told once after the restart", async (p) => {
  await proposedWithFailingDeposit(p);
  const seen = waitForEvent(p.bob, 'depositSeen', (e) => e.party === 'A', 30_000);
  const bob = p.bob.deposit().catch(() => undefined);
  await seen;
  await bob;
  await p.bob.stop();
  await p.alice.refund();
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const told: NodeEvent[] = [];
  p.bob.on((e) => void (e.type === 'refundSeen' && told.push(e)));
  const e = await waitForEvent(p.bob, 'refundSeen', (x) => x.party === 'A', 30_000);
  assert.equal(e.amount, TON('3'));
  assert.equal(e.channel.depositA, 0n);
  // Read again, by hand (a hint), twice: nothing more to tell.
  const inner = p.bob as unknown as { arbiter: { poke(c: unknown): Promise<void> }; ctx: { channels: Map<string, unknown> } };
  const ctl = [...inner.ctx.channels.values()][0];
  await inner.arbiter.poke(ctl);
  await inner.arbiter.poke(ctl);
  assert.equal(told.length, 1, 'told once');
});

withPair("a partner's refund that landed while the node was down is told once, also when the watch's first poll reads it first (its own deposit beside it)", async (p) => {
  // Alice deploys with her 3 TON; Bob's node never deposits: his wallet puts 1 TON in (the contract stays funding)
  await bobRefundedWhileAliceDown(p);
  // The watch's first poll reports Alice's 3 TON as a deposit, with Bob's 0 beside it: it lowered his silently.
  p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  const told: string[] = [];
  p.alice.on((e) => void (e.type === 'refundSeen' && told.push(`${e.party} ${e.amount}`)));
  await until('the refund told', () => told.length > 0, 30_000);
  const inner = p.alice as unknown as { arbiter: { poke(c: unknown): Promise<void> }; ctx: { channels: Map<string, unknown> } };
  await inner.arbiter.poke([...inner.ctx.channels.values()][0]);
  assert.deepEqual(told, [`B ${TON('1')}`]);
  assert.equal(p.alice.currentChannel()?.depositB, 0n);
});

withPair("a partner's refund whose lowered deposit was saved just before a crash (not told yet) is told once after the restart", async (p) => {
  const refund = await bobPutOneIn(p);
  // Alice's folder as a kill -9 leaves it right after her record took Bob's refund, before it is told.
  const channels = join(p.dir, 'alice', 'channels');
  const crashed = join(p.dir, 'alice-crashed');
  const inner = p.alice as unknown as { arbiter: { poke(c: unknown): Promise<void> }; ctx: { channels: Map<string, ChannelController> } };
  const storage = [...inner.ctx.channels.values()][0]!.storage!;
  const write = storage.writeRecord.bind(storage);
  let copied = false;
  storage.writeRecord = async (rec) => {
    await write(rec);
    if (!copied && (rec as { depositB: bigint }).depositB === 0n) {
      copied = true;
      await cp(channels, crashed, { recursive: true });
    }
  };
  await refund();
  await until("Alice's record to take the refund", () => copied, 30_000);
  await p.alice.stop();
  await rm(channels, { recursive: true });
  await cp(crashed, channels, { recursive: true });
  p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  const told: string[] = [];
  p.alice.on((e) => void (e.type === 'refundSeen' && told.push(`${e.party} ${e.amount}`)));
  await until('the refund told after the restart', () => told.length > 0, 30_000);
  const again = p.alice as unknown as typeof inner;
  await again.arbiter.poke([...again.ctx.channels.values()][0]);
  assert.deepEqual(told, [`B ${TON('1')}`], 'told once');
  assert.equal(p.alice.currentChannel()?.depositB, 0n);
});
