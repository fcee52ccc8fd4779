// The wait for our transaction looks at every transaction newer than the one before ours, however many land after
// it: a flood deeper than one read's pages is read over several polls, and a page an endpoint loses (an empty answer
// to a cursor) is read again, never taken as read. An account's pages as an endpoint serves them (newest first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Transaction } from '@ton/core';
import { waitForTransaction } from '../../src/chain/sent.js';

type Fake = { lt: bigint; prevTransactionLt: bigint; ours: boolean; hash: () => Buffer };

/** Transactions 1..n (oldest first) with ours at `ours`; `lose` cursors answered [] once; `hide` never shown. */
function account(n: number, ours: number, lose = new Set<bigint>(), hide = new Set<bigint>()) {
  const txs: Fake[] = [];
  for (let lt = 1; lt <= n; lt++) txs.push({ lt: BigInt(lt), prevTransactionLt: BigInt(lt - 1), ours: lt === ours, hash: () => Buffer.alloc(32) });
  let reads = 0;
  const page = async (before: { lt: bigint } | null): Promise<Transaction[]> => {
    reads++;
    if (before && lose.delete(before.lt)) return [];
    const end = before ? txs.findIndex((t) => t.lt === before.lt) : txs.length;
    return txs.slice(Math.max(0, end - 20), end).reverse().filter((t) => !hide.has(t.lt)) as unknown as Transaction[];
  };
  return { page, reads: () => reads };
}

const wait = (a: ReturnType<typeof account>, after: bigint) =>
  waitForTransaction({ page: a.page, match: (t) => (t as unknown as Fake).ours, signal: AbortSignal.timeout(5000), pollMs: 10, after });

test('ours under 1,200 later transactions (more than one read goes back) is found over several polls', async () => {
  const a = account(2201, 1001);
  assert.equal((await wait(a, 1000n)).lt, 1001n);
  assert.ok(a.reads() <= 70, `${a.reads()} page reads`);
});

test('an empty answer to a cursor is no proof of having read that page: it is read again', async () => {
  const a = account(300, 101, new Set([121n]));
  assert.equal((await wait(a, 100n)).lt, 101n);
});

test('with nothing newer than the bound, one page a poll is read', async () => {
  const a = account(40, 0);
  const ac = new AbortController();
  const p = waitForTransaction({ page: a.page, match: () => false, signal: ac.signal, pollMs: 10, after: 39n });
  await new Promise((r) => setTimeout(r, 100));
  ac.abort();
  await p.catch(() => undefined);
  assert.ok(a.reads() <= 12, `${a.reads()} page reads in 100 ms of 10 ms polls`);
});

test('a page that leaves a transaction out (or comes out of order) proves nothing read past it: giveUp is never told so', async () => {
  for (const [a, order] of [
    [account(30, 25, new Set(), new Set([25n])), (p: Transaction[]) => p],
    [account(30, 0), (p: Transaction[]) => [...p].sort((x, y) => Number(x.lt - y.lt))],
  ] as const) {
    const told: (bigint | null)[] = [];
    const ac = new AbortController();
    const p = waitForTransaction({
      page: async (before) => order(await a.page(before)),
      match: () => false,
      signal: ac.signal,
      pollMs: 5,
      after: 20n,
      giveUp: async (covered) => {
        told.push(covered);
        return null;
      },
    });
    while (told.length < 3) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await p.catch(() => undefined);
    assert.deepEqual([...new Set(told)], [20n], 'nothing past the bound counted as read');
  }
});
