// The Yamux bounds (src/p2p/muxer.ts) wrap private methods of @chainsafe/libp2p-yamux: a version that renames one
// must fail here at once, and the node must refuse to start rather than run without the bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { yamux as Yamux } from '@chainsafe/libp2p-yamux';
import { loadDeps } from '../../src/p2p/deps.js';
import { boundedYamux, missingYamuxHooks } from '../../src/p2p/muxer.js';

type Muxer = Record<string, unknown> & { createStream(): Promise<Record<string, unknown>> };

/** The installed Yamux with `hook` gone (as a later version that renamed it), from the `after`-th muxer it makes on. */
function without(yamux: typeof Yamux, hook: string, after = 0): typeof Yamux {
  let made = 0;
  return ((init) => () => {
    const f = yamux(init)();
    const create = f.createStreamMuxer.bind(f);
    f.createStreamMuxer = (c) => {
      const m = create(c) as unknown as Muxer;
      if (made++ < after) return m as never;
      if (hook.startsWith('stream ')) {
        const open = m.createStream.bind(m);
        m.createStream = async () => Object.defineProperty(await open(), hook.slice(7), { value: undefined });
      } else Object.defineProperty(m, hook, { value: undefined });
      return m as never;
    };
    return f;
  }) as typeof Yamux;
}

const unbounded = (hook: string) => (e: Error & { code?: string }) => e.code === 'MUXER_UNBOUNDED' && e.message.includes(hook) && /does not run without those bounds/.test(e.message);

test('the installed @chainsafe/libp2p-yamux has every private method the bounds wrap (handlePing, onRemoteStream, onCreateStream, a stream\'s onData)', async () => {
  const { yamux } = await loadDeps();
  assert.deepEqual(await missingYamuxHooks(yamux), [], 'update src/p2p/muxer.ts for this @chainsafe/libp2p-yamux version');
  await boundedYamux(yamux, {});
});

test('a Yamux without one of them is refused before the node starts (MUXER_UNBOUNDED, naming it), never run unbounded', async () => {
  const { yamux } = await loadDeps();
  for (const hook of ['handlePing', 'onRemoteStream', 'onCreateStream', 'stream onData']) await assert.rejects(boundedYamux(without(yamux, hook), {}), unbounded(hook), hook);
});

test('a muxer made later without a hook is closed, not run unbounded', async () => {
  const make = await boundedYamux(without((await loadDeps()).yamux, 'handlePing', 1), {});
  const noop = () => undefined;
  const log = Object.assign(() => undefined, { error: noop, trace: noop, enabled: false, newScope: () => log });
  const maConn = { log, direction: 'inbound', status: 'open', addEventListener: noop, removeEventListener: noop, send: () => true, abort: noop, close: () => Promise.resolve() };
  assert.throws(() => make().createStreamMuxer(maConn as never), unbounded('handlePing'));
});
