// A node that cannot read its channels from the chain (a wrong API key, an endpoint down) raises one error once
// that lasts, because a partner's close would then be neither seen nor challenged; each failed poll alone is only a
// log line. It says when it reads again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TonClientChain } from '../../src/chain/index.js';
import { newKeyPair } from '../../src/core/signer.js';
import { createNode } from '../../src/node/index.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { waitForEvent, type NodeEvent } from '../../src/node/index.js';
import { closePair, fund, openPair } from '../helpers/nodes.js';
import { WatchHealth } from '../../src/node/blind.js';
import type { NodeContext } from '../../src/node/context.js';
import type { ChannelController } from '../../src/node/controller.js';

test('reads of an open channel failing for the alarm time raise WATCH_FAILING once; reading again is told', async () => {
  const p = await openPair({ pollMs: 100, watchAlarmMs: 1_500 });
  try {
    await fund(p);
    const chain = p.chain as { getChannelStatus: Chain['getChannelStatus'] };
    const real = chain.getChannelStatus.bind(p.chain);
    let broken = false;
    chain.getChannelStatus = (address, o) => (broken && o?.background ? Promise.reject(new ChainError('ENDPOINT_UNREACHABLE', 'injected: cannot reach the endpoint')) : real(address, o));
    const seen: NodeEvent[] = [];
    const off = p.bob.on((e) => void ((e.type === 'error' && e.code === 'WATCH_FAILING') && seen.push(e)));
    broken = true;
    const t0 = performance.now();
    const alarm = await waitForEvent(p.bob, 'error', (e) => e.code === 'WATCH_FAILING', 15_000);
    assert.ok(performance.now() - t0 >= 1_400, 'not before the alarm time');
    assert.equal(alarm.level, 'error');
    assert.match(alarm.message, /cannot read channel .* from the chain \(injected: cannot reach.*\): a close your partner starts now is neither seen nor challenged/);
    await new Promise((r) => setTimeout(r, 1_000)); // more failed polls: no second alarm
    assert.equal(seen.length, 1);
    const back = waitForEvent(p.bob, 'log', (e) => /reads its channels from the chain again/.test(e.message), 15_000);
    broken = false;
    await back;
    off();
  } finally {
    await closePair(p);
  }
});

test('the alarm ends with an all-clear only once no channel fails to read; a channel no longer watched ends it silently', async () => {
  const logs: string[] = [];
  const errors: string[] = [];
  // the all-clear is a log event with its code (CHAIN_READ_AGAIN): kept with the logs
  const ctx = { emit: (e: { type: string; code: string; message: string }) => void (e.type === 'log' ? logs.push(e.message) : errors.push(e.code)), log: (m: string) => void logs.push(m) } as unknown as NodeContext;
  const [a, b] = [1, 2].map((n) => ({ rec: { contract: `0:${String(n).repeat(64)}` } }) as unknown as ChannelController);
  const h = new WatchHealth(ctx, 20);
  h.failed(a!, new Error('down'));
  await new Promise((r) => setTimeout(r, 30));
  h.failed(b!, new Error('down'));
  h.failed(a!, new Error('down'));
  assert.deepEqual(errors, ['WATCH_FAILING']);
  h.ok(a!);
  assert.deepEqual(logs, [], 'b still fails: no all-clear');
  h.ok(b!);
  assert.equal(logs.length, 1);
  assert.match(logs[0]!, /reads its channels from the chain again/);
  h.failed(a!, new Error('down'));
  await new Promise((r) => setTimeout(r, 30));
  h.failed(a!, new Error('down'));
  assert.deepEqual(errors, ['WATCH_FAILING', 'WATCH_FAILING'], 'a new episode');
  h.forget(a!); // the node stops, or the channel ended
  assert.equal(logs.length, 1, 'nothing read: no all-clear');
});

