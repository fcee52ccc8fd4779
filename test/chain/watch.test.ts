// The watch reports `closed` only for a stored CLOSED phase whose payout transaction was read (the audit: one empty
// read after a live one was taken for "closed", and a failed transaction lookup made the node report the latest
// state's balances as the payout). Empty reads and lookups that fail go to onError and are tried again.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Address } from '@ton/core';
import type { SandboxChain } from '../../src/chain/SandboxChain.js';
import type { AccountInfo } from '../../src/chain/base.js';
import { ChainError } from '../../src/chain/errors.js';
import { runWatch, type WatchSource } from '../../src/chain/watch.js';
import type { ChannelEvent, ChannelStatus, Payout } from '../../src/chain/types.js';
import type { ChannelData } from '../../src/contract/index.js';
import { scriptedReads } from './fixtures/scripted-watch.js';
import { collect, config, parties, signed, TON, type Harness } from './scenarios.js';

let chain: SandboxChain;
let h: Harness;

before(async () => {
  const heavy = await import('#heavy');
  chain = await heavy.SandboxChain.create();
  h = { chain, wallet: (k) => chain.openWallet(k), advanceTime: async (s) => void chain.advanceTime(s), pollMs: 20 };
});
after(async () => {
  await chain.close();
});

/** Replaces a protected primitive of the chain object for as long as `active()` says. */
type Fn = (...args: unknown[]) => Promise<unknown>;
function intercept(name: 'account' | 'transactionsPage', active: () => boolean, fake: (real: Fn, ...args: unknown[]) => Promise<unknown>): () => void {
  const target = chain as unknown as Record<string, Fn>;
  const real = target[name]!.bind(chain);
  target[name] = (...args: unknown[]) => (active() ? fake(real, ...args) : real(...args));
  return () => {
    target[name] = real;
  };
}

