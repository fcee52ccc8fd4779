// findPayout's paging: a history that ends exactly at a page's end (the next page empty) is judged by the last
// transaction seen, as a short page is: the account's first (not found yet) or an endpoint keeping no older ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, type Transaction } from '@ton/core';
import { findPayout } from '../../src/chain/payout.js';
import type { ClosedRecord } from '../../src/contract/index.js';

/** A transaction that is no payout (its compute phase skipped), `prev` the lt of the one before it (0: none). */
const tx = (lt: bigint, prev: bigint) => ({ lt, prevTransactionLt: prev, description: { type: 'generic', aborted: false, computePhase: { type: 'skipped' } }, hash: () => Buffer.alloc(32) }) as unknown as Transaction;
const channel = Address.parse('EQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAM9c');
const record = { step: 1n, balanceA: 1n, balanceB: 2n } as unknown as ClosedRecord;

test('a history that ends at a page boundary: incomplete at the endpoint unless the last is the first transaction', async () => {
  const pages = (firstPrev: bigint) => async (_a: Address, limit: number, before: unknown) =>
    before === null ? Array.from({ length: limit }, (_, i) => tx(100n - BigInt(i), i === limit - 1 ? firstPrev : 99n - BigInt(i))) : [];
  assert.deepEqual(await findPayout(pages(50n), channel, record, 200), { buried: true, record, depth: 20, incomplete: true });
  assert.equal(await findPayout(pages(0n), channel, record, 200), null);
  assert.deepEqual(await findPayout(async () => [], channel, record, 200), { noHistory: true });
});
