// The node's persistence interface: a locked data folder holding one storage per channel (a small record and
// a journal of states). The node codes against these interfaces only; the journal store implements them.
import type { ChannelStorage } from './store/types.js';

export type { JournalEntry } from './store/codec.js';
export type { ChannelHead, ChannelStorage } from './store/types.js';

/** The data folder as the node uses it (src/node/store's DataDir implements it). */
export interface DataDir {
  /** the absolute path of the folder of channels (the node looks for it once a second: space.ts) */
  readonly channelsPath: string;
  /** every channel folder, readable or not, with its record as read while checking it (start-up needs it) */
  list(): Promise<{ id: string; error: (Error & { code: string }) | null; record?: unknown }[]>;
  channel(id: string): Promise<ChannelStorage>;
  /** `skipped`: channels not written (their journal or record cannot be read here), each with why */
  exportTo(file: string): Promise<{ channels: number; skipped: { id: string; error: Error }[] }>;
  /** `foreign`: why a record is not this node's (nothing is imported); `leave`: why a channel is left out */
  importFrom(file: string, rules?: { foreign?: (record: unknown) => string | null; leave?: (record: unknown) => string | null }): Promise<{ imported: string[]; kept: string[]; left: { id: string; channel: string; why: string }[] }>;
  close(): Promise<void>;
}

/** Small node-level files next to the channels (the partners' addresses, what this node serves on). */
export interface NodeMeta {
  readMeta<T>(name: string): Promise<T | null>;
  writeMeta<T>(name: string, value: T): Promise<void>;
}
