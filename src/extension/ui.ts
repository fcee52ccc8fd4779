// Small building blocks of the commands: targets (tree elements or explicit arguments), amounts checked as they
// are typed, cancellable progress on chain waits.
import * as vscode from 'vscode';
import type { Action, BalanceView, ChannelNodeApi, ChannelView, ProgressOptions } from '../node/types.js';
import { quickRead } from '../node/uiRules.js';
import { WALLET_READ_MS } from './promptWallet.js';
import type { Prompts, StepOptions } from './prompts.js';
import { cancelled } from './prompts.js';
import { ExtensionError, formatTon, parseTon, validateAmount } from './util.js';

export { cancelled } from './prompts.js';
export { PromptWallet, WALLET_READ_MS } from './promptWallet.js';

export { isTarget, targetChannel, targetParty, targetStep, type TargetArg } from './targets.js';

export function amountArg(v: unknown, what: string): bigint | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' || typeof v === 'number') {
    const problem = validateAmount(String(v), { allowZero: true });
    if (problem) throw new ExtensionError('BAD_INPUT', `${what}: ${problem}`);
    return parseTon(String(v).trim());
  }
  throw new ExtensionError('BAD_INPUT', `${what}: expected an amount in TON such as "1.5"`);
}

export interface AmountOptions extends StepOptions {
  /** a function: said again after `fresh` read (the wallet's figure it names) */
  prompt: string | (() => string);
  value?: string;
  allowZero?: boolean;
  /** the most that can be entered, and what it is ("your balance in the channel"); a function: judged by what it reads now (null: no most) */
  max?: AmountMax | (() => AmountMax | null);
  /** one more check of the amount as typed (why it cannot be accepted) */
  check?: (nano: bigint) => string | undefined;
  /**
   * On Enter with the amount refused: reads again what `max` and `check` judge by (the wallet, which may have been
   * topped up while the box was open), then they judge again. Returns why it could not read (said instead).
   */
  fresh?: () => Promise<string | undefined>;
  /** what an acceptable amount would leave (shown under it as it is typed) */
  after?: (nano: bigint) => string;
}

export interface AmountMax {
  nano: bigint;
  what: string;
}

/** Asks for an amount, checked as it is typed (against the real balance when there is one). */
export async function askAmount(prompts: Prompts, o: AmountOptions): Promise<bigint> {
  const judge = (t: string) => {
    const problem = validateAmount(t, { allowZero: o.allowZero });
    if (problem) return problem;
    const max = typeof o.max === 'function' ? o.max() : o.max;
    if (max && parseTon(t.trim()) > max.nano) return `at most ${formatTon(max.nano)} TON (${max.what})`;
    return o.check?.(parseTon(t.trim()));
  };
  const fresh = o.fresh;
  const text = await prompts.input({
    ...o,
    placeholder: o.placeholder ?? 'amount in TON, e.g. 1.5',
    validate: judge,
    // an amount refused by what was read before the box opened: judged by a fresh read (not a mistyped amount)
    ...(fresh ? { onEnter: async (t: string) => (!judge(t) || validateAmount(t, { allowZero: o.allowZero }) ? judge(t) : ((await fresh()) ?? judge(t))) } : {}),
    ...(o.after ? { note: (t: string) => o.after!(parseTon(t.trim())) } : {}),
  });
  return parseTon(text.trim());
}

/**
 * The amounts a person typed into a command that then failed (or was left), by what they were for (a channel's
 * Send, Open's deposits), and the partner's address typed into a Connect: offered again as the input box's value
 * next time. In memory, the last 100.
 */
export class TypedAmounts {
  private readonly kept = new Map<string, string>();

  /** The amount typed for `key` and not used yet (else `fallback`), as the input box's value. */
  value(key: string, fallback?: string): { value: string } | Record<string, never> {
    const v = this.kept.get(key) ?? fallback;
    return v === undefined ? {} : { value: v };
  }

  /** Keeps a typed amount until done(key). */
  typed(key: string, nano: bigint): bigint {
    this.keep(key, formatTon(nano));
    return nano;
  }

  /** Keeps a typed text (a partner's address) until done(key). */
  typedText(key: string, text: string): string {
    this.keep(key, text);
    return text;
  }

  private keep(key: string, value: string): void {
    this.kept.delete(key);
    this.kept.set(key, value);
    if (this.kept.size > 100) this.kept.delete(this.kept.keys().next().value!);
  }

  /** The command succeeded: nothing to offer again. */
  done(...keys: string[]): void {
    for (const k of keys) this.kept.delete(k);
  }
}

/**
 * Runs an on-chain wait with a notification progress, cancellable when `fn` passes the signal on (a read that
 * ignores it says `{ cancellable: false }`: no Cancel button that does nothing). A cancel after something was sent
 * is the node's CANCELLED with `sent: true`, shown as a warning (errors.ts).
 */
/** The titles of the progress notices shown so far, the latest 50 (the in-host tests read them: test API progress). */
export const progressShown: string[] = [];

export function onChain<T>(title: string, fn: (opts: ProgressOptions) => Promise<T>, o: { cancellable?: boolean } = {}): Thenable<T> {
  const cancellable = o.cancellable ?? true;
  progressShown.push(`SynChannel: ${title}`);
  progressShown.splice(0, progressShown.length - 50);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SynChannel: ${title}`, cancellable }, async (progress, token) => {
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      return await fn({ signal: ac.signal, onProgress: (message) => progress.report({ message }) });
    } finally {
      sub.dispose();
    }
  });
}


/**
 * The wallet a deposit or a key replacement speaks of (its balance, the storage fee due), read under a progress
 * notice before the prompt: at most WALLET_READ_MS, then null (the prompt says nothing of the wallet; the node's own
 * check has the last word). Cancel cancels the command.
 */
export function walletRead(api: Pick<ChannelNodeApi, 'balanceTonDue'>): Thenable<BalanceView | null> {
  return onChain('reading your wallet…', ({ signal }) => {
    const stop = new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(cancelled()), { once: true }));
    stop.catch(() => undefined); // a cancel after the read answered changes nothing
    return Promise.race([quickRead(() => api.balanceTonDue(), WALLET_READ_MS), stop]);
  });
}

/** Throws the node's reason when the channel does not allow `action` now (ChannelView.actions). */
export function requireAction(ch: ChannelView, action: Action): void {
  const can = ch.actions[action];
  if (!can.ok) throw new ExtensionError(can.code, can.why);
}
