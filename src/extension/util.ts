// Small helpers shared by the extension's views: amounts, short addresses, typed errors.
import { formatTon, parseTon } from '../core/amounts.js';
import { SynError, codeOf, type ErrorCode } from '../core/errors.js';
import type { StateView } from '../node/types.js';
import { heldNote } from '../node/uiRules.js';
import { isAbsolute, join } from 'node:path';

export { formatTon, parseTon };

/**
 * The folder of a path setting as typed: a leading "~" is the home folder; a relative path (which would be taken
 * from the extension host's working folder) has a problem, said in words.
 */
export function settingFolder(typed: string, home: string): { path: string; problem?: string } {
  const path = typed === '~' || /^~[\\/]/.test(typed) ? join(home, typed.slice(1)) : typed;
  return isAbsolute(path) ? { path } : { path, problem: `"${typed}" is a relative path, which would be taken from VS Code's working folder: set a full path (for example ~/synchannel)` };
}

/** An answer from the extension itself when a command cannot act; the code is from the one vocabulary. */
export class ExtensionError extends SynError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'ExtensionError';
  }
}

/** The vocabulary code of anything thrown (CANCELLED for aborts, INTERNAL for a bug). */
export function errorCode(err: unknown): ErrorCode {
  return codeOf(err);
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Validates an amount as the user types (InputBox validateInput): undefined when fine, else why not. */
export function validateAmount(text: string, opts: { allowZero?: boolean } = {}): string | undefined {
  try {
    const v = parseTon(text.trim());
    if (v < 0n) return 'the amount cannot be negative';
    if (v === 0n && !opts.allowZero) return 'enter an amount above 0';
    return undefined;
  } catch (e) {
    return errorMessage(e);
  }
}

export function shortAddress(address: string | null | undefined): string {
  if (!address) return '—';
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** `A [3 4] B`, the original tool's notation. */
export function stateLine(s: { balanceA: bigint; balanceB: bigint }): string {
  return `A [${formatTon(s.balanceA)} ${formatTon(s.balanceB)}] B`;
}

export function signedBy(s: StateView): string {
  const who = [s.sigA ? 'A' : null, s.sigB ? 'B' : null].filter(Boolean);
  return who.length ? `signed by ${who.join('+')}` : 'unsigned';
}

/** Lines like the original `showAll`. */
export function describeState(s: StateView): string {
  const close = s.tag === 'close' ? ' (close)' : '';
  return `Step ${s.step}${close}${heldNote(s)} · sender ${s.sender} · ${stateLine(s)} · ${signedBy(s)}`;
}

/** Replaces every secret we know of with *** before a line reaches the output channel. */
export class Redactor {
  private secrets = new Set<string>();
  add(secret: string | null | undefined): void {
    if (secret && secret.length >= 8) this.secrets.add(secret);
  }
  redact(line: string): string {
    let out = line;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  }
}
