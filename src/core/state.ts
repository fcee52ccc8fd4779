// The channel state and its cell, exactly as `ChannelState` in contracts/channel.tlb.
import { SynError } from './errors.js';
import { Address, beginCell, Cell } from '@ton/core';
import { MAX_COINS } from './amounts.js';

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

/** The 32-byte hash both parties sign. */
export function stateHash(state: ChannelState): Buffer {
  return stateToCell(state).hash();
}

export function stateToBoc(state: ChannelState): Buffer {
  return stateToCell(state).toBoc();
}

export function stateToBase64(state: ChannelState): string {
  return stateToBoc(state).toString('base64');
}

/** Parses a base64 BOC holding exactly one `ChannelState` root. */
export function stateFromBase64(b64: string): ChannelState {
  let cells: Cell[];
  try {
    cells = Cell.fromBoc(Buffer.from(b64, 'base64'));
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
