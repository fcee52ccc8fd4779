// What a wallet send says when the endpoint's answers are lost, late or from replicas apart: TonClientChain against
// a real devnet behind a JSON-RPC proxy. A message the chain took is never told "failed" or "nothing was sent", and
// one that can no longer land is told so at once (the seqno audit: it waited the whole timeout, "may still land").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainError } from '../../src/chain/errors.js';
import type { OpOptions } from '../../src/chain/types.js';
import type { RpcHook } from '../helpers/rpc-hook.js';
import { isAddr, proxiedScene as scene, type Scene } from './proxied.js';
import { TON } from './scenarios.js';

const GATEWAY_TIMEOUT = { status: 504, text: JSON.stringify({ ok: false, error: 'Gateway Time-out', code: 504 }) };

/** B deposits `amount` through the proxy: null once done, else the error it ended with. */
const tryDeposit = (s: Scene, amount: bigint, o: OpOptions = {}) => s.tn.deposit(s.wb, s.address, amount, o).then(() => null, (e: unknown) => e as ChainError);

/** B's 4 TON landed while its send ended in an error: the error says it may still land, never "nothing was sent". */
async function landedYetFailed(s: Scene, err: ChainError | null): Promise<void> {
  assert.equal(await s.read(), 4n * TON, 'the deposit landed');
  assert.ok(err instanceof ChainError);
  assert.doesNotMatch(err.message, /nothing was sent/);
  assert.equal(err.sent, true, 'it may still land');
}

/** Hands a message the endpoint held to the devnet itself (the endpoint passes it on late). */
const passOn = (s: Scene, boc: string) => fetch(s.hook.upstream!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'sendBoc', params: { boc } }) });

/** A slow endpoint: it holds the wallet's first send `ms` before it passes it on; `bocs()` counts the sends. */
function slowFirstSend(ms: number): { fn: RpcHook; bocs: () => number } {
  let bocs = 0;
  const fn: RpcHook = async (m, forward) => {
    if (m.method !== 'sendBoc') return null;
    if (++bocs === 1) await new Promise((r) => setTimeout(r, ms));
    return forward();
  };
  return { fn, bocs: () => bocs };
}

test('a message the chain took while every answer was lost (504) is waited for and done, not "failed"', async () => {
  await scene(20_000, {}, async ({ tn, wb, address, hook, read }) => {
    let bocs = 0;
    hook.fn = async (m, forward) => {
      if (m.method !== 'sendBoc') return null;
      bocs++;
      await forward(); // the chain takes the first; the resends are refused as already taken
      return GATEWAY_TIMEOUT;
    };
    const r = await tn.deposit(wb, address, 4n * TON);
    hook.fn = null;
    assert.ok(bocs > 1, 'sent again after the lost answer');
    assert.equal(r.exitCode, 0);
    assert.equal(await read(), 4n * TON, 'deposited once');
  });
});

test('a message the chain took while every answer came too late is waited for and done, not "unreachable"', async () => {
  await scene(20_000, { requestTimeoutMs: 400 }, async ({ tn, wb, address, hook, read }) => {
    hook.fn = async (m, forward) => {
      if (m.method !== 'sendBoc') return null;
      const r = await forward();
      await new Promise((res) => setTimeout(res, 800)); // after the client gave up on the request
      return r;
    };
    await tn.deposit(wb, address, 4n * TON);
    hook.fn = null;
    assert.equal(await read(), 4n * TON);
  });
});

test('a message no attempt of which reached the chain (every answer a 504) ends as expired: nothing was sent', async () => {
  await scene(20_000, {}, async ({ tn, direct, wb, address, hook, read }) => {
    hook.fn = async (m) => {
      if (m.method !== 'sendBoc') return null;
      await direct.advanceTime(200); // past the message's expiry: it can never land now
      return GATEWAY_TIMEOUT;
    };
    const err = await tn.deposit(wb, address, 4n * TON).then(() => null, (e: unknown) => e as ChainError);
    hook.fn = null;
    assert.ok(err instanceof ChainError);
    assert.equal(err.code, 'TIMEOUT');
    assert.match(err.message, /expired without being processed; nothing was sent: retry/);
    assert.equal(err.sent, false);
    assert.equal(await read(), 0n);
  });
});

test('a landed message is not called expired from a wallet read behind beside a clock ahead', async () => {
  await scene(6_000, {}, async (s) => {
    const { direct, wb, hook, raw } = s;
    const staleInfo = await raw('getAddressInformation', wb.address);
    const staleTxs = await raw('getTransactions', wb.address);
    let sent = false;
    hook.fn = async (m, forward) => {
      if (m.method === 'sendBoc') {
        const r = await forward();
        sent = true;
        await direct.advanceTime(300); // the chain's clock (the zero address's read) goes past the message's expiry
        return r;
      }
      // the wallet's state and transactions come from a replica behind, from before the message landed
      if (sent && isAddr(m, wb.address) && (m.method === 'getAddressInformation' || m.method === 'getTransactions')) {
        return { status: 200, text: m.method === 'getTransactions' ? staleTxs : staleInfo };
      }
      return null;
    };
    const err = await tryDeposit(s, 4n * TON);
    hook.fn = null;
    await landedYetFailed(s, err);
  });
});

