// Shared by the restore tests (restore, restore-waiting): nodes restored from an old backup, with Mallory (the
// adversary) or Hal (an honest partner) on the other side.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeEvent } from '../../src/node/index.js';
import { learn, Mallory } from '../adversary/mallory.js';
import { TON } from '../adversary/scene.js';
import { World, assertSameHistory, type NodeHandle } from '../adversary/world.js';

export const code = (c: string) => (e: Error & { code?: string }) => e.code === c;

/** Stops `h`, loses its channels (the disk), starts it again on the same folder and key, imports `backup`. */
export async function loseAndRestore(w: World, h: NodeHandle, backup: string): Promise<NodeHandle> {
  await w.stop(h);
  await rm(join(h.dataDir, 'channels'), { recursive: true, force: true });
  const again = await w.node(h.name, { keyPair: h.keyPair });
  const r = await again.node.importBackup(backup);
  assert.equal(r.imported.length, 1);
  return again;
}

export function recovered(events: NodeEvent[]): string | undefined {
  return events.map((e) => (e.type === 'log' ? e.message : '')).find((m) => /restored from a backup at step/.test(m));
}

/** Vic and Mal with a channel Mal opened (5 / 5 TON); the Mallory a test connects (keep) is stopped at the end. */
export async function withMal(fn: (s: { w: World; vic: NodeHandle; mal: NodeHandle; vicAddr: string; ch: string; keep: (m: Mallory) => Mallory }) => Promise<void>): Promise<void> {
  const w = await World.create();
  let mallory: Mallory | undefined;
  try {
    const vic = await w.node('vic');
    const mal = await w.node('mal');
    const vicAddr = await w.link(vic, mal);
    const ch = (await w.open(mal, vic, TON('5'), TON('5'))).channelId;
    await fn({ w, vic, mal, vicAddr, ch, keep: (m) => (mallory = m) });
  } finally {
    await mallory?.stop();
    await w.close();
  }
}

/** Mal pays 0.1 TON, Vic backs up, Mal pays 3 more, then stops; Vic loses its channels and imports the backup. */
export async function restoredBehind({ w, vic, mal, ch }: { w: World; vic: NodeHandle; mal: NodeHandle; ch: string }): Promise<{ known: Awaited<ReturnType<typeof learn>>; v: NodeHandle; k: bigint }> {
  await w.pay(mal, ch, TON('0.1'));
  await assertSameHistory(vic.node, mal.node, ch);
  const backup = join(w.dir, 'vic.backup');
  await vic.node.exportBackup(backup);
  for (let i = 0; i < 3; i++) await w.pay(mal, ch, TON('0.1'));
  const known = await learn(mal.node, ch);
  await w.stop(mal);
  const v = await loseAndRestore(w, vic, backup);
  return { known, v, k: World.step(v.node, ch) };
}

/** Vic and Hal linked, a channel `opener` opened (each deposit `each` TON), both histories alike; a backup of Vic's. */
export async function withVicHal(o: { opener: 'vic' | 'hal'; each: string }, fn: (s: { w: World; vic: NodeHandle; hal: NodeHandle; ch: string; backup: () => Promise<string> }) => Promise<void>): Promise<void> {
  const w = await World.create();
  try {
    const vic = await w.node('vic');
    const hal = await w.node('hal');
    await w.link(vic, hal);
    const ch = (await (o.opener === 'vic' ? w.open(vic, hal, TON(o.each), TON(o.each)) : w.open(hal, vic, TON(o.each), TON(o.each)))).channelId;
    await assertSameHistory(vic.node, hal.node, ch);
    const backup = async () => {
      const file = join(w.dir, 'vic.backup');
      await vic.node.exportBackup(file);
      return file;
    };
    await fn({ w, vic, hal, ch, backup });
  } finally {
    await w.close();
  }
}
