// A node that cannot read its channels from the chain (a wrong API key, an endpoint down) raises one error once
// that lasts, because a partner's close would then be neither seen nor challenged; each failed poll alone is only a
// log line. It says when it reads again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
    chain.getChannelStatus = (address, o) => (broken && o?.background ? Promise.reject(new ChainError('API_KEY_REJECTED', 'injected: the endpoint answered 401 (the API key was rejected)')) : real(address, o));
    const seen: NodeEvent[] = [];
    const off = p.bob.on((e) => void ((e.type === 'error' && e.code === 'WATCH_FAILING') && seen.push(e)));
    broken = true;
    const t0 = performance.now();
    const alarm = await waitForEvent(p.bob, 'error', (e) => e.code === 'WATCH_FAILING', 15_000);
    assert.ok(performance.now() - t0 >= 1_400, 'not before the alarm time');
    assert.equal(alarm.level, 'error');
    assert.match(alarm.message, /has not read channel .* from the chain for 1 minute \(injected: .*API key.*\): a close your partner starts now is neither seen nor challenged/);
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
  const ctx = { emit: (e: { code: string }) => void errors.push(e.code), log: (m: string) => void logs.push(m) } as unknown as NodeContext;
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
