// The words of the balances panel's amount cells, apart from the DOM (view.ts draws them): an amount, or for a chain
// figure with no answer, whether its read is under way or failed.
import { figureAmount, type Amount, type ChainFigure } from './protocol.js';

export const DASH = '—';

export interface CellText {
  text: string;
  /** the hover ('' for none) */
  title: string;
  /** the style of a cell with no figure (media/balances.css): a read under way, a read that failed */
  tone?: 'hint' | 'warning';
}

/** An amount ("≈ 996.969 TON", the exact one on hover when rounded), or "—" for none. */
export function amountText(a: Amount | null): CellText {
  if (!a) return { text: DASH, title: '' };
  return { text: `${a.short} TON`, title: a.short !== a.ton ? `${a.ton} TON exactly` : '' };
}

/** A wallet's (or the contract's) balance with the storage fee due the host says is worth saying, or why there is none. */
export function figureText(f: ChainFigure | null | undefined): CellText {
  if (f && 'notRead' in f) {
    if (f.notRead === 'reading') return { text: 'reading…', title: 'Reading this balance from the chain: it shows here once the chain answers.', tone: 'hint' };
    return { text: `not read: ${f.reason}`, title: `${f.detail}. It is read again by itself in a few seconds; Refresh reads it now.`, tone: 'warning' };
  }
  const a = figureAmount(f);
  const cell = amountText(a);
  return a?.due ? { ...cell, text: `${cell.text} (${a.due})` } : cell;
}
