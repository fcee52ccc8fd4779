// Small building blocks of the commands: targets (tree elements or explicit arguments), validated inputs,
// cancellable progress on chain waits, information messages.
import * as vscode from 'vscode';
import type { ProgressOptions } from '../node/types.js';
import type { TreeElement } from './tree.js';
import { ExtensionError, formatTon, parseTon, validateAmount } from './util.js';
import type { PartyId } from './host.js';

export interface TargetArg {
  party?: PartyId;
  channel?: string;
  step?: string;
}

export const cancelled = () => new ExtensionError('CANCELLED', 'cancelled');

export function isTarget(a: unknown): a is TreeElement | TargetArg {
  if (!a || typeof a !== 'object' || Array.isArray(a)) return false;
  const o = a as Record<string, unknown>;
  return 'kind' in o || 'party' in o || 'channel' in o;
}

export function targetChannel(t: TreeElement | TargetArg | undefined): string | undefined {
  if (!t) return undefined;
  if ('kind' in t) return t.kind === 'network' ? undefined : t.channelId;
  return t.channel;
}

export function targetStep(t: TreeElement | TargetArg | undefined): bigint | undefined {
  if (!t) return undefined;
  if ('kind' in t) return t.kind === 'step' ? BigInt(t.step) : undefined;
  return t.step !== undefined ? BigInt(t.step) : undefined;
}

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

export async function askAmount(prompt: string, opts: { value?: string; allowZero?: boolean; max?: bigint } = {}): Promise<bigint> {
  const text = await vscode.window.showInputBox({
    title: 'SynChannel',
    prompt,
    placeHolder: 'amount in TON, e.g. 1.5',
    value: opts.value,
    ignoreFocusOut: true,
    // Checked as you type, against the real balance when there is one: nothing typed is lost to a late refusal.
    validateInput: (t) => {
      const problem = validateAmount(t, { allowZero: opts.allowZero });
      if (problem) return problem;
      if (opts.max !== undefined && parseTon(t.trim()) > opts.max) return `at most ${formatTon(opts.max)} TON (what you have)`;
      return undefined;
    },
  });
  if (text === undefined) throw cancelled();
  return parseTon(text.trim());
}

/** Runs an on-chain wait with a cancellable notification progress. */
export function onChain<T>(title: string, fn: (opts: ProgressOptions) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SynChannel: ${title}`, cancellable: true }, async (progress, token) => {
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      return await fn({ signal: ac.signal, onProgress: (message) => progress.report({ message }) });
    } finally {
      sub.dispose();
    }
  });
}

export function info(message: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showInformationMessage(`SynChannel: ${message}`, ...actions);
}