/** A WatchHealth over a fake context: what it emits and logs; `now` is the chain's time read. */
function health(now: () => Promise<number>, alarmMs: number) {
  const errors: { code: string; message: string }[] = [];
  const logs: string[] = [];
  const ctx = { o: { chain: { kind: 'testnet', now } }, emit: (e: { type: string; code: string; message: string }) => void (e.type === 'log' && e.code === 'CHAIN_READ_AGAIN' ? logs.push(e.message) : errors.push(e)), log: (m: string) => void logs.push(m) } as unknown as NodeContext;
  return { h: new WatchHealth(ctx, alarmMs), errors, logs };
}
const refused = () => new ChainError('API_KEY_REJECTED', 'injected: 401, the API key was rejected');
const ctlOf = (n: number) => ({ rec: { contract: `0:${String(n).repeat(64)}` } }) as unknown as ChannelController;

test('a refused API key raises WATCH_FAILING at the first failed read: it does not mend by itself', () => {
  const { h, errors } = health(() => Promise.resolve(0), 60_000);
  h.failed(ctlOf(1), new ChainError('ENDPOINT_UNREACHABLE', 'down'));
  assert.equal(errors.length, 0, 'an endpoint out of reach waits for the alarm time');
  h.failed(ctlOf(2), refused());
  assert.deepEqual(errors.map((e) => e.code), ['WATCH_FAILING']);
  assert.match(errors[0]!.message, /cannot read channel .* from the chain \(injected: 401/);
  h.stop();
});

test('the read at start says a refused key at once for the channels, reads again, and gives the all-clear', async () => {
  let broken = true;
  const { h, errors, logs } = health(() => (broken ? Promise.reject(refused()) : Promise.resolve(1)), 30);
  await h.checkAtStart(() => {
    setTimeout(() => (broken = false), 60);
    return 2;
  });
  assert.deepEqual(errors.map((e) => e.code), ['WATCH_FAILING']);
  assert.match(errors[0]!.message, /cannot read its 2 channels from the chain \(injected: 401.*\): a close your partner starts now is neither seen nor challenged/);
  assert.equal(logs.length, 1);
  assert.match(logs[0]!, /reads the chain again: its channels are watched/);
  h.failed(ctlOf(1), refused());
  assert.equal(errors.length, 2, 'cleared: a new failure is a new alarm');
  h.stop();
});

test("the start read's all-clear waits while a channel's WATCH_FAILING raised since is still up", async () => {
  // nothing watched at start: the chain out of reach is said as such; a channel's reads then fail for the alarm time
  let broken = true;
  const { h, errors, logs } = health(() => (broken ? Promise.reject(new ChainError('ENDPOINT_UNREACHABLE', 'down')) : Promise.resolve(1)), 30);
  const a = ctlOf(1);
  await h.checkAtStart(() => {
    setTimeout(() => h.failed(a, refused()), 10);
    setTimeout(() => (broken = false), 60);
    return 0;
  });
  assert.deepEqual(errors.map((e) => e.code), ['ENDPOINT_UNREACHABLE', 'WATCH_FAILING']);
  assert.deepEqual(logs, [], 'the chain read again, but a channel still is not: no all-clear (a CLI run ends by it)');
  h.ok(a);
  assert.equal(logs.length, 1);
  assert.match(logs[0]!, /reads its channels from the chain again/);
  h.stop();
});

test('a node on testnet with a refused API key and no channel says so as it starts', async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'API key does not exist' })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-key-'));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const chain = new TonClientChain({ kind: 'testnet', endpoint, apiKey: 'wrong', requestsPerSecond: 0, retry: { retries: 1, baseDelayMs: 5 } });
  const node = await createNode({ network: 'testnet', chain, dataDir: join(dir, 'n'), key: { keyPair: newKeyPair() } });
  try {
    const e = await waitForEvent(node, 'error', () => true, 10_000);
    assert.equal(e.code, 'API_KEY_REJECTED');
    assert.equal(e.level, 'error');
    assert.match(e.message, /the node cannot read the chain \(.*rejected the API key.*\): balances, deposits and closes fail until it can/);
  } finally {
    await node.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  }
});
