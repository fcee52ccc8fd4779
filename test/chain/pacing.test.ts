// TonClientChain paces its requests to the endpoint's rate limit (toncenter: 1 request a second without an API
// key) with a margin, operations before the watches' background reads, and a 429 holds them all. Against a tiny
// local server on 127.0.0.1.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { TonClientChain, type Chain } from '../../src/chain/index.js';
import { openChain } from '../../src/node/index.js';
import { holdPacer, pacerFor } from '../../src/chain/http.js';
import { startFakeToncenter, type FakeToncenter } from './fixtures/fake-toncenter.js';

let toncenter: FakeToncenter;
let base: string;
/** Each request's arrival: when, and which address it read. */
let arrivals: { at: number; address: string }[] = [];

/** Requests answered 429 (with Retry-After: 1) before the others are served. */
let refuse = 0;
/** When the last 429 was answered. */
let refusedAt = 0;

before(async () => {
  const seen = (address: string) => arrivals.push({ at: performance.now(), address });
  toncenter = await startFakeToncenter(seen, () => {
    if (refuse <= 0) return false;
    refuse--;
    refusedAt = performance.now();
    return true;
  });
  base = toncenter.base;
});
after(() => toncenter.close());

const addr = (n: number) => new Address(0, Buffer.alloc(32, n));

/** The most arrivals in any window of `ms`. */
function busiest(ms: number): number {
  const t = arrivals.map((a) => a.at).sort((x, y) => x - y);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('TonClientChain request pacing', () => {
  test("at most the limit per second (the node's setting), shared by every chain object of one endpoint; every request still answered", async () => {
    arrivals = [];
    const one = new TonClientChain({ kind: 'testnet', endpoint: base, requestsPerSecond: 20 });
    const two: Chain = await openChain({ network: 'testnet', testnetEndpoint: base, requestsPerSecond: 20 });
    const reads = Array.from({ length: 30 }, (_, i) => (i % 2 ? one : two).getBalance(addr(1)));
    assert.deepEqual(await Promise.all(reads), Array(30).fill(5n));
    assert.equal(arrivals.length, 30);
    // 20 start in any second, never 30 at once (half a second of slack for the time a request takes to arrive).
    assert.ok(busiest(500) <= 20, `arrivals ${arrivals.map((a) => Math.round(a.at - arrivals[0]!.at)).join(', ')} ms`);
    await Promise.all([one.close(), two.close()]);
  });

  test('testnet without an API key: one request a second (toncenter\'s free limit); the devnet is not paced', async () => {
    arrivals = [];
    const free = new TonClientChain({ kind: 'testnet', endpoint: base });
    await Promise.all([free.getBalance(addr(1)), free.getBalance(addr(1)), free.getBalance(addr(1))]);
    assert.equal(arrivals.length, 3);
    assert.ok(busiest(500) === 1, `arrivals ${arrivals.map((a) => Math.round(a.at - arrivals[0]!.at)).join(', ')} ms`);
    // below the limit by a margin: requests sent exactly a second apart can arrive closer, and be refused
    assert.ok(busiest(1_050) === 1, `arrivals ${arrivals.map((a) => Math.round(a.at - arrivals[0]!.at)).join(', ')} ms`);
    arrivals = [];
    const devnet = new TonClientChain({ kind: 'devnet', endpoint: base });
    await Promise.all(Array.from({ length: 10 }, () => devnet.getBalance(addr(1))));
    assert.equal(busiest(500), 10);
    await Promise.all([free.close(), devnet.close()]);
  });

  test('a 429 holds every request to the endpoint for its Retry-After, not only the one refused', async () => {
    arrivals = [];
    refuse = 1;
    const c = new TonClientChain({ kind: 'testnet', endpoint: base, requestsPerSecond: 20 });
    const first = c.getBalance(addr(1));
    while (refuse > 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50)); // the 429 has reached the client
    const second = c.getBalance(addr(2));
    assert.deepEqual(await Promise.all([first, second]), [5n, 5n]);
    const next = arrivals.find((a) => a.address === addr(2).toString())!;
    assert.ok(next.at - refusedAt >= 900, `another read went ${Math.round(next.at - refusedAt)} ms after the 429`);
    await c.close();
  });

  test("an operation goes before the watches' queued reads; a stopped watch's reads leave the queue", async () => {
    arrivals = [];
    const c = new TonClientChain({ kind: 'testnet', endpoint: base, requestsPerSecond: 2, watchPollMs: 10 });
    const watches = [1, 2, 3, 4].map((n) => c.watchChannel(addr(n), { onEvent: () => {} }));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await c.getBalance(addr(9)), 5n);
    const order = arrivals.map((a) => a.address);
    const op = order.indexOf(addr(9).toString());
    // Two watch reads started at once; the operation is the next request, before the two queued watch reads.
    assert.equal(op, 2, `arrival order: ${order.join(' ')}`);
    for (const w of watches) w.stop();
    const stopped = arrivals.length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(arrivals.length, stopped, 'no read after the watches stopped');
    await c.close();
  });
});

test("a 429's hold ends even when its timer fires before performance.now() says its time came (the loop's clock lags under load)", async () => {
  const q = pacerFor('http://127.0.0.1:9/hold-early', 10)!;
  const realNow = performance.now.bind(performance);
  let lag = 0;
  performance.now = () => realNow() - lag;
  try {
    holdPacer(q, 20);
    assert.equal(q.isPaused, true);
    lag = 10; // when the timer fires, 10 ms of the hold are still left by performance.now()
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(q.isPaused, false, 'the queue was left paused with no timer to start it');
  } finally {
    performance.now = realNow;
  }
});
