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

/** The state's cell data: padded bytes and the bit length. */
function cellData(state: ChannelState): { data: Buffer; bits: number } {
  if (state.step < 0n || state.step > MAX_STEP) throw new StateFormatError(`step ${state.step} is outside 0..2^64-1`);
  if (state.balanceA < 0n || state.balanceB < 0n) throw new StateFormatError('a balance is negative');
  if (state.balanceA > MAX_COINS || state.balanceB > MAX_COINS) throw new StateFormatError('a balance is above the Coins maximum 2^120-1');
  let v = BigInt(tagToUint(state.tag));
  let bits = 32;
  const put = (x: bigint, w: number) => {
    v = (v << BigInt(w)) | x;
    bits += w;
  };
  put(0b100n, 3); // addr_std, no anycast
  put(BigInt(state.channel.workChain & 0xff), 8);
  put(BigInt(`0x${state.channel.hash.toString('hex')}`), 256);
  put(state.step, 64);
  for (const c of [state.balanceA, state.balanceB]) {
    const len = c === 0n ? 0 : Math.ceil(c.toString(16).length / 2);
    put(BigInt(len), 4);
    if (len) put(c, len * 8);
  }
  const bytes = Math.ceil(bits / 8);
  if (bits % 8) v = ((v << 1n) | 1n) << BigInt(bytes * 8 - bits - 1);
  return { data: Buffer.from(v.toString(16).padStart(bytes * 2, '0'), 'hex'), bits };
}

const descriptor = (bits: number) => Math.ceil(bits / 8) + Math.floor(bits / 8);

/** The 32-byte hash both parties sign: the state cell's representation hash. */
export function stateHash(state: ChannelState): Buffer {
  const { data, bits } = cellData(state);
  return sha256(Buffer.concat([Buffer.from([0, descriptor(bits)]), data]));
}

/** The BOC of the state's cell (one root, no index, with a CRC-32C), as `Cell.toBoc()` writes it. */
export function stateToBoc(state: ChannelState): Buffer {
  const { data, bits } = cellData(state);
  const head = Buffer.from([0xb5, 0xee, 0x9c, 0x72, 0x41, 1, 1, 1, 0, 2 + data.length, 0, 0, descriptor(bits)]);
  const body = Buffer.concat([head, data]);
  return Buffer.concat([body, crc32c(body)]);
}

export function stateToBase64(state: ChannelState): string {
  return stateToBoc(state).toString('base64');
}

/** Reads the state from a BOC in exactly the form stateToBoc writes, or null (then the general parser decides). */
function fromOwnBoc(boc: Buffer): ChannelState | null {
  if (boc.length < 18 || boc.readUInt32BE(0) !== 0xb5ee9c72 || boc[4] !== 0x41 || boc[11] !== 0) return null;
  const data = boc.subarray(13, boc.length - 4);
  if (data[data.length - 1] === 0) return null; // a padded cell ends in its 1 bit
  let v = BigInt(`0x${data.toString('hex')}`);
  let at = data.length * 8;
  while ((v & 1n) === 0n) {
    v >>= 1n;
    at--;
  }
  v >>= 1n; // the padding's 1
  at--;
  const take = (w: number): bigint | null => {
    at -= w;
    return at < 0 ? null : (v >> BigInt(at)) & ((1n << BigInt(w)) - 1n);
  };
  const tag = take(32);
  const prefix = take(3);
  const wc = take(8);
  const hash = take(256);
  const step = take(64);
  const coins = (): bigint | null => {
    const len = take(4);
    return len === null ? null : len === 0n ? 0n : take(Number(len) * 8);
  };
  const balanceA = coins();
  const balanceB = coins();
  if (at !== 0 || prefix !== 0b100n || wc === null || hash === null || step === null || balanceA === null || balanceB === null) return null;
  if (tag !== BigInt(TAG_STATE) && tag !== BigInt(TAG_CLOSE)) return null;
  const channel = new Address(wc > 127n ? Number(wc) - 256 : Number(wc), Buffer.from(hash.toString(16).padStart(64, '0'), 'hex'));
  const state: ChannelState = { tag: tag === BigInt(TAG_CLOSE) ? 'close' : 'state', channel, step, balanceA, balanceB };
  // Accepted only if it is byte for byte what we write for that state (else the general parser decides).
  return stateToBoc(state).equals(boc) ? state : null;
}

/** Parses a base64 BOC holding exactly one `ChannelState` root. */
export function stateFromBase64(b64: string): ChannelState {
  return stateFromBoc(Buffer.from(b64, 'base64'));
}

/** Parses a BOC holding exactly one `ChannelState` root (the form we write is read without the general parser). */
export function stateFromBoc(boc: Buffer): ChannelState {
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
