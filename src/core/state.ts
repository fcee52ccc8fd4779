// The channel state and its cell, exactly as `ChannelState` in contracts/channel.tlb.
import { SynError } from './errors.js';
import { Address, beginCell, Cell, crc32c } from '@ton/core';
import { MAX_COINS } from './amounts.js';
import { sha256 } from './signer.js';

/** A running state (payments, empty states that pass the turn). */
export const TAG_STATE = 0x73746174; // "stat"
/** A cooperative-close state: both parties agree to pay out at once. */
export const TAG_CLOSE = 0x636c6f73; // "clos"

export type StateTag = 'state' | 'close';

export interface ChannelState {
  tag: StateTag;
  /** The channel contract's address: a state of one channel is worthless in another. */
  channel: Address;
  step: bigint;
  /** nanotons */
  balanceA: bigint;
  /** nanotons */
  balanceB: bigint;
}

export const MAX_STEP = (1n << 64n) - 1n;

export class StateFormatError extends SynError<'STATE_FORMAT'> {
  constructor(message: string) {
    super('STATE_FORMAT', message);
    this.name = 'StateFormatError';
  }
}

export function tagToUint(tag: StateTag): number {
  return tag === 'close' ? TAG_CLOSE : TAG_STATE;
}

export function stateToCell(state: ChannelState): Cell {
  if (state.step < 0n || state.step > MAX_STEP) throw new StateFormatError(`step ${state.step} is outside 0..2^64-1`);
  if (state.balanceA < 0n || state.balanceB < 0n) throw new StateFormatError('a balance is negative');
  if (state.balanceA > MAX_COINS || state.balanceB > MAX_COINS) throw new StateFormatError('a balance is above the Coins maximum 2^120-1');
  return beginCell()
    .storeUint(tagToUint(state.tag), 32)
    .storeAddress(state.channel)
    .storeUint(state.step, 64)
    .storeCoins(state.balanceA)
    .storeCoins(state.balanceB)
    .endCell();
}

/**
 * Parses a `ChannelState` cell; rejects unknown tags, external or missing addresses, trailing data, and
 * any encoding but the canonical one (e.g. an amount with leading zero bytes): a state is accepted only
 * as the cell whose hash both parties sign.
 */
export function stateFromCell(cell: Cell): ChannelState {
  const state = parseStateCell(cell);
  if (!stateToCell(state).hash().equals(cell.hash())) {
    throw new StateFormatError('not the canonical encoding of a channel state (an amount with leading zero bytes, or an unusual address form)');
  }
  return state;
}

function parseStateCell(cell: Cell): ChannelState {
  try {
    const s = cell.beginParse();
    const rawTag = s.loadUint(32);
    let tag: StateTag;
    if (rawTag === TAG_STATE) tag = 'state';
    else if (rawTag === TAG_CLOSE) tag = 'close';
    else throw new StateFormatError(`unknown state tag 0x${rawTag.toString(16)}`);
    const channel = s.loadAddress();
    const step = s.loadUintBig(64);
    const balanceA = s.loadCoins();
    const balanceB = s.loadCoins();
    if (s.remainingBits !== 0 || s.remainingRefs !== 0) throw new StateFormatError('extra data after the state');
    return { tag, channel, step, balanceA, balanceB };
  } catch (e) {
    if (e instanceof StateFormatError) throw e;
    throw new StateFormatError(`not a channel state cell: ${(e as Error).message}`);
  }
}

// The state's cell is built here by hand, byte for byte what @ton/core builds (test/core/state.test.ts checks it
// on random states): a payment hashes, serializes and parses states several times, and @ton/core's cells (with its
// JS SHA-256) were the largest part of a payment's CPU time. A cell without references: descriptor bytes d1 = 0,
// d2 = ceil(bits/8) + floor(bits/8), then the data bits padded with a 1 and zeros to a byte.

/** Bits being written or read, most significant first, in one bigint. */
interface BitAcc {
  v: bigint;
  bits: number;
}

function put(acc: BitAcc, x: bigint, w: number): void {
  acc.v = (acc.v << BigInt(w)) | x;
  acc.bits += w;
}

function putCoins(acc: BitAcc, c: bigint): void {
  const len = c === 0n ? 0 : Math.ceil(c.toString(16).length / 2);
  put(acc, BigInt(len), 4);
  if (len) put(acc, c, len * 8);
}

/** The state's cell data: padded bytes and the bit length. */
function cellData(state: ChannelState): { data: Buffer; bits: number } {
  if (state.step < 0n || state.step > MAX_STEP) throw new StateFormatError(`step ${state.step} is outside 0..2^64-1`);
  if (state.balanceA < 0n || state.balanceB < 0n) throw new StateFormatError('a balance is negative');
  if (state.balanceA > MAX_COINS || state.balanceB > MAX_COINS) throw new StateFormatError('a balance is above the Coins maximum 2^120-1');
  const acc: BitAcc = { v: BigInt(tagToUint(state.tag)), bits: 32 };
  put(acc, 0b100n, 3); // addr_std, no anycast
  put(acc, BigInt(state.channel.workChain & 0xff), 8);
  put(acc, BigInt(`0x${state.channel.hash.toString('hex')}`), 256);
  put(acc, state.step, 64);
  putCoins(acc, state.balanceA);
  putCoins(acc, state.balanceB);
  const { bits } = acc;
  const bytes = Math.ceil(bits / 8);
  let v = acc.v;
  if (bits % 8) v = ((v << 1n) | 1n) << BigInt(bytes * 8 - bits - 1);
  return { data: Buffer.from(v.toString(16).padStart(bytes * 2, '0'), 'hex'), bits };
}

const descriptor = (bits: number) => Math.ceil(bits / 8) + Math.floor(bits / 8);