test('a message whose seqno another message of the wallet took is told at once: nothing was sent', async () => {
  await scene(8_000, {}, async (s) => {
    const { hook, read } = s;
    let held: string | null = null;
    let phase: 'first' | 'second' = 'first';
    hook.fn = async (m, forward) => {
      if (m.method !== 'sendBoc') return null;
      if (phase === 'first') {
        held ??= String(m.params.boc); // the endpoint keeps the first message and does not pass it on yet
        return GATEWAY_TIMEOUT;
      }
      if (held) {
        // the first message reaches the chain now, just before the second
        await passOn(s, held);
        held = null;
      }
      return forward();
    };
    const first = await tryDeposit(s, 4n * TON);
    assert.equal(first?.sent, true, 'the first may still land (it was taken, and does)');
    phase = 'second';
    const t0 = Date.now();
    const second = await tryDeposit(s, 1n * TON);
    const took = Date.now() - t0;
    hook.fn = null;
    assert.equal(await read(), 4n * TON, 'only the first landed');
    assert.ok(second instanceof ChainError);
    assert.equal(second.code, 'WALLET_REJECTED');
    assert.equal(second.sent, false);
    assert.match(second.message, /used the seqno of the deposit \(0\) first: nothing was sent for it; retry/);
    assert.ok(took < 7_000, `told after ${took} ms, not at the timeout`);
  });
});

test("a send queued behind another of the wallet gets its whole time once the wallet is its own", async () => {
  await scene(60_000, {}, async (s) => {
    const { tn, wb, address, hook, read } = s;
    hook.fn = slowFirstSend(4_000).fn;
    const a = tn.deposit(wb, address, 4n * TON, { timeoutMs: 30_000 });
    // the second waits about 4 s for the wallet: more than its own time, which starts once it has the wallet
    const b = tryDeposit(s, 1n * TON, { timeoutMs: 3_000 });
    await a;
    const second = await b;
    assert.notEqual(second?.code, 'TIMEOUT', second?.message);
    assert.ok((await read()) >= 4n * TON);
  });
});

test('the operation timing out while the endpoint holds the message says it may still land', async () => {
  await scene(60_000, {}, async ({ tn, wb, address, hook }) => {
    hook.fn = async (m, forward) => {
      if (m.method !== 'sendBoc') return null;
      await new Promise((r) => setTimeout(r, 3_000)); // longer than the operation's time
      return forward();
    };
    const err = await tn.deposit(wb, address, 4n * TON, { timeoutMs: 1_500 }).then(() => null, (e: unknown) => e as ChainError);
    assert.equal(err?.code, 'TIMEOUT');
    assert.equal(err.sent, true);
    assert.match(err.message, /did not complete within 2 s; it may still land/);
  });
});

test('a stop while a send waits for the wallet ends it at once, and it sends nothing', async () => {
  await scene(60_000, {}, async (s) => {
    const { tn, wb, address, hook, read } = s;
    const slow = slowFirstSend(4_000);
    hook.fn = slow.fn;
    let firstDone = 0;
    const first = tn.deposit(wb, address, 4n * TON).then(() => (firstDone = Date.now()));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const t0 = Date.now();
    const err = await tryDeposit(s, 1n * TON, { signal: stop.signal });
    assert.ok(Date.now() - t0 < 2_000, `stopped after ${Date.now() - t0} ms`);
    assert.equal(err?.code, 'CANCELLED');
    assert.equal(err.sent, false);
    // a send asked for after the stop still waits for the first (one seqno in flight at a time)
    let thirdSigned = 0;
    const third = tn.deposit(wb, address, 1n * TON, { beforeSend: () => void (thirdSigned = Date.now()) }).catch(() => undefined);
    await first;
    await third;
    assert.ok(thirdSigned >= firstDone, 'the third was signed once the first was done');
    assert.equal(slow.bocs(), 2, 'the stopped send sent nothing');
    assert.equal(await read(), 4n * TON);
  });
});

test('beforeSend runs once the message is signed, after the wallet is free; if it throws, nothing is sent', async () => {
  await scene(60_000, {}, async ({ tn, wb, address, hook, read }) => {
    const slow = slowFirstSend(2_000);
    hook.fn = slow.fn;
    let firstDone = 0;
    const first = tn.deposit(wb, address, 4n * TON).then(() => (firstDone = Date.now()));
    let marked = 0;
    const err = await tn.deposit(wb, address, 1n * TON, {
      beforeSend: () => {
        marked = Date.now();
        throw new Error('the mark could not be written');
      },
    }).then(() => null, (e: unknown) => e as Error);
    await first;
    assert.ok(marked >= firstDone, 'marked once the first send was done');
    assert.match(String(err?.message), /the mark could not be written/);
    assert.equal(slow.bocs(), 1, 'nothing sent');
    assert.equal(await read(), 4n * TON);
  });
});

