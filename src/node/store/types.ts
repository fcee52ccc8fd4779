// The store's interface, as the node uses it.
import type { SignedState } from '../../core/channel.js';
import type { JournalEntry } from './codec.js';

export interface ChannelHead {
  /** the last committed state (both signatures) */
  latest: SignedState | null;
  /** number of committed states (latest.step + 1, or 0) */
  count: bigint;
  /** the staged state, only when it is the step after the last committed one */
  staged: { state: SignedState; mine: boolean } | null;
  /**
   * a torn tail was cut when the journal was opened (or torn lines dropped by the migration); damaged: what was cut
   * began with a whole record whose checksum fails (damage on disk, not a torn write: it may have held a state
   * both signed)
   */
  repaired: { bytesDropped: number; damaged: boolean } | null;
}

export interface ChannelStorage {
  readonly id: string;
  /** close() was called: every later call fails (DataDir.channel() opens the channel again) */
  readonly isClosed: boolean;
  /** a write failed and entries are held in memory (not on disk) until writeHeld writes them */
  readonly holding: boolean;
  /** the node's small per-channel record (JSON-able; bigint and Buffer survive); null before the first write */
  readRecord<T>(): Promise<T | null>;
  /** replaces the record atomically (checksummed); calls apply in order */
  writeRecord<T>(rec: T): Promise<void>;
  /**
   * durable (fdatasync) before it resolves; appends arriving during a flush share the next one. After a failed
   * write it rejects, and it and every later append are held in memory, in order, until writeHeld writes them.
   */
  append(entries: JournalEntry[]): Promise<void>;
  /**
   * After a failed write: cuts what it left past the last good record, writes what is held (in order, durable) and
   * takes appends again; resolves with the entries written ([]: none held), rejects while the disk refuses them.
   */
  writeHeld(): Promise<JournalEntry[]>;
  /** the head, read from the journal's tail when the channel is opened and kept up to date by appends */
  loadHead(): Promise<ChannelHead>;
  /** committed states with fromStep <= step < toStep, oldest first */
  readStates(fromStep: bigint, toStep: bigint): Promise<SignedState[]>;
  /** every equivocation proof, oldest first */
  evidence(): Promise<Extract<JournalEntry, { kind: 'evidence' }>[]>;
  /** journal + record bytes */
  bytesOnDisk(): Promise<number>;
  /** waits for pending appends; the object is unusable afterwards (DataDir.channel() opens it again) */
  close(): Promise<void>;
}