/**
 * A state's encodings, remembered by its content: a payment encodes each state about five times on each side
 * (its hash to sign and verify, its BOC for the wire and the journal). Bounded; callers get copies.
 */
interface Encoded {
  data: Buffer;
  bits: number;
  hash?: Buffer;
  boc?: Buffer;
}
const CACHE_MAX = 256;
const encodedByContent = new Map<string, Encoded>();

function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
}

function contentKey(s: ChannelState): string {
  return `${s.tag}|${s.channel.workChain}|${s.channel.hash.toString('latin1')}|${s.step}|${s.balanceA}|${s.balanceB}`;
}

function encoded(state: ChannelState): Encoded {
  const key = contentKey(state);
  let e = encodedByContent.get(key);
  if (!e) {
    e = cellData(state);
    remember(encodedByContent, key, e);
  }
  return e;
}

/** The 32-byte hash both parties sign: the state cell's representation hash. */
export function stateHash(state: ChannelState): Buffer {
  const e = encoded(state);
  e.hash ??= sha256(Buffer.concat([Buffer.from([0, descriptor(e.bits)]), e.data]));
  return Buffer.from(e.hash);
}

/** The BOC of the state's cell (one root, no index, with a CRC-32C), as `Cell.toBoc()` writes it. */
export function stateToBoc(state: ChannelState): Buffer {
  const e = encoded(state);
  if (!e.boc) {
    const head = Buffer.from([0xb5, 0xee, 0x9c, 0x72, 0x41, 1, 1, 1, 0, 2 + e.data.length, 0, 0, descriptor(e.bits)]);
    const body = Buffer.concat([head, e.data]);
    e.boc = Buffer.concat([body, crc32c(body)]);
  }
  return Buffer.from(e.boc);
}

export function stateToBase64(state: ChannelState): string {
  return stateToBoc(state).toString('base64');
}

/** Takes the next `w` bits (the reader counts `bits` down from the end), or null past the start. */
function take(acc: BitAcc, w: number): bigint | null {
  acc.bits -= w;
  return acc.bits < 0 ? null : (acc.v >> BigInt(acc.bits)) & ((1n << BigInt(w)) - 1n);
}

function takeCoins(acc: BitAcc): bigint | null {
  const len = take(acc, 4);
  return len === null ? null : len === 0n ? 0n : take(acc, Number(len) * 8);
}

/** Reads the state from a BOC in exactly the form stateToBoc writes, or null (then the general parser decides). */
function fromOwnBoc(boc: Buffer): ChannelState | null {
  if (boc.length < 18 || boc.readUInt32BE(0) !== 0xb5ee9c72 || boc[4] !== 0x41 || boc[11] !== 0) return null;
  const data = boc.subarray(13, boc.length - 4);
  if (data[data.length - 1] === 0) return null; // a padded cell ends in its 1 bit
  const acc: BitAcc = { v: BigInt(`0x${data.toString('hex')}`), bits: data.length * 8 };
  while ((acc.v & 1n) === 0n) {
    acc.v >>= 1n;
    acc.bits--;
  }
  acc.v >>= 1n; // the padding's 1
  acc.bits--;
  const tag = take(acc, 32);
  const prefix = take(acc, 3);
  const wc = take(acc, 8);
  const hash = take(acc, 256);
  const step = take(acc, 64);
  const balanceA = takeCoins(acc);
  const balanceB = takeCoins(acc);
  if (acc.bits !== 0 || prefix !== 0b100n || wc === null || hash === null || step === null || balanceA === null || balanceB === null) return null;
  if (tag !== BigInt(TAG_STATE) && tag !== BigInt(TAG_CLOSE)) return null;
  const channel = new Address(wc > 127n ? Number(wc) - 256 : Number(wc), Buffer.from(hash.toString(16).padStart(64, '0'), 'hex'));
  const state: ChannelState = { tag: tag === BigInt(TAG_CLOSE) ? 'close' : 'state', channel, step, balanceA, balanceB };
  // Accepted only if it is byte for byte what we write for that state (else the general parser decides).
  return stateToBoc(state).equals(boc) ? state : null;
}

/** States parsed from BOCs, by the BOC's bytes: a state arrives, is checked by the wire and is read again. */
const decodedByBoc = new Map<string, ChannelState>();

/** Parses a base64 BOC holding exactly one `ChannelState` root. */
export function stateFromBase64(b64: string): ChannelState {
  return stateFromBoc(Buffer.from(b64, 'base64'));
}

/** Parses a BOC holding exactly one `ChannelState` root (the form we write is read without the general parser). */
export function stateFromBoc(boc: Buffer): ChannelState {
  const key = boc.toString('latin1');
  const known = decodedByBoc.get(key);
  if (known) return { ...known };
  const state = parseBoc(boc);
  remember(decodedByBoc, key, { ...state });
  return state;
}

function parseBoc(boc: Buffer): ChannelState {
  const own = fromOwnBoc(boc);
  if (own) return own;
  let cells: Cell[];
  try {
    cells = Cell.fromBoc(boc);
  } catch (e) {
    throw new StateFormatError(`not a BOC: ${(e as Error).message}`);
  }
  if (cells.length !== 1 || !cells[0]) throw new StateFormatError(`expected one root cell, got ${cells.length}`);
  return stateFromCell(cells[0]);
}

export function statesEqual(a: ChannelState, b: ChannelState): boolean {
  return (
    a.tag === b.tag &&
    a.channel.equals(b.channel) &&
    a.step === b.step &&
    a.balanceA === b.balanceA &&
    a.balanceB === b.balanceB
  );
}

export function stateTotal(state: ChannelState): bigint {
  return state.balanceA + state.balanceB;
}
