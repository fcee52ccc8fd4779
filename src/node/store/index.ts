// The node's persistence: a locked data folder of channels, each a checksummed append-only journal of signed
// states plus a small atomic record; backups of the whole folder. Formats and guarantees: docs/store.md.
export type { SignedState } from '../../core/channel.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export type { JournalEntry } from './codec.js';
export type { ChannelHead, ChannelStorage } from './types.js';
export { DataDir, makeFolders } from './datadir.js';
export { lockHeld } from './lock.js';
export { FileChannelStorage } from './channel.js';
export { decodeJournal, type DecodedJournal } from './scan.js';
export { fsError } from './errors.js';
