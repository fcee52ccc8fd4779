// Chains for the tests of a message of ours still on its way when the node died (inflight-restart): one where the
// message is signed, marked and then the node dies with it, one where it is refused before it leaves, and one that
// counts a method's calls.
import { WALLET_MESSAGE_TTL } from '../../src/chain/base.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain, OpOptions } from '../../src/chain/types.js';
import type { NodeEvent } from '../../src/node/index.js';

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
 * before its message leaves, or is refused by the contract (`refused`): nothing of it can land; `failed` once it
 * has (once `after` has, if given). Later calls go to the chain, or never answer (`thenHang`: the node sends
 * nothing more of it).
 */
export function failingAfterMark(real: Chain, method: Sends, o: { refused?: boolean; thenHang?: boolean; after?: () => Promise<unknown> } = {}): { chain: Chain; failed: Promise<void> } {
  let first = true;
  let open!: () => void;
  const failed = new Promise<void>((r) => (open = r));
  const chain = new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop !== method) return typeof v === 'function' ? (v as () => unknown).bind(target) : v;
      const fn = (v as (...a: unknown[]) => Promise<unknown>).bind(target);
      return async (...a: unknown[]) => {
        if (!first) return o.thenHang ? new Promise(() => undefined) : fn(...a);
        first = false;
        await o.after?.();
        await optsOf(method, a).beforeSend?.({ validUntil: (await real.now()) + WALLET_MESSAGE_TTL });
        open();
        if (o.refused) throw new ChainError('CONTRACT_REJECTED', 'injected: the channel contract rejected it');
        throw new ChainError('ENDPOINT_UNREACHABLE', 'injected: the endpoint did not take the message; nothing was sent: retry');
      };
    },
  });
  return { chain, failed };
}

/** The real chain, counting the calls of `method`. */
export function counting(real: Chain, method: keyof Chain): { chain: Chain; calls: () => number } {
  let n = 0;
  const chain = new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => unknown).bind(target);
      if (prop !== method) return fn;
      return (...a: unknown[]) => {
        n++;
        return fn(...a);
      };
    },
  });
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
  return new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => Promise<unknown>).bind(target);
      if (prop !== method) return fn;
      return async (_wallet: unknown, _channel: unknown, _s: unknown, o: OpOptions = {}) => {
        if (calls++ > 0) return new Promise(() => undefined);
        await o.beforeSend?.({ validUntil: (await real.now()) + WALLET_MESSAGE_TTL });
        throw new ChainError('WALLET_REJECTED', 'injected: the endpoint refused the external message (nothing was sent)');
      };
    },
  });
}

/** The real chain, except that calls of `method` never answer and send nothing (no mark); `called` once one was made. */
export function hanging(real: Chain, method: Sends): { chain: Chain; called: Promise<void> } {
  let open!: () => void;
  const called = new Promise<void>((r) => (open = r));
  const chain = new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => unknown).bind(target);
      if (prop !== method) return fn;
      return () => {
        open();
        return new Promise(() => undefined);
      };
    },
  });
  return { chain, called };
}