test('a send refused with a clear error after an attempt that got no clear answer may have been taken: it is waited for', async () => {
  await scene(20_000, {}, async ({ tn, wb, address, hook, read }) => {
    let bocs = 0;
    hook.fn = async (m, forward) => {
      if (m.method !== 'sendBoc') return null;
      if (++bocs === 1) {
        await forward(); // the chain takes it, the answer is lost
        return GATEWAY_TIMEOUT;
      }
      return { status: 400, text: JSON.stringify({ ok: false, error: 'LITE_SERVER_UNKNOWN: duplicate message', code: 400 }) };
    };
    await tn.deposit(wb, address, 4n * TON);
    hook.fn = null;
    assert.equal(bocs, 2);
    assert.equal(await read(), 4n * TON, 'done: the first attempt landed');
  });
});

test("a page that leaves out the wallet's transaction (a gap in the endpoint's history) never makes a landed message 'nothing was sent'", async () => {
  await scene(5_000, {}, async (s) => {
    const { wb, hook, flood } = s;
    let landed = false;
    hook.fn = async (m, forward) => {
      if (m.method === 'sendBoc') {
        const r = await forward();
        await flood(wb.address); // a later transaction of the wallet, after ours: the page's newest is past it
        landed = true;
        return r;
      }
      if (!landed || m.method !== 'getTransactions' || !isAddr(m, wb.address)) return null;
      const r = await forward();
      const body = JSON.parse(r.text) as { result: { in_msg?: { source: string } }[] };
      body.result = body.result.filter((tx) => tx.in_msg?.source !== ''); // ours, the wallet's one external message, left out
      return { status: r.status, text: JSON.stringify(body) };
    };
    const err = await tryDeposit(s, 4n * TON);
    hook.fn = null;
    await landedYetFailed(s, err);
  });
});

test("an endpoint that gives no chain time (sync_utime 0) on a computer whose clock is ahead: a message not landed yet is not called expired by that clock", async () => {
  await scene(3_000, {}, async (s) => {
    const { wb, hook, raw } = s;
    const noTime = (text: string) => JSON.stringify({ ...JSON.parse(text), result: { ...JSON.parse(text).result, sync_utime: 0 } });
    const info = noTime(await raw('getAddressInformation', wb.address)); // the wallet as it is before the send
    const txs = await raw('getTransactions', wb.address);
    let held: string | null = null;
    const realNow = Date.now;
    hook.fn = async (m) => {
      if (m.method === 'sendBoc') {
        held = String(m.params.boc); // taken, not passed on yet
        Date.now = () => realNow() + 600_000; // this computer's clock is 10 minutes ahead (the devnet is not asked meanwhile)
        return { status: 200, text: JSON.stringify({ ok: true, result: { '@type': 'ok' } }) };
      }
      if (!held) return null;
      return { status: 200, text: m.method === 'getTransactions' ? txs : info };
    };
    const err = await tryDeposit(s, 4n * TON);
    Date.now = realNow;
    hook.fn = null;
    assert.ok(held, 'the message was handed to the endpoint');
    await passOn(s, held); // the endpoint passes it on now: it lands
    await landedYetFailed(s, err);
  });
});

test('a send answered 200 with a result TonClient cannot read (the chain took it) is waited for and done, not "failed"', async () => {
  await scene(20_000, {}, async ({ tn, wb, address, hook, read }) => {
    hook.fn = async (m, forward) => {
      if (m.method !== 'sendBoc') return null;
      await forward();
      return { status: 200, text: JSON.stringify({ ok: true, result: { '@type': 'raw.extMessageInfo', hash: 'x' } }) };
    };
    const r = await tn.deposit(wb, address, 4n * TON);
    hook.fn = null;
    assert.equal(r.exitCode, 0);
    assert.equal(await read(), 4n * TON, 'deposited once');
  });
});

test("a wallet read whose last transaction is far ahead (a logical time no chain has) never makes a landed message 'nothing was sent'", async () => {
  await scene(4_000, {}, async (s) => {
    const { wb, hook, raw } = s;
    const txs = await raw('getTransactions', wb.address); // the wallet's history before the send
    let first = true;
    let landed = false;
    hook.fn = async (m, forward) => {
      if (m.method === 'sendBoc') return forward().finally(() => (landed = true));
      if (!isAddr(m, wb.address)) return null;
      if (m.method === 'getTransactions') return landed ? { status: 200, text: txs } : null; // pages behind: ours not shown
      if (!first) return null;
      first = false; // the read the message is signed from
      const r = await forward();
      const j = JSON.parse(r.text) as { result: { last_transaction_id: { lt: string } } };
      j.result.last_transaction_id.lt = '9000000000000000000';
      return { status: 200, text: JSON.stringify(j) };
    };
    const err = await tryDeposit(s, 4n * TON);
    hook.fn = null;
    await landedYetFailed(s, err);
  });
});
