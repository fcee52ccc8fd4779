// B refuses A's initial state (NOT_LOCKED) while its reads of the chain lag behind the lock (a load-balanced
// endpoint), then its watch sees the lock: the channel opens on both sides with the two nodes still connected,
// without a reconnect. Two real nodes over loopback libp2p on one SandboxChain, Bob's reads lagging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain, ChannelData, ChannelEvent, ChannelStatus, WatchOptions } from '../../src/chain/types.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { TON, closePair, connect, openPair, until } from '../helpers/nodes.js';

/** A chain whose reads show a locked contract as still funding, and whose watches hold the lock back, while `lag`. */
function laggingChain(real: Chain) {
  const held: { e: ChannelEvent; deliver: (e: ChannelEvent) => void }[] = [];
  const self = {
    lag: true,
    held,
    /** the endpoint caught up: reads show the chain as it is, the held lock goes to the watches */
    catchUp(): void {
      self.lag = false;
      for (const h of held.splice(0)) h.deliver(h.e);
    },
  };
  const funding = (d: ChannelData): ChannelData => (self.lag && d.phase === 'open' ? { ...d, phase: 'funding' } : d);
  const chain = new Proxy(real, {
    get(target, prop) {
      if (prop === 'getChannelData') {
        return async (...a: Parameters<Chain['getChannelData']>) => {
          const d = await target.getChannelData(...a);
          return d ? funding(d) : d;
        };
      }
      if (prop === 'getChannelStatus') {
        return async (...a: Parameters<Chain['getChannelStatus']>): Promise<ChannelStatus> => {
          const st = await target.getChannelStatus(...a);
          return self.lag && st.status === 'open' ? { ...st, status: 'funding', data: funding(st.data) } : st;
        };
      }
      if (prop === 'watchChannel') {
        return (channel: Parameters<Chain['watchChannel']>[0], o: WatchOptions) =>
          target.watchChannel(channel, {
            ...o,
            onEvent: (e) => (self.lag && e.type === 'locked' ? held.push({ e, deliver: o.onEvent }) : o.onEvent(e)),
          });
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
  return Object.assign(self, { chain });
}

test("B refuses the initial state while its reads lag behind the lock; once its watch sees the lock, the channel opens without a reconnect", async () => {
  const p = await openPair({ initialTimeoutMs: 600_000 });
  try {
    // Bob restarts with his reads of the chain lagging behind the lock.
    const lagging = laggingChain(p.chain);
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, chain: lagging.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await connect(p.alice, p.bob);
    let reconnects = 0;
    p.alice.on((e) => void (e.type === 'partnerConnected' && reconnects++));
    p.bob.on((e) => void (e.type === 'partnerConnected' && reconnects++));
    reconnects = 0; // a first listener gets the start-up's events replayed (the connection above among them)

    const proposed = waitForEvent(p.bob, 'channelProposed');
    const refused = waitForEvent(p.bob, 'error', (e) => e.code === 'NOT_LOCKED', 60_000);
    const told = waitForEvent(p.alice, 'error', (e) => e.code === 'NOT_LOCKED' && e.partner === true, 60_000);
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    await p.bob.deposit();
    // Bob's node refused Alice's initial state: its read showed the contract still funding.
    // Both are told the state is asked for again once Bob's node sees the lock (what the rest of the test shows).
    assert.match((await refused).message, /once it sees (the lock|both deposits in), it asks your partner for the state again \(nothing to do\)$/);
    assert.match((await told).message, /once it sees (the lock|both deposits in), it asks your node for the state again \(nothing to do\)$/);
    await until("Bob's watch saw the lock (held back by the lagging endpoint)", () => lagging.held.length > 0);
    assert.equal(p.alice.currentChannel()!.phase, 'locked');
    assert.equal(p.bob.currentChannel()!.phase, 'funding');
    assert.equal(p.bob.currentChannel()!.latest, null, 'no step 0 on Bob');

    // The endpoint catches up: Bob's watch reports the lock, the nodes stay connected.
    lagging.catchUp();
    await until('the channel open on both sides', () => p.alice.currentChannel()?.phase === 'open' && p.bob.currentChannel()?.phase === 'open', 20_000);
    assert.equal(p.bob.currentChannel()!.latest?.step, 0n);
    assert.equal(p.alice.currentChannel()!.latest?.step, 0n);
    assert.equal(reconnects, 0, 'no reconnect');
  } finally {
    await closePair(p);
  }
});
