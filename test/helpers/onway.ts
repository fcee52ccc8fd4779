// Chains for the tests of a message of ours still on its way when the node died (inflight-restart): one where the
// message is signed, marked and then the node dies with it, one where it is refused before it leaves, and one that
// counts a method's calls; and the steps these tests share.
import { join } from 'node:path';
import { WALLET_MESSAGE_TTL } from '../../src/chain/base.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain, OpOptions } from '../../src/chain/types.js';
import { createNode, waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { TON, closePair, connect, fund, latest, openPair, until, type Pair, type PairOptions } from './nodes.js';
import { payOne } from './reads.js';

/** What a node logs as it holds back a message of ours that was sent before and may still land. */
export const held = /sent before may still land/;

type Who = 'alice' | 'bob';

/** Runs `fn` on a new pair, stopped at its end. */
export async function onPair(opts: PairOptions, fn: (p: Pair) => Promise<void>): Promise<void> {
  const p = await openPair(opts);
  try {
    await fn(p);
  } finally {
    await closePair(p);
  }
}

/** Starts `who`'s node again on its data folder, on `chain`. */
export const restartOn = (p: Pair, who: Who, chain: Chain) => createNode({ ...p.common, chain, dataDir: join(p.dir, who), key: { keyPair: p.keys[who] } });

/** Funds the pair and pays once, then starts `who` again on `wrap`'s chain; `head` is `who`'s step before. */
export async function paidThenRestartedOn<W extends { chain: Chain }>(p: Pair, who: Who, wrap: (c: Chain) => W): Promise<W & { head: bigint }> {
  await fund(p);
  await payOne(p);
  const head = latest(p[who]).step;
  await p[who].stop();
  const w = wrap(p.chain);
  p[who] = await restartOn(p, who, w.chain);
  return { ...w, head };
}

/** Connects the pair again and waits until `who` reads its channel open. */
export async function readingOpen(p: Pair, who: Who): Promise<void> {
  await connect(p.alice, p.bob);
  await until(`${who} to read the channel`, () => p[who].currentChannel()?.phase === 'open');
}

/** Stops `who` (then runs `whileStopped`) and starts it again counting its calls of `method`, with what it tells from then on. */
export async function restartCounting(p: Pair, who: Who, method: keyof Chain, whileStopped?: () => unknown) {
  await p[who].stop();
  await whileStopped?.();
  const again = counting(p.chain, method);
  p[who] = await restartOn(p, who, again.chain);
  return { again, ...telling(p[who]) };
}

/** Waits until `again` was called or `logs` say a message was held back. */
export const sentOrHeld = (what: string, again: { calls: () => number }, logs: string[]) => until(what, () => again.calls() > 0 || logs.some((l) => held.test(l)));

/** Alice proposes 3 TON against Bob's 4 (Bob not on auto), Bob deposits, and Alice is offered the exit. */
export async function exitOffered(p: Pair): Promise<void> {
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const offered = waitForEvent(p.alice, 'exitOffered', () => true, 60_000);
  await p.bob.deposit();
  await offered;
}

/** `real`, except that calls of `method` go through `call`, with the real one (bound) and their arguments. */
export function around(real: Chain, method: keyof Chain, call: (fn: (...a: unknown[]) => Promise<unknown>, a: unknown[]) => unknown): Chain {
  return new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => Promise<unknown>).bind(target);
      return prop === method ? (...a: unknown[]) => call(fn, a) : fn;
    },
  });
}

/**
 * The real chain, except that `method` is signed (its `beforeSend` mark kept) and the node dies with it on its way:
 * the call never answers and the node reads nothing more (other calls fail, its watch hears nothing). `land()`
 * makes that message land, as the one on its way would.
 */
export function dyingOnWay(real: Chain, method: Sends): { chain: Chain; marked: Promise<void>; land: () => Promise<unknown> } {
  let dead = false;
  let open!: () => void;
  const marked = new Promise<void>((r) => (open = r));
  let land: () => Promise<unknown> = () => Promise.reject(new Error('nothing on its way'));
  const chain = new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => Promise<unknown>).bind(target);
      if (prop === 'watchChannel') {
        return (channel: unknown, o: { onEvent: (e: unknown) => void }) => fn(channel, { ...o, onEvent: (e: unknown) => void (dead || o.onEvent(e)) });
      }
      if (prop !== method) return dead && prop !== 'close' ? () => Promise.reject(new Error('injected: the node died')) : fn;
      return async (...a: unknown[]) => {
        await optsOf(method, a).beforeSend?.({ validUntil: (await real.now()) + WALLET_MESSAGE_TTL });
        dead = true;
        land = () => fn(...withoutOpts(method, a));
        open();
        return new Promise(() => undefined);
      };
    },
  });
  return { chain, marked, land: () => land() };
}

