// The per-wallet send queue: one send at a time, urgent ones (a challenge) before the waiting ones that are not,
// and a stop while waiting ends the wait at once with nothing run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { WalletLocks } from '../../src/chain/walletLocks.js';

const wallet = Address.parse('0:' + '11'.repeat(32));
const other = Address.parse('0:' + '22'.repeat(32));

function gate(): { open: () => void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { open, wait };
}

test('the send in flight ends first, then the urgent ones in order, then the rest in order; another wallet waits for none', async () => {
  const locks = new WalletLocks();
  const order: string[] = [];
  const first = gate();
  const aheads: number[] = [];
  const run = (name: string, o: { urgent?: boolean } = {}, at = wallet) =>
    locks.run(at, async () => void order.push(name), { ...o, onWait: (n) => void aheads.push(n) });
  const flight = locks.run(wallet, async () => {
    order.push('in flight');
    await first.wait;
  });
  const all = [run('deposit'), run('close'), run('challenge 1', { urgent: true }), run('challenge 2', { urgent: true })];
  await run('elsewhere', {}, other);
  assert.deepEqual(order, ['in flight', 'elsewhere']);
  first.open();
  await Promise.all([flight, ...all]);
  assert.deepEqual(order, ['in flight', 'elsewhere', 'challenge 1', 'challenge 2', 'deposit', 'close']);
  // each was told how many go first: the one in flight, and those ahead of it in its own class
  assert.deepEqual(aheads, [1, 2, 1, 2]);
});

test('a stop while waiting for the wallet ends the wait at once and runs nothing; the queue goes on', async () => {
  const locks = new WalletLocks();
  const first = gate();
  const ran: string[] = [];
  const flight = locks.run(wallet, () => first.wait);
  const stop = new AbortController();
  const stopped = locks.run(wallet, async () => void ran.push('stopped one'), { signal: stop.signal });
  const next = locks.run(wallet, async () => void ran.push('next'));
  stop.abort();
  await assert.rejects(stopped, (e: { code?: string }) => e.code === 'CANCELLED');
  first.open();
  await Promise.all([flight, next]);
  assert.deepEqual(ran, ['next']);
  // a failed send frees the wallet too
  await assert.rejects(locks.run(wallet, () => Promise.reject(new Error('refused'))), /refused/);
  await locks.run(wallet, async () => void ran.push('after a failure'));
  assert.deepEqual(ran, ['next', 'after a failure']);
});
