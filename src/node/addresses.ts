// Address texts the node forms on every message and view, remembered: the raw text of an Address object, the
// raw text of an address string, and the one display form of a wallet or contract address (src/core/format.ts).
import { Address } from '@ton/core';
import { addressText } from '../core/format.js';

/** A channel's contract as every view shows it (kQ…), for what the node says. */
export function shownContract(ctl: { rec: { contract: string } }): string {
  return addressTextOf(ctl.rec.contract, 'contract');
}

/** Address texts by raw address: a view is built on every change and its addresses never change. */
const texts = new Map<string, string>();

/** Raw texts of address objects (an Address never changes). */
const rawTexts = new WeakMap<object, string>();

/** The raw text (0:<hex>) of an address object, remembered. */
export function rawTextOf(address: { toRawString(): string }): string {
  let raw = rawTexts.get(address);
  if (raw === undefined) {
    raw = address.toRawString();
    rawTexts.set(address, raw);
  }
  return raw;
}

/** Raw texts of address strings in any form (a channel's address arrives in every message). Bounded. */
const rawByText = new Map<string, string>();

/** Address.parse(text).toRawString(), remembered (throws like Address.parse on what is not an address). */
export function rawOfText(text: string): string {
  let raw = rawByText.get(text);
  if (raw === undefined) {
    raw = Address.parse(text).toRawString();
    if (rawByText.size >= 4096) rawByText.clear();
    rawByText.set(text, raw);
  }
  return raw;
}

/** addressText, remembered (at most 4,096 addresses). */
export function addressTextOf(address: { toRawString(): string } | string, kind: 'wallet' | 'contract'): string {
  const raw = typeof address === 'string' ? address : rawTextOf(address);
  const key = `${kind}:${raw}`;
  let t = texts.get(key);
  if (t === undefined) {
    if (texts.size >= 4096) texts.clear();
    t = addressText(raw, kind);
    texts.set(key, t);
  }
  return t;
}