/** The sends of ours to the contract these chains stop on their way. */
type Sends = 'challenge' | 'cooperativeClose' | 'startClose' | 'startExit' | 'finishClose';

/** The options of a call of `method` (its last argument: the state's, if it carries one, comes before). */
const optsOf = (method: Sends, a: unknown[]): OpOptions => (a[method === 'startExit' || method === 'finishClose' ? 2 : 3] ?? {}) as OpOptions;
const withoutOpts = (method: Sends, a: unknown[]): unknown[] => a.slice(0, method === 'startExit' || method === 'finishClose' ? 2 : 3);

/**
 * The real chain, except that the first call of `method` is signed (its `beforeSend` mark kept) and then fails
 * before its message leaves, or is refused by the contract (`refused`): nothing of it can land; or it gets no
 * answer (`mayLand`: sent, it may still land). `failed` once it has (once `after` has, if given). Later calls go to
 * the chain, or never answer (`thenHang`: the node sends nothing more of it).
 */
export function failingAfterMark(real: Chain, method: Sends, o: { refused?: boolean; mayLand?: boolean; thenHang?: boolean; after?: () => Promise<unknown> } = {}): { chain: Chain; failed: Promise<void> } {
  let first = true;
  let open!: () => void;
  const failed = new Promise<void>((r) => (open = r));
  const chain = around(real, method, async (fn, a) => {
    if (!first) return o.thenHang ? new Promise(() => undefined) : fn(...a);
    first = false;
    await o.after?.();
    await optsOf(method, a).beforeSend?.({ validUntil: (await real.now()) + WALLET_MESSAGE_TTL });
    open();
    if (o.refused) throw new ChainError('CONTRACT_REJECTED', 'injected: the channel contract rejected it');
    if (o.mayLand) throw new ChainError('TIMEOUT', 'injected: sent, and no answer; it may still land', { sent: true });
    throw new ChainError('ENDPOINT_UNREACHABLE', 'injected: the endpoint did not take the message; nothing was sent: retry');
  });
  return { chain, failed };
}

/** The real chain, counting the calls of `method`. */
export function counting(real: Chain, method: keyof Chain): { chain: Chain; calls: () => number } {
  let n = 0;
  const chain = around(real, method, (fn, a) => (n++, fn(...a)));
  return { chain, calls: () => n };
}

/** The close and challenge events, challenge failures and log lines a node tells from now on. */
export function telling(node: { on: (l: (e: NodeEvent) => void) => unknown }): { told: string[]; logs: string[] } {
  const told: string[] = [];
  const logs: string[] = [];
  node.on((e: NodeEvent) => {
    if (e.type === 'closeStarted') told.push(`closeStarted ${e.step} byPartner=${e.byPartner}`);
    if (e.type === 'challenged') told.push(`challenged ${e.step} byMe=${e.byMe}`);
    if (e.type === 'challengeFailed') told.push(`challengeFailed ${e.code}`);
    if (e.type === 'log') logs.push(e.message);
  });
  return { told, logs };
}

/**
 * The real chain, except that the first call of `method` is signed (its `beforeSend` mark kept) and then refused
 * before it leaves (an endpoint's clear refusal: nothing of it can land); later calls never answer (nothing more
 * is sent).
 */
export function refusedBeforeLeaving(real: Chain, method: 'challenge' | 'cooperativeClose'): Chain {
  let calls = 0;
  return around(real, method, async (_fn, a) => {
    if (calls++ > 0) return new Promise(() => undefined);
    await optsOf(method, a).beforeSend?.({ validUntil: (await real.now()) + WALLET_MESSAGE_TTL });
    throw new ChainError('WALLET_REJECTED', 'injected: the endpoint refused the external message (nothing was sent)');
  });
}

/** The real chain, except that calls of `method` never answer and send nothing (no mark); `called` once one was made. */
export function hanging(real: Chain, method: Sends): { chain: Chain; called: Promise<void> } {
  let open!: () => void;
  const called = new Promise<void>((r) => (open = r));
  const chain = around(real, method, () => {
    open();
    return new Promise(() => undefined);
  });
  return { chain, called };
}
