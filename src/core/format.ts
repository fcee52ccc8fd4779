// The one place for the text forms every UI shares: the original's `A [x y] B` line and address forms.
// Amounts: parseTon / formatTon in amounts.ts.
import { Address } from '@ton/core';
import { formatTon } from './amounts.js';

export { NETWORKS, isNetwork, type NetworkKind } from './networks.js';

/** `A [3 4] B`, the original tool's notation of a state's balances (exact TON amounts). */
export function balancesLine(s: { balanceA: bigint; balanceB: bigint }): string {
  return `A [${formatTon(s.balanceA)} ${formatTon(s.balanceB)}] B`;
}

/**
 * One form per address everywhere (CLI, VS Code, logs): none of our networks is mainnet, so always testOnly;
 * wallets non-bounceable (0Q…), contracts bounceable (kQ…), as TON wallets show them.
 */
export function addressText(address: Address | string, kind: 'wallet' | 'contract'): string {
  const a = typeof address === 'string' ? Address.parse(address) : address;
  return a.toString({ testOnly: true, bounceable: kind === 'contract' });
}

// C0 and C1 controls (ESC starts a terminal escape), DEL, zero-width and bidirectional-override characters.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Text a peer wrote, as one printable line: it can neither move the cursor nor forge a line of ours. */
export function oneLine(text: string): string {
  return text.replace(UNSAFE, ' ');
}

/** Text for a terminal: our own lines stay lines, nothing else controls the terminal. */
export function printable(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, ' ');
}

/** A short form for narrow places (tree rows): `0QAb12…wxyz`. */
export function shortAddress(text: string | null | undefined): string {
  if (!text) return '—';
  return text.length > 14 ? `${text.slice(0, 6)}…${text.slice(-4)}` : text;
}
