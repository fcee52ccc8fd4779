// One deposit per channel at a time: a second one asked for while the first runs (a double click, a button in a
// notice that came during the wait) would read the same missing amount from the chain and send it again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Address } from '@ton/core';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { join } from 'node:path';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { WALLET_MESSAGE_TTL } from '../../src/chain/index.js';
import { withPair } from '../helpers/reads.js';
import { TON, closePair, openPair, until, type Pair } from '../helpers/nodes.js';

type Deposit = Chain['deposit'];

withPair('a second deposit while the first waits for the contract is refused: one deposit goes out', async (p) => {
  const real = p.chain.deposit.bind(p.chain);
  let sent = 0;
  (p.chain as { deposit: Deposit }).deposit = (...a) => (sent++, real(...a));
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const deployed = waitForEvent(p.bob, 'channelDeployed');
  const first = p.bob.deposit();
  await deployed; // the notice that says the deposit can go in now, while the first one still runs
  // What the menus and buttons show: no second Deposit while this one runs.
  const shown = p.bob.currentChannel()!.actions.deposit;
  assert.deepEqual(shown.ok ? 'ok' : shown.code, 'DEPOSIT_UNDER_WAY', 'the view offers no Deposit during a deposit');
  await assert.rejects(p.bob.deposit(), (e: { code?: string; message?: string }) => e.code === 'DEPOSIT_UNDER_WAY' && /already under way/.test(e.message ?? ''));
  assert.equal((await first).depositB, TON('4'));
  await until('Bob open', () => p.bob.currentChannel()?.phase === 'open', 30_000);
  assert.equal(sent, 1, 'one deposit sent');
  const data = await p.chain.getChannelData(Address.parse(view.contract));
  assert.deepEqual([data?.depositA, data?.depositB], [TON('3'), TON('4')]);
});

withPair('a deposit whose send failed without saying whether it went out is not sent again while it may land', async (p) => {
  const real = p.chain.deposit.bind(p.chain);
  let sent = 0;
  let lost: Parameters<Deposit> | undefined;
  (p.chain as { deposit: Deposit }).deposit = async (...a) => {
    sent++;
    if (sent === 1) {
      lost = a;
      throw new ChainError('TIMEOUT', 'injected: the deposit was not seen on chain in time', { sent: true });
    }
    return real(...a);
  };
  const proposed = waitForEvent(p.bob, 'channelProposed');
  const view = await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'TIMEOUT');
  // It may still land: deposit again says so and sends nothing.
  await assert.rejects(p.bob.deposit(), (e: { code?: string; message?: string }) => e.code === 'DEPOSIT_UNDER_WAY' && /may still land: wait \d+ s/.test(e.message ?? ''));
  // What the menus, buttons and `channels` show (as after a restart): no deposit, decline or refund offered.
  const shown = p.bob.currentChannel()!.actions;
  assert.deepEqual([shown.deposit, shown.decline, shown.refund].map((c) => (c.ok ? 'ok' : c.code)), ['MAY_STILL_LAND', 'MAY_STILL_LAND', 'NOTHING_DEPOSITED']);
  assert.match(shown.refund.ok ? '' : shown.refund.why, /may still land/);
  await assert.rejects(p.bob.decline(), (e: { code?: string; message?: string }) => e.code === 'TIMEOUT' && /may still land.*wait/.test(e.message ?? ''));
  assert.equal(sent, 1);
  // It lands late: the node follows it, the channel locks with one deposit of Bob's.
  await real(...lost!);
  await until('Bob open', () => p.bob.currentChannel()?.phase === 'open', 30_000);
  assert.equal(sent, 1, 'sent once');
  const data = await p.chain.getChannelData(Address.parse(view.contract));
  assert.deepEqual([data?.depositA, data?.depositB], [TON('3'), TON('4')]);
});

withPair('a deposit the chain says never left (it expired unprocessed) can be sent again at once', async (p) => {
  const real = p.chain.deposit.bind(p.chain);
  let sent = 0;
  (p.chain as { deposit: Deposit }).deposit = async (...a) => {
    if (++sent === 1) throw new ChainError('TIMEOUT', 'the wallet message for the deposit expired without being processed; nothing was sent: retry');
    return real(...a);
  };
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'TIMEOUT');
  assert.equal(p.bob.currentChannel()!.actions.deposit.ok, true, 'offered again');
  assert.equal((await p.bob.deposit()).depositB, TON('4'));
  assert.equal(sent, 2);
});

withPair("a deposit's may-land mark runs from when its message is signed, not from when it waited for the wallet", async (p) => {
  (p.chain as { deposit: Deposit }).deposit = async (_w, _c, _amount, o) => {
    await new Promise((r) => setTimeout(r, 2_500)); // another send of the wallet goes first
    await o?.beforeSend?.({ validUntil: (await p.chain.now()) + WALLET_MESSAGE_TTL }); // signed now: valid from now
    throw new ChainError('TIMEOUT', 'injected: the deposit was not seen on chain in time', { sent: true });
  };
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'TIMEOUT');
  await assert.rejects(p.bob.deposit(), (e: { code?: string; message?: string }) => e.code === 'DEPOSIT_UNDER_WAY' && /may still land: wait 1(79|80) s/.test(e.message ?? ''));
});

