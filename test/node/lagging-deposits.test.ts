// A lagging endpoint's read from before the lock must not lower a locked channel's deposits: the contract takes
// deposits and refunds only while funding. Bob's node restarts before the initial state is signed; its catch-up read
// shows the lock, then its new watch's first read comes from a lagging endpoint (funding, Bob's deposit not in yet).
// Taken as a refund, it lowered the record's deposits, and Bob refused Alice's initial state (INITIAL_MISMATCH) with
// nothing to resend it: the channel never opened. Two real nodes over loopback libp2p on one SandboxChain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain, ChannelStatus, WatchOptions } from '../../src/chain/types.js';
import { runWatch } from '../../src/chain/watch.js';
import { createNode } from '../../src/node/index.js';
import { TON, closePair, connect, openPair, until } from '../helpers/nodes.js';
import { bobLagging, bobRefusesInitial } from '../helpers/lagging.js';

/** A chain whose watches read from an endpoint that lags behind the lock (funding, B's deposit not in) while `lag`. */
function laggingWatches(real: Chain) {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((r) => (open = r));
  /** `open()`: the watches' reads go on (held until then, so that the catch-up read comes first) */
  const self = { lag: true, reads: 0, open: () => open() };
  const lagged = (st: ChannelStatus): ChannelStatus =>
    self.lag && st.status === 'open' ? { ...st, status: 'funding', data: { ...st.data, phase: 'funding', depositB: 0n } } : st;
  const chain = new Proxy(real, {
    get(target, prop) {
      if (prop === 'watchChannel') {
        return (channel: Parameters<Chain['watchChannel']>[0], o: WatchOptions) => {
          const ac = new AbortController();
          const source = {
            status: async (signal: AbortSignal) => {
              await gate;
              const st = lagged(await target.getChannelStatus(channel, { signal, background: true }));
              self.reads++;
              return st;
            },
            payout: (signal: AbortSignal) => target.getPayout(channel, { signal, background: true }),
            now: (signal: AbortSignal) => target.now({ signal, background: true }),
          };
          void runWatch(source, o, o.pollMs ?? 100, o.signal ? AbortSignal.any([o.signal, ac.signal]) : ac.signal);
          return { stop: () => ac.abort() };
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
  return Object.assign(self, { chain });
}

test("a lagging watch read from before the lock does not lower a locked channel's deposits: the initial state is signed", async () => {
  const p = await openPair({ initialTimeoutMs: 600_000 });
  try {
    // Bob's reads lag behind the lock: he refuses Alice's initial state (NOT_LOCKED), still funding here.
    await bobLagging(p);
    await bobRefusesInitial(p);
    assert.equal(p.alice.currentChannel()!.phase, 'locked');

    // Both stop. Bob starts again: his catch-up read shows the lock, then his watch reads from an endpoint still
    // before his deposit.
    await p.alice.stop();
    await p.bob.stop();
    const lagging = laggingWatches(p.chain);
    p.bob = await createNode({ ...p.common, chain: lagging.chain, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    const refunds: string[] = [];
    p.bob.on((e) => void (e.type === 'refundSeen' && refunds.push(`${e.party} ${e.amount}`)));
    await until("Bob's node saw the lock", () => p.bob.currentChannel()?.phase === 'locked');
    lagging.open();
    await until("Bob's watch read the lagging endpoint a few times", () => lagging.reads >= 3);
    assert.deepEqual([p.bob.currentChannel()!.depositA, p.bob.currentChannel()!.depositB], [TON('3'), TON('4')], 'the locked deposits stay');

    // Alice starts again and sends her initial state on connect: Bob signs it, the channel opens on both sides.
    p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    await connect(p.alice, p.bob);
    await until('the channel open on both sides', () => p.alice.currentChannel()?.phase === 'open' && p.bob.currentChannel()?.phase === 'open', 20_000);
    assert.deepEqual(refunds, [], 'no refund told');
  } finally {
    await closePair(p);
  }
});
