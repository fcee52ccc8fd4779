// Once a wallet message is sent, what the endpoint answers wrongly must not turn it into "not sent": a malformed
// answer while waiting is read again, a send answered 5xx after the chain took it (then refused when resent) waits
// for the wallet, and a wait cut by the operation's timeout says the message went out. A real devnet in this
// process behind a proxy on 127.0.0.1 (test/helpers/rpc-hook.ts); the chain is read as testnet is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import type { Wallet } from '../../src/chain/index.js';
import type { ChainError } from '../../src/chain/errors.js';
import { proxiedScene } from './proxied.js';
import { TON } from './scenarios.js';

const scene = (timeoutMs: number, run: Parameters<typeof proxiedScene>[2]) => proxiedScene(timeoutMs, {}, run);

const isWallet = (m: { params: Record<string, unknown> }, w: Wallet) => Address.parse(String(m.params.address)).equals(w.address);

test('a malformed answer while waiting for the wallet is read again: the deposit that landed is reported done', async () => {
  const glitches = [{ ok: true, result: [{ data: 'te6c' }] }, { ok: true, result: [{ '@type': 'raw.transaction', data: 'AAAA', utime: 1, transaction_id: { lt: '1', hash: `${'A'.repeat(43)}=` }, fee: '0', storage_fee: '0', other_fee: '0', out_msgs: [] }] }];
  for (const glitch of glitches) {
    await scene(20_000, async ({ tn, wb, address, hook, read }) => {
      let glitched = 0;
      hook.fn = async (m) => (m.method === 'getTransactions' && isWallet(m, wb) && glitched++ === 0 ? { status: 200, text: JSON.stringify(glitch) } : null);
      await tn.deposit(wb, address, 4n * TON);
      assert.equal(glitched > 0, true, 'the glitch was served');
      assert.equal(await read(), 4n * TON);
    });
  }
});

test('a send answered 504 after the chain took it (the resend refused) waits for the wallet: done, not "rejected"', async () => {
  await scene(20_000, async ({ tn, wb, address, hook, read, raw }) => {
    let bocs = 0;
    let stale = 0;
    const behind = await raw('getTransactions', wb.address);
    hook.fn = async (m, forward) => {
      if (m.method === 'sendBoc') {
        const r = await forward();
        return ++bocs === 1 ? { status: 504, text: JSON.stringify({ ok: false, error: 'Gateway Time-out', code: 504 }) } : r;
      }
      // A replica a block behind answers the wallet's transactions twice.
      if (m.method === 'getTransactions' && isWallet(m, wb) && stale++ < 2) return { status: 200, text: behind };
      return null;
    };
    await tn.deposit(wb, address, 4n * TON);
    assert.ok(bocs >= 2, 'the send was retried');
    assert.equal(await read(), 4n * TON);
  });
});

test('a send answered 504 after the chain took it, the resend refused, and the wallet read from a replica behind (seqno and transactions): still done', async () => {
  await scene(20_000, async ({ tn, wb, address, hook, read, raw }) => {
    let bocs = 0;
    let stale = 0;
    const behind = await raw('getTransactions', wb.address);
    const before = await raw('getAddressInformation', wb.address);
    hook.fn = async (m, forward) => {
      if (m.method === 'sendBoc') {
        const r = await forward();
        return ++bocs === 1 ? { status: 504, text: JSON.stringify({ ok: false, error: 'Gateway Time-out', code: 504 }) } : r;
      }
      // Once the resend is refused, a replica a block behind answers the wallet's state and transactions.
      if (bocs >= 2 && isWallet(m, wb) && stale < 4 && (m.method === 'getTransactions' || m.method === 'getAddressInformation')) {
        stale++;
        return { status: 200, text: m.method === 'getTransactions' ? behind : before };
      }
      return null;
    };
    await tn.deposit(wb, address, 4n * TON);
    assert.ok(bocs >= 2, 'the send was retried');
    assert.ok(stale > 0, 'the replica behind answered');
    assert.equal(await read(), 4n * TON);
  });
});

test('a wait cut by the operation timeout after the message went out says it was sent', async () => {
  await scene(4_000, async ({ tn, wb, address, hook }) => {
    // The contract's transactions never show (an endpoint behind for longer than the operation's timeout).
    hook.fn = async (m) => (m.method === 'getTransactions' && Address.parse(String(m.params.address)).equals(address) ? { status: 200, text: JSON.stringify({ ok: true, result: [] }) } : null);
    await assert.rejects(tn.deposit(wb, address, 4n * TON), (e: ChainError) => e.code === 'TIMEOUT' && e.sent === true);
  });
});

