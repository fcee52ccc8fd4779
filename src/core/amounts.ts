// TON amounts: text <-> bigint nanotons, exact (no floats anywhere).
import { AmountError } from './errors.js';

/** 1 TON = 10^9 nanotons. */
export const NANO_PER_TON = 1_000_000_000n;
export const TON_DECIMALS = 9;
/** The largest `Coins` value (VarUInteger 16): 2^120 - 1 nanotons. */
export const MAX_COINS = (1n << 120n) - 1n;

const EXAMPLE = 'write a TON amount such as 1, 0.5, .25 or 1.000000001';
// 2^120 - 1 nanotons has 28 integer digits in TON; anything much longer is too large without parsing it.
const MAX_INT_DIGITS = 40;

function fail(input: string, what: string): never {
  throw new AmountError(`"${shorten(input)}" is not a valid amount: ${what}; ${EXAMPLE}`, input);
}

function shorten(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * Parses a TON amount ("1", ".1", "0.1", "1.000000001", surrounding whitespace allowed) into nanotons.
 * Accepts "0". Throws AmountError (code INVALID_AMOUNT) for anything else, saying what is wrong.
 */
export function parseTon(text: string): bigint {
  if (typeof text !== 'string') fail(String(text), 'it is not text');
  const t = text.trim();
  if (t === '') fail(text, 'it is empty');
  if (t.startsWith('-')) fail(text, 'it is negative');
  if (t.startsWith('+')) fail(text, 'leave out the plus sign');
  if (/^(nan|[+-]?infinity)$/i.test(t)) fail(text, 'it is not a number');
  if (/^0x/i.test(t)) fail(text, 'hexadecimal is not accepted');
  if (/^[0-9.]*e/i.test(t)) fail(text, 'exponents (1e9) are not accepted, write all digits');
  if (/^[0-9.,]+\s*tons?$/i.test(t)) fail(text, 'leave out the unit, amounts are in TON');
  // commas that may group thousands ("1,500", "1,000.5"): read as decimals they would send far less than meant
  if (/^[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?$/.test(t)) {
    const whole = t.replace(/,/g, '');
    if (/^[0-9]+,[0-9]{3}$/.test(t)) fail(text, `the comma could mean ${whole} or ${formatTon(parseTon(t.replace(',', '.')))}: write the one you mean, without a comma (a dot for decimals)`);
    fail(text, `leave out the thousands separators: ${whole}`);
  }
  if (t.includes(',')) fail(text, 'use a dot, not a comma, as the decimal separator');
  const m = /^([0-9]*)(?:\.([0-9]*))?$/.exec(t);
  if (!m) fail(text, 'only digits and one decimal dot are allowed');
  const intPart = m[1] ?? '';
  // "1 000" typed as two arguments would read its second part as 0: a number never starts with 0 and more digits
  if (/^0[0-9]/.test(intPart)) fail(text, 'it has a leading zero: write 0.5 or 5, and a number without spaces (1000, not 1 000)');
  // zeros past the ninth decimal are exact (2.0000000000): only digits that a nanoton cannot hold are refused
  const frac = m[2] !== undefined && m[2].length > TON_DECIMALS ? m[2].replace(/0+$/, '').padEnd(TON_DECIMALS, '0') : m[2];
  if (frac !== undefined && frac === '') fail(text, 'digits must follow the decimal dot');
  if (intPart === '' && frac === undefined) fail(text, 'it has no digits');
  if (frac !== undefined && frac.length > TON_DECIMALS) {
    fail(text, `TON has at most 9 decimals (1 nanoton = 0.000000001 TON), this has ${frac.length}`);
  }
  if (intPart.replace(/^0+/, '').length > MAX_INT_DIGITS) fail(text, tooLarge());
  const nano = BigInt(intPart || '0') * NANO_PER_TON + BigInt((frac ?? '').padEnd(TON_DECIMALS, '0') || '0');
  if (nano > MAX_COINS) fail(text, tooLarge());
  return nano;
}

function tooLarge(): string {
  return `it is larger than any amount TON can carry (at most ${formatTon(MAX_COINS)} TON)`;
}

/** As parseTon, but also rejects zero: for payments and deposits. */
export function parsePositiveTon(text: string): bigint {
  const nano = parseTon(text);
  if (nano === 0n) {
    throw new AmountError(`the amount must be more than zero; the smallest is 0.000000001 TON`, text);
  }
  return nano;
}

/** Parses a whole number of nanotons ("1500000000"), as stored in JSON and sent by peers. */
export function parseNano(text: string): bigint {
  const t = typeof text === 'string' ? text.trim() : '';
  if (!/^[0-9]+$/.test(t)) {
    throw new AmountError(`"${shorten(String(text))}" is not a whole number of nanotons (digits only, e.g. 1500000000)`, String(text));
  }
  if (t.replace(/^0+/, '').length > MAX_INT_DIGITS + TON_DECIMALS) {
    throw new AmountError(`"${shorten(t)}" nanotons is more than the largest Coins value ${MAX_COINS}`, t);
  }
  const nano = BigInt(t);
  if (nano > MAX_COINS) throw new AmountError(`"${shorten(t)}" nanotons is more than the largest Coins value ${MAX_COINS}`, t);
  return nano;
}

export function formatNano(nano: bigint): string {
  return nano.toString();
}

export interface FormatTonOptions {
  /**
   * Show at least this many decimals (0..9), padding with zeros: `{ decimals: 6 }` prints 3 TON as
   * "3.000000". A value that needs more decimals is still printed exactly, with all it needs.
   */
  decimals?: number;
}

/** Formats nanotons as TON text, exactly: 3000000000n -> "3", 3200000000n -> "3.2", 1n -> "0.000000001". */
export function formatTon(nano: bigint, opts: FormatTonOptions = {}): string {
  const min = opts.decimals ?? 0;
  if (!Number.isInteger(min) || min < 0 || min > TON_DECIMALS) {
    throw new RangeError(`formatTon: decimals must be an integer 0..9, got ${min}`);
  }
  const negative = nano < 0n;
  const abs = negative ? -nano : nano;
  const whole = abs / NANO_PER_TON;
  let frac = (abs % NANO_PER_TON).toString().padStart(TON_DECIMALS, '0').replace(/0+$/, '');
  if (frac.length < min) frac = frac.padEnd(min, '0');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}
