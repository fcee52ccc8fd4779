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
  /** `listener` hears the id of each channel whose journal write fails (ChannelStorage.writeHeld writes what it holds) */
  onHeld(listener: (id: string) => void): void;
  /** whether the folder of channel `id` holds anything (a channel not loaded here: another network's, or broken) */
  used(id: string): Promise<boolean>;
  /** adds `fields` to the record a channel not open here loads later; false: it is open, or has no record */
  amendWaitingRecord(id: string, fields: Record<string, unknown>): Promise<boolean>;
  /** `skipped`: channels not written (their journal or record cannot be read here), each with why */
  exportTo(file: string): Promise<{ channels: number; skipped: { id: string; error: Error }[] }>;
  /** `foreign`: why a record is not this node's (nothing is imported); `leave`: why a channel is left out */
  importFrom(file: string, rules?: { foreign?: (record: unknown) => string | null; leave?: (record: unknown) => string | null }): Promise<ImportDone>;
  close(): Promise<void>;
}

/** What an import did; `closed`: channels whose open storage it closed (their files may have changed). */
export interface ImportDone {
  imported: string[];
  kept: string[];
  left: { id: string; channel: string; why: string }[];
  closed: string[];
}

/** An import stopped by the error of channel `failed` (its message says what was done): `done` is what it did before. */
export interface ImportFailure extends Error {
  code: string;
  failed: string;
  done: ImportDone;
}

export function isImportFailure(e: unknown): e is ImportFailure {
  return e instanceof Error && typeof (e as Partial<ImportFailure>).failed === 'string' && typeof (e as Partial<ImportFailure>).done === 'object';
}

/** Small node-level files next to the channels (the partners' addresses, what this node serves on). */
export interface NodeMeta {
  readMeta<T>(name: string): Promise<T | null>;
  writeMeta<T>(name: string, value: T): Promise<void>;
}