test('a replica behind on the chain time (sync_utime) after a current one: the message is valid by the newest time seen', async () => {
  await scene(20_000, async ({ tn, wb, address, hook, read }) => {
    await tn.now(); // a current answer first
    const zero = new Address(0, Buffer.alloc(32));
    hook.fn = async (m, forward) => {
      if (m.method !== 'getAddressInformation' || !Address.parse(String(m.params.address)).equals(zero)) return null;
      const r = await forward();
      const j = JSON.parse(r.text) as { result: { sync_utime: number } };
      j.result.sync_utime -= 600; // ten minutes behind
      return { status: 200, text: JSON.stringify(j) };
    };
    await tn.deposit(wb, address, 4n * TON);
    assert.equal(await read(), 4n * TON);
  });
});

test('a flood of the contract between two reads does not hide our transaction: the wait reads back past the newest page', async () => {
  await scene(8_000, async ({ tn, wb, address, hook, read, flood }) => {
    let flooded = false;
    hook.fn = async (m, forward) => {
      // Before the first look at the contract's transactions, 25 others land after ours (more than one page).
      if (m.method === 'getTransactions' && Address.parse(String(m.params.address)).equals(address) && !flooded) {
        flooded = true;
        for (let i = 0; i < 25; i++) await flood(address);
      }
      return forward();
    };
    await tn.deposit(wb, address, 4n * TON);
    assert.equal(flooded, true, 'the flood was sent');
    assert.equal(await read(), 4n * TON);
  });
});

test('a chain time that is not one (past the 32 bits of a wallet message expiry) is refused, never kept: the next send goes', async () => {
  await scene(20_000, async ({ tn, wb, address, hook, read }) => {
    const zero = new Address(0, Buffer.alloc(32));
    let bent = 0;
    hook.fn = async (m, forward) => {
      // one answer of the chain's time, and one of the wallet's account, from an endpoint gone wrong
      if (m.method !== 'getAddressInformation' || bent >= 2) return null;
      const which = Address.parse(String(m.params.address));
      if (!which.equals(zero) && !which.equals(wb.address)) return null;
      bent++;
      const r = await forward();
      const j = JSON.parse(r.text) as { result: { sync_utime: number } };
      j.result.sync_utime = 2 ** 33;
      return { status: 200, text: JSON.stringify(j) };
    };
    await assert.rejects(tn.now(), (e: ChainError) => e.code === 'ENDPOINT_ERROR' && /time/.test(e.message));
    await assert.rejects(tn.getBalance(wb.address), (e: ChainError) => e.code === 'ENDPOINT_ERROR' && /time/.test(e.message));
    await tn.deposit(wb, address, 4n * TON);
    assert.equal(await read(), 4n * TON);
  });
});

test('an endpoint whose pages start after the cursor (not at it): a sent message behind a page of later transactions is found, not called never sent', async () => {
  await scene(20_000, async ({ tn, wb, address, hook, read, flood }) => {
    let flooded = false;
    hook.fn = async (m, forward) => {
      if (m.method !== 'getTransactions') return null;
      // before the first look at the wallet, 20 transfers to it land after ours: ours opens the next page
      if (!flooded && isWallet(m, wb)) {
        flooded = true;
        for (let i = 0; i < 20; i++) await flood(wb.address);
      }
      const r = await forward();
      if (!m.params.lt) return r;
      const j = JSON.parse(r.text) as { result: unknown[] };
      j.result.shift(); // this endpoint leaves the cursor's own transaction out
      return { status: 200, text: JSON.stringify(j) };
    };
    await tn.deposit(wb, address, 4n * TON);
    assert.equal(flooded, true, 'the flood was sent');
    assert.equal(await read(), 4n * TON);
  });
});

test('one answer of the chain time a day ahead is not kept for every later message: its expiry follows the chain, not that answer', async () => {
  await scene(20_000, async ({ tn, direct, wb, address, hook, read }) => {
    const zero = new Address(0, Buffer.alloc(32));
    let bent = false;
    hook.fn = async (m, forward) => {
      if (bent || m.method !== 'getAddressInformation' || !Address.parse(String(m.params.address)).equals(zero)) return null;
      bent = true;
      const r = await forward();
      const j = JSON.parse(r.text) as { result: { sync_utime: number } };
      j.result.sync_utime += 86_400;
      return { status: 200, text: JSON.stringify(j) };
    };
    await tn.now(); // the answer a day ahead
    let validUntil = 0;
    await tn.deposit(wb, address, 4n * TON, { beforeSend: (m) => void (validUntil = m.validUntil) });
    assert.equal(await read(), 4n * TON);
    const now = await direct.now();
    assert.ok(validUntil < now + 3600, `the message may land until ${validUntil - now} s from now`);
  });
});