describe('the channel watch', () => {
  test('an empty read of a live channel is reported to onError and never taken for closed', async () => {
    const { A, B } = await parties(h);
    const cfg = config(A, B, TON, TON);
    const address = chain.channelAddress(cfg);
    await chain.deployChannel(A.wallet, cfg, TON);
    await chain.deposit(B.wallet, address, TON);
    const w = collect(h, address);
    let empty = false;
    const restore = intercept('account', () => empty, async () => ({ state: 'nonexist', balance: 0n, data: null, lastLt: 0n }) satisfies AccountInfo);
    try {
      await new Promise((r) => setTimeout(r, 100)); // the baseline poll has run
      empty = true;
      await new Promise((r) => setTimeout(r, 150));
      empty = false;
      assert.ok(w.errors.some((e) => e instanceof ChainError && e.code === 'PENDING'), 'the empty read went to onError');
      assert.equal(w.events.filter((e) => e.type === 'closed').length, 0, 'no closed event');
      // the watch goes on: the real close is still reported, with the real payout
      await chain.cooperativeClose(A.wallet, address, signed(A, B, { tag: 'close', channel: address, step: 1n, balanceA: TON, balanceB: TON }));
      await w.until((es) => es.some((e) => e.type === 'closed'), 'closed event');
    } finally {
      restore();
      w.stop();
    }
  });

  test('while the payout transaction cannot be read, no closed event (and no made-up payout); then the real one', async () => {
    const { A, B } = await parties(h);
    const cfg = config(A, B, 3n * TON, TON);
    const address = chain.channelAddress(cfg);
    await chain.deployChannel(A.wallet, cfg, 3n * TON);
    await chain.deposit(B.wallet, address, TON);
    const w = collect(h, address);
    let failing = true;
    const restore = intercept('transactionsPage', () => failing, async (real, ...args) => {
      if ((args[0] as Address).equals(address)) throw new ChainError('ENDPOINT_UNREACHABLE', 'lookup failed (test)');
      return real(...args);
    });
    try {
      await new Promise((r) => setTimeout(r, 60));
      const stale = signed(A, B, { tag: 'close', channel: address, step: 4n, balanceA: TON, balanceB: 3n * TON });
      const sent = chain.cooperativeClose(A.wallet, address, stale); // its wait reads again until the lookups answer
      for (let i = 0; i < 200 && w.errors.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(w.errors.length >= 2, 'the failed lookups went to onError');
      assert.equal(w.events.filter((e) => e.type === 'closed').length, 0);
      failing = false;
      await sent;
      await w.until((es) => es.some((e) => e.type === 'closed'), 'closed event');
      const closed = w.events.find((e) => e.type === 'closed');
      assert.ok(closed?.type === 'closed');
      assert.deepEqual(closed.payout, await chain.getPayout(address));
      assert.equal(closed.payout.stateBalanceB, 3n * TON);
    } finally {
      restore();
      w.stop();
    }
  });

  test('runWatch: live, empty, frozen, closed without a payout (told once as paid out, unread), closed with it: one closed event, then the watch ends', async () => {
    const payout: Payout = { step: 3n, stateBalanceA: 1n, stateBalanceB: 2n, paidA: 1n, paidB: 2n, closer: null, changeBack: 0n, txHash: '00', lt: 1n };
    const seq: Array<[ChannelStatus['status'], Payout | null]> = [['not_deployed', null], ['frozen', null], ['closed', null], ['closed', payout], ['closed', payout]];
    let i = 0;
    let current: [ChannelStatus['status'], Payout | null] = ['not_deployed', null];
    const src: WatchSource = {
      status: async () => {
        current = seq[Math.min(i++, seq.length - 1)]!;
        return current[0] === 'closed' ? { status: 'closed', balance: 0n, paid: { step: 3n, tag: 'state', balanceA: 1n, balanceB: 2n } } : { status: current[0] as 'not_deployed', balance: 0n };
      },
      payout: async () => current[1],
      now: async () => 0,
    };
    const events: ChannelEvent[] = [];
    const errors: Error[] = [];
    await runWatch(src, { onEvent: (e) => events.push(e), onError: (e) => errors.push(e) }, 1, new AbortController().signal);
    const paid = { step: 3n, tag: 'state', balanceA: 1n, balanceB: 2n };
    assert.deepEqual(events, [{ type: 'paidOutUnread', paid, noHistory: false }, { type: 'closed', payoutA: 1n, payoutB: 2n, payout }]);
    assert.deepEqual(errors.map((e) => (e as ChainError).code), ['FROZEN', 'PENDING']);
    assert.equal(i, 4, 'the watch ended after the closed event');
  });

  test('runWatch: a read that goes back to an earlier phase (a lagging endpoint) reports nothing and is read again', async () => {
    const base = { publicKeyA: Buffer.alloc(32), publicKeyB: Buffer.alloc(32), storedState: null, exit: false, submitter: null, deadline: null, stepFloor: 0n } as unknown as ChannelData;
    const funding = { ...base, phase: 'funding' as const, depositA: 3n, depositB: 0n };
    const open = { ...base, phase: 'open' as const, depositA: 3n, depositB: 4n };
    const { src, signal } = scriptedReads([funding, open, funding, open, open]);
    const events: ChannelEvent[] = [];
    const errors: Error[] = [];
    await runWatch(src, { onEvent: (e) => events.push(e), onError: (e) => errors.push(e) }, 1, signal);
    assert.deepEqual(events.map((e) => e.type), ['deposit', 'deposit', 'locked'], "A's deposit (first read), B's and the lock once each, no refund");
    assert.deepEqual(errors.map((e) => (e as ChainError).code), ['PENDING']);
  });

  test('runWatch: the first read reports what it shows, a close included (the node may have missed it in between)', async () => {
    const base = { publicKeyA: Buffer.alloc(32), publicKeyB: Buffer.alloc(32), exit: false, deadline: 1000, depositA: 3n, depositB: 4n } as unknown as ChannelData;
    const closing = { ...base, phase: 'closing' as const, storedState: { tag: 'state', step: 0n, balanceA: 3n, balanceB: 4n }, submitter: 'A', stepFloor: 1n } as unknown as ChannelData;
    const { src, signal } = scriptedReads([closing, closing]);
    const events: ChannelEvent[] = [];
    await runWatch(src, { onEvent: (e) => events.push(e) }, 1, signal);
    assert.deepEqual(events.map((e) => e.type), ['deposit', 'deposit', 'locked', 'closeStarted'], 'all the first read shows, once');
  });

  test('runWatch: the first good read after failed ones goes to onReadAgain, once per stretch of failures', async () => {
    const open = { publicKeyA: Buffer.alloc(32), publicKeyB: Buffer.alloc(32), storedState: null, exit: false, submitter: null, deadline: null, stepFloor: 0n, phase: 'open', depositA: 3n, depositB: 4n } as unknown as ChannelData;
    // ok, fail, fail, ok, ok, fail, ok: two stretches of failures
    const seq = [true, false, false, true, true, false, true];
    let i = 0;
    const ac = new AbortController();
    const log: string[] = [];
    const src: WatchSource = {
      status: async () => {
        const good = seq[i++];
        if (good === undefined) ac.abort();
        if (!good) throw new Error('down');
        return { status: 'open', balance: 0n, data: open };
      },
      payout: async () => null,
      now: async () => 0,
    };
    await runWatch(src, { onEvent: () => undefined, onError: () => log.push('error'), onReadAgain: () => log.push('again') }, 1, ac.signal);
    assert.deepEqual(log, ['error', 'error', 'again', 'error', 'again']);
  });

  test('runWatch: a refused API key is read again less and less often, and at its pace once a read goes through', async () => {
    const open = { publicKeyA: Buffer.alloc(32), publicKeyB: Buffer.alloc(32), storedState: null, exit: false, submitter: null, deadline: null, stepFloor: 0n, phase: 'open', depositA: 3n, depositB: 4n } as unknown as ChannelData;
    let refused = true;
    const at: number[] = [];
    const ac = new AbortController();
    const src: WatchSource = {
      status: async () => {
        at.push(Date.now());
        if (refused) throw new ChainError('API_KEY_REJECTED', 'toncenter refused the API key (HTTP 401)');
        return { status: 'open', balance: 0n, data: open };
      },
      payout: async () => null,
      now: async () => 0,
    };
    setTimeout(() => (refused = false), 700);
    setTimeout(() => ac.abort(), 1100);
    await runWatch(src, { onEvent: () => undefined, onError: () => undefined }, 20, ac.signal);
    const during = at.filter((t) => t < at[0]! + 700).length;
    // every 20 ms that would be about 35 reads; doubling the wait from 40 ms up to 8 times the pace, about 7
    assert.ok(during <= 15, `${during} refused reads in 700 ms`);
    const after = at.filter((t) => t > at[0]! + 900).length;
    // at the pace again: about 10 reads in the last 200 ms (still 8 times slower: 1 or 2)
    assert.ok(after >= 5, `${after} reads in the last 200 ms: the pace is back once a read goes through`);
  });

  test('runWatch: a payout transaction not found yet is looked for less and less often', async () => {
    let reads = 0;
    const ac = new AbortController();
    const src: WatchSource = {
      status: async () => ({ status: 'closed', balance: 0n, paid: { step: 3n, tag: 'state', balanceA: 1n, balanceB: 2n } }),
      payout: async () => {
        reads++;
        return null;
      },
      now: async () => 0,
    };
    setTimeout(() => ac.abort(), 300);
    await runWatch(src, { onEvent: () => undefined, onError: () => undefined }, 2, ac.signal);
    // every 2 ms that would be about 150 looks; doubling the wait from 4 ms, about 7
    assert.ok(reads <= 12, `${reads} looks in 300 ms`);
  });

  test('runWatch: a payout buried beyond the depth is told with the closed record (the watcher reads deeper), not as not found yet', async () => {
    const ac = new AbortController();
    const paid = { step: 3n, tag: 'state', balanceA: 1n, balanceB: 2n } as const;
    const src: WatchSource = {
      status: async () => ({ status: 'closed', balance: 0n, paid }),
      payout: async () => ({ buried: true, record: paid, depth: 200 }),
      now: async () => 0,
    };
    const events: ChannelEvent[] = [];
    const errors: Error[] = [];
    const told = new Promise<void>((r) => setTimeout(r, 100));
    const run = runWatch(src, { onEvent: (e) => events.push(e), onError: (e) => errors.push(e) }, 2, ac.signal);
    await told;
    ac.abort();
    await run;
    assert.ok(events.length > 0 && events.every((e) => e.type === 'payoutBuried' && e.record === paid), JSON.stringify(events.map((e) => e.type)));
    assert.deepEqual(errors.map((e) => e.message), []);
  });
});
