// Shared by the tests of an import into a running node (import-running, import-closing): two linked nodes with
// channels and a backup, and holds on the node's loads, appends and storage closes.
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { byId } from '../../src/node/store/datadir.js';
import { TON } from '../adversary/scene.js';
import { World, assertSameHistory, type NodeHandle } from '../adversary/world.js';
import type { ChannelController } from '../../src/node/controller.js';
import type { NodeContext } from '../../src/node/context.js';
import type { JournalEntry } from '../../src/node/persistence.js';
import type { Chain } from '../../src/chain/types.js';
import { until, type Pair } from './nodes.js';

/** The node's own parts: its context, the controllers its arbiter watches, and the arbiter's poke. */
export function inner(h: NodeHandle): { ctx: NodeContext; watched: (ch: string) => ChannelController[]; poke: (c: ChannelController) => Promise<void> } {
  const node = (h.node as unknown as { node: { ctx: NodeContext; arbiter: { watched: Map<ChannelController, unknown>; poke: (c: ChannelController) => Promise<void> } } }).node;
  return { ctx: node.ctx, watched: (ch) => [...node.arbiter.watched.keys()].filter((c) => c.id === ch), poke: (c) => node.arbiter.poke(c) };
}

/** A folder where a channel's record.json goes: the import's move of that file into the channel fails. */
export async function blockRecord(h: NodeHandle, ch: string): Promise<string> {
  const record = join(h.dataDir, 'channels', ch, 'record.json');
  await rm(record, { force: true });
  await mkdir(join(record, 'in the way'), { recursive: true });
  return record;
}

/** A promise opened from outside. */
export function latch(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/** Every controller the node sets for a channel from now on. */
export function recordLoads(ctx: NodeContext): ChannelController[] {
  const loaded: ChannelController[] = [];
  const set = ctx.channels.set.bind(ctx.channels);
  ctx.channels.set = (id, c) => (loaded.push(c), set(id, c));
  return loaded;
}

/**
 * Holds the opening of channel `ch`'s storage until `release()`: `loading` settles once a load reached it; `loaded`
 * lists every controller the node sets from then on.
 */
export function holdLoad(ctx: NodeContext, ch: string): { loaded: ChannelController[]; loading: Promise<void>; release: () => void } {
  const loaded = recordLoads(ctx);
  const reached = latch();
  const released = latch();
  const channel = ctx.data.channel.bind(ctx.data);
  ctx.data.channel = async (id) => {
    if (id === ch) {
      reached.open();
      await released.wait;
    }
    return channel(id);
  };
  return { loaded, loading: reached.wait, release: released.open };
}

/**
 * Stops the node while a load is held by holdLoad, then lets it go on: once `settle` (the load's end) is over,
 * nothing was told as an error or written after the stop, and every controller loaded is stopped.
 */
export async function stopWhileLoading(vic: NodeHandle, held: ReturnType<typeof holdLoad>, settle: () => Promise<unknown>): Promise<void> {
  await held.loading;
  const from = vic.events.length;
  const stopped = vic.node.stop();
  held.release();
  await stopped;
  const files = await snapshot(vic.dataDir);
  await settle();
  assert.deepEqual(vic.events.slice(from).filter((e) => e.type === 'error'), [], 'no error told after the stop began');
  assert.ok(held.loaded.every((c) => c.isStopped), 'every controller loaded is stopped');
  assert.deepEqual(await snapshot(vic.dataDir), files, 'nothing written after the stop');
}

/**
 * Holds the append of `ctl` that `pick` chooses until an import has closed the channel's storage: the operation
 * making it is running as the storage closes. `reached` settles once it is held.
 */
export function holdAppendUntilClosed(ctl: ChannelController, pick: (entries: JournalEntry[]) => boolean): { reached: Promise<void> } {
  const storage = ctl.storage!;
  const reached = latch();
  const closed = latch();
  const close = storage.close.bind(storage);
  storage.close = () => close().finally(closed.open);
  const append = storage.append.bind(storage);
  storage.append = async (entries) => {
    if (pick(entries)) {
      reached.open();
      await closed.wait;
    }
    return append(entries);
  };
  return { reached: reached.wait };
}

/**
 * Channel `ch`'s record is lost while its controller `ctl` runs, and stays lost until an import closes its storage:
 * a record write `ctl` makes from now on waits for that close (then it is refused, as any write on a storage the
 * import closed), and those under way land before the file is removed. Otherwise a write under way (a close or a
 * challenge just read) puts the record back, and the import keeps the channel as it is (nothing to restore).
 */
export async function loseRecord(h: NodeHandle, ctl: ChannelController, ch: string): Promise<void> {
  const storage = ctl.storage!;
  const closed = latch();
  const close = storage.close.bind(storage);
  storage.close = () => close().finally(closed.open);
  const write = storage.writeRecord.bind(storage);
  storage.writeRecord = async <T>(rec: T) => {
    await closed.wait;
    return write(rec);
  };
  await storage.readRecord(); // after the writes under way (applied in order)
  await rm(join(h.dataDir, 'channels', ch, 'record.json'));
}

/**
 * A pair's Alice: her record of channel `ch` lost, then `backup` imported over it: her controller is dropped and
 * the channel loads again from the backup, until she reads it in `phase`.
 */
export async function reloadAlice(p: Pair, ch: string, backup: string, phase: string): Promise<void> {
  const { ctx } = p.alice.node as unknown as { ctx: NodeContext };
  const old = ctx.channels.get(ch)!;
  await loseRecord({ dataDir: join(p.dir, 'alice') } as NodeHandle, old, ch);
  await p.alice.importBackup(backup);
  assert.notEqual(ctx.channels.get(ch), old, 'loaded again');
  await until('Alice reads her channel again', () => p.alice.currentChannel()?.phase === phase);
}

/** What an operation on a channel loaded again fails with. */
export const reloaded = (e: { code?: string; message?: string }) => e.code === 'CHANNEL_RELOADED' && /run it again/.test(e.message ?? '');

export const notMoved = (ch: string) => new RegExp(`the import of channel ${ch} is saved in .* could not be moved into`);

/**
 * Vic and Hal linked, with `n` channels Hal opened (a payment in each, both histories alike), and Vic's backup.
 */
export async function withChannels(
  n: number,
  o: { recoverAgainMs?: number; wrap?: (c: Chain) => Chain; period?: number },
  fn: (s: { w: World; vic: NodeHandle; hal: NodeHandle; chs: string[]; backup: string }) => Promise<void>,
): Promise<void> {
  const w = await World.create();
  try {
    const vic = await w.node('vic', o); // `wrap`: Vic's chain (what it reads)
    const hal = await w.node('hal', o.period !== undefined ? { period: o.period } : {}); // proposes: its challenge period
    await w.link(vic, hal);
    const chs: string[] = [];
    for (let i = 0; i < n; i++) chs.push((await w.open(hal, vic, TON('5'), TON('5'))).channelId);
    for (const ch of chs) {
      await w.pay(hal, ch, TON('0.5'));
      await assertSameHistory(vic.node, hal.node, ch);
    }
    const backup = join(w.dir, 'vic.backup');
    await vic.node.exportBackup(backup);
    await fn({ w, vic, hal, chs: chs.sort(byId), backup });
  } finally {
    await w.close();
  }
}

/** Every file under `dir` with its size and modification time. */
export async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const at = join(e.parentPath, e.name);
    const s = await stat(at);
    out.push(`${at} ${s.size} ${s.mtimeMs}`);
  }
  return out.sort();
}
