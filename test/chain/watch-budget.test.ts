// The watches of one chain object share a budget of the endpoint's rate limit: at idle they poll no faster than
// half of it in all (toncenter without an API key allows about 1 request a second), so a person's operations, a
// close's reads and other programs on the same key have room; a closing channel is still polled at the watch's
// own pace (its challenge and its finish wait on those reads). Against a tiny local server on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { TonClientChain } from '../../src/chain/index.js';
import { runWatch } from '../../src/chain/watch.js';
import type { ChannelData } from '../../src/contract/index.js';
import { startFakeToncenter, type FakeToncenter } from './fixtures/fake-toncenter.js';
import { scriptedReads } from './fixtures/scripted-watch.js';

let toncenter: FakeToncenter;
let base: string;
/** the addresses read, in order */
let reads: string[] = [];

before(async () => {
  toncenter = await startFakeToncenter((address) => reads.push(address));
  base = toncenter.base;
});
after(() => toncenter.close());

const addr = (n: number) => new Address(0, Buffer.alloc(32, n));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("ten idle watches on an endpoint of 10 requests a second use at most half of it, each still read", async () => {
  // A poll every 10 ms each: without a shared budget they would fill the endpoint's limit.
  const c = new TonClientChain({ kind: 'testnet', endpoint: base, requestsPerSecond: 10, watchPollMs: 10 });
  const watches = Array.from({ length: 10 }, (_, i) => c.watchChannel(addr(i + 1), { onEvent: () => undefined }));
  try {
    await pause(3_000); // the first reads, queued at once, have gone
    reads = [];
    await pause(10_000);
    const seen = [...reads];
    // Half of 10 a second for 10 s is 50; each watch may start one more read than its share in the span.
    assert.ok(seen.length <= 65, `${seen.length} requests in 10 s`);
    for (let i = 1; i <= 10; i++) assert.ok(seen.filter((a) => a === addr(i).toString()).length >= 2, `watch ${i} read ${seen.filter((a) => a === addr(i).toString()).length} times`);
  } finally {
    for (const w of watches) w.stop();
    await c.close();
  }
});

test('runWatch asks for the idle pace while a channel is open, and the urgent one while it is closing', async () => {
  const base = { publicKeyA: Buffer.alloc(32), publicKeyB: Buffer.alloc(32), exit: false, depositA: 3n, depositB: 4n } as unknown as ChannelData;
  const open = { ...base, phase: 'open' as const, storedState: null, submitter: null, deadline: null, stepFloor: 0n } as unknown as ChannelData;
  const closing = { ...base, phase: 'closing' as const, deadline: 1000, storedState: { tag: 'state', step: 0n, balanceA: 3n, balanceB: 4n }, submitter: 'A', stepFloor: 1n } as unknown as ChannelData;
  const { src, signal } = scriptedReads([open, open, closing, closing]);
  const asked: boolean[] = [];
  await runWatch(src, { onEvent: () => undefined }, (urgent) => (asked.push(urgent), 1), signal);
  assert.deepEqual(asked, [false, false, true, true]);
});