/** A deposit whose send failed without saying whether it went out, signed at the chain's time now. */
function depositLost(p: Pair, lost: (a: Parameters<Deposit>) => void = () => undefined): { sent: () => number } {
  const real = p.chain.deposit.bind(p.chain);
  let sent = 0;
  (p.chain as { deposit: Deposit }).deposit = async (...a) => {
    if (++sent > 1) return real(...a);
    await a[3]?.beforeSend?.({ validUntil: (await p.chain.now()) + WALLET_MESSAGE_TTL });
    lost(a);
    throw new ChainError('TIMEOUT', 'injected: the deposit was not seen on chain in time', { sent: true });
  };
  return { sent: () => sent };
}

/** Runs `fn` with the local clock stepped by `ms`, the chain's clock unchanged (the sandbox follows the local one). */
async function clockStepped<T>(p: Pair, ms: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  const chainBefore = await p.chain.now();
  Date.now = () => realNow() + ms;
  (p.chain as unknown as { shared: { offset: number } }).shared.offset -= Math.round(ms / 1000);
  try {
    assert.ok(Math.abs((await p.chain.now()) - chainBefore) <= 1, 'the chain keeps its time');
    return await fn();
  } finally {
    Date.now = realNow;
    (p.chain as unknown as { shared: { offset: number } }).shared.offset += Math.round(ms / 1000);
  }
}

withPair("a local clock step forward after a deposit that may still land does not let a second one go: the chain's clock judges", async (p) => {
  const d = depositLost(p);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'TIMEOUT');
  await clockStepped(p, 10 * 60_000, async () => {
    await assert.rejects(p.bob.deposit(), (e: { code?: string; message?: string }) => e.code === 'DEPOSIT_UNDER_WAY' && /may still land: wait 1[78]\d s/.test(e.message ?? ''));
    // decline waits longer: the deposits it reads may come from a replica behind the one that gave the time
    await assert.rejects(p.bob.decline(), (e: { code?: string; message?: string }) => e.code === 'TIMEOUT' && /your deposit may still land .* wait (59\d|600) s/.test(e.message ?? ''));
    // the chain's time unread: the read's error, not a judgment by the stepped local clock
    const chain = p.chain as { now: typeof p.chain.now };
    const now = chain.now;
    chain.now = () => Promise.reject(new ChainError('RATE_LIMITED', 'injected: the endpoint answered 429 to the time read'));
    try {
      await assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'RATE_LIMITED');
    } finally {
      chain.now = now;
    }
  });
  assert.equal(d.sent(), 1, 'one deposit sent');
});

withPair('a deposit marked while the local clock was ahead may be sent again once it expired by the chain, not a clock step later', async (p) => {
  const d = depositLost(p);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await clockStepped(p, 6 * 3600_000, () => assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'TIMEOUT'));
  // The clock is corrected; on the chain, the lost deposit's message expired.
  p.chain.advanceTime(WALLET_MESSAGE_TTL + 61);
  assert.equal((await p.bob.deposit()).depositB, TON('4'));
  assert.equal(d.sent(), 2);
});

withPair('the view offers deposit again by itself once a deposit shown as "may still land" can no longer land', async (p) => {
  (p.chain as { deposit: Deposit }).deposit = async (_w, _c, _amount, o) => {
    // signed long ago: by the chain's clock it may land for 2 s more
    await o?.beforeSend?.({ validUntil: (await p.chain.now()) - 58 });
    throw new ChainError('TIMEOUT', 'injected: the deposit was not seen on chain in time', { sent: true });
  };
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'TIMEOUT');
  assert.equal(p.bob.currentChannel()!.actions.deposit.ok, false);
  const updated = await waitForEvent(p.bob, 'channelUpdated', (e) => e.channel.actions.deposit.ok, 10_000);
  assert.equal(updated.channel.actions.decline.ok, false, "decline's longer margin still runs");
});

withPair("after a restart, a deposit shown as 'may still land' is judged by the chain's clock: one the chain says expired is offered again", async (p) => {
  const d = depositLost(p);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'TIMEOUT');
  await p.bob.stop();
  // the chain's clock passes the lost deposit's expiry; the local clock does not move
  p.chain.advanceTime(WALLET_MESSAGE_TTL + 61);
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await until('the view offers deposit again', () => p.bob.currentChannel()?.actions.deposit.ok, 10_000);
  assert.equal((await p.bob.deposit()).depositB, TON('4'));
  assert.equal(d.sent(), 2);
});

test("the deposit that completes both answers with the channel locked, not funding with a refund offered", async () => {
  const p = await openPair({ pollMs: 60_000 }); // the watch's next poll is far: the answer reads the lock itself
  try {
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    const v = await p.bob.deposit();
    assert.deepEqual([v.depositA, v.depositB], [TON('3'), TON('4')]);
    assert.ok(v.phase === 'locked' || v.phase === 'open', `phase ${v.phase}`);
    assert.equal(v.actions.refund.ok, false, 'no refund from a locked contract');
  } finally {
    await closePair(p);
  }
});
