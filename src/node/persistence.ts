// The node's persistence interface: a locked data folder holding one storage per channel (a small record and
// a journal of states). The node codes against these interfaces only; the journal store implements them.
import type { SignedState } from '../core/signed.js';

export type JournalEntry =
  /** a state both signed */
  | { kind: 'committed'; state: SignedState }
  /** a state in flight, with its creator's signature only; supersedes any earlier staged entry */
  | { kind: 'staged'; state: SignedState; mine: boolean }
  /** equivocation: two states the partner signed for one step; kept forever */
  | { kind: 'evidence'; a: SignedState; b: SignedState; note: string };

export interface ChannelHead {
  /** the last state both signed */
  latest: SignedState | null;
  /** how many states both signed exist */
  count: bigint;
  /** the state in flight, when it comes after the last committed one */
  staged: { state: SignedState; mine: boolean } | null;
  /** a torn tail cut on open */
  repaired: { bytesDropped: number } | null;
}

export interface ChannelStorage {
  readonly id: string;
  readRecord<T>(): Promise<T | null>;
  writeRecord<T>(rec: T): Promise<void>;
  /** durable (fdatasync) before it resolves; appends during a flush share the next one */
  append(entries: JournalEntry[]): Promise<void>;
  loadHead(): Promise<ChannelHead>;
  /** states both signed with from <= step < to */
  readStates(fromStep: bigint, toStep: bigint): Promise<SignedState[]>;
  evidence(): Promise<Extract<JournalEntry, { kind: 'evidence' }>[]>;
  bytesOnDisk(): Promise<number>;
  close(): Promise<void>;
}

export interface DataDir {
  /** every channel folder, readable or not */
  list(): Promise<{ id: string; error: (Error & { code: string }) | null }[]>;
  channel(id: string): Promise<ChannelStorage>;
  exportTo(file: string): Promise<{ channels: number }>;
  importFrom(file: string): Promise<{ imported: string[]; kept: string[] }>;
  close(): Promise<void>;
}

/** Small node-level files next to the channels (the partners' addresses, what this node serves on). */
export interface NodeMeta {
  readMeta<T>(name: string): Promise<T | null>;
  writeMeta<T>(name: string, value: T): Promise<void>;
}
