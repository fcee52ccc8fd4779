// A loaded disk for one channel of a test node: its journal writes go to disk in order as before, but the writes
// that `slow` picks are acknowledged `ms` late (the node carries on meanwhile, as it does on a slow fdatasync).
import type { ChannelNodeApi } from '../../src/node/index.js';

export interface Entry {
  kind: string;
  state: { state: { tag: string; step: bigint } };
}

type Storage = { append(entries: Entry[]): Promise<void> };

/** Resolves once the channel has its storage; `acked` then lists the slow writes acknowledged so far. */
export async function slowDisk(node: ChannelNodeApi, channelId: string, slow: (e: Entry) => boolean, ms: number): Promise<{ acked: Entry[] }> {
  const inner = (node as unknown as { node: { ctx: { channels: Map<string, { storage: Storage | null }> } } }).node.ctx;
  let storage: Storage | null = null;
  for (let i = 0; i < 500 && !storage; i++) {
    storage = inner.channels.get(channelId)?.storage ?? null;
    if (!storage) await new Promise((r) => setTimeout(r, 10));
  }
  if (!storage) throw new Error(`channel ${channelId} has no storage`);
  const append = storage.append.bind(storage);
  const acked: Entry[] = [];
  storage.append = (entries) => {
    const written = append(entries);
    const picked = entries.filter(slow);
    if (!picked.length) return written;
    return written.then(() => new Promise((r) => setTimeout(r, ms))).then(() => void acked.push(...picked));
  };
  return { acked };
}

type Writer = { writeDurable(bytes: Buffer, at: number): Promise<void> };

/**
 * A slow disk under one channel's journal: each write reaches the file `ms` late (in order, one at a time, as the
 * journal issues them), so what the node holds in memory runs ahead of what the journal can read back.
 */
export async function slowWrites(node: ChannelNodeApi, channelId: string, ms: number): Promise<void> {
  const inner = (node as unknown as { node: { ctx: { channels: Map<string, { storage: { writer: Writer } | null }> } } }).node.ctx;
  const writer = inner.channels.get(channelId)?.storage?.writer;
  if (!writer) throw new Error(`channel ${channelId} has no storage`);
  const write = writer.writeDurable.bind(writer);
  writer.writeDurable = async (bytes, at) => {
    await new Promise((r) => setTimeout(r, ms));
    return write(bytes, at);
  };
}

/** Keeps one channel's serial queue busy for `ms`: what arrives meanwhile is handled after, in arrival order. */
export function holdQueue(node: ChannelNodeApi, channelId: string, ms: number): Promise<void> {
  const inner = (node as unknown as { node: { ctx: { channels: Map<string, { run(fn: () => Promise<void>): Promise<void> }> } } }).node.ctx;
  const ctl = inner.channels.get(channelId);
  if (!ctl) throw new Error(`no channel ${channelId}`);
  return ctl.run(() => new Promise((r) => setTimeout(r, ms)));
}
