// refund on a funding channel whose contract locked with the partner's deposit, while this node has not seen the
// lock yet (its endpoint lagged, its watch holds the lock back): the refund's read of the contract shows the lock,
// the channel moves on as a read of the lock moves it, and nothing goes to the contract (it refuses a refund once
// locked, for a fee). Two real nodes over loopback libp2p on one SandboxChain, Alice's reads lagging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Chain } from '../../src/chain/types.js';
import { waitForEvent } from '../../src/node/index.js';
import { TON, closePair, openPair, until } from '../helpers/nodes.js';
import { restartLagging } from '../helpers/lagging.js';

/** `real` with its refunds counted. */
function countingRefunds(real: Chain): { chain: Chain; refunds: () => number } {
  let refunds = 0;
  const chain = new Proxy(real, {
    get(target, prop) {
      if (prop === 'refund') {
        return (...a: Parameters<Chain['refund']>) => {
          refunds++;
          return target.refund(...a);
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
  return { chain, refunds: () => refunds };
}

test("refund on a funding channel whose contract locked unseen here reads the lock, sends nothing, and says it is locked", async () => {
  const p = await openPair({ initialTimeoutMs: 600_000 });
  try {
    const counted = countingRefunds(p.chain);
    const lagging = await restartLagging(p, 'alice', counted.chain);
    const proposed = waitForEvent(p.bob, 'channelProposed');
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    await p.bob.deposit(); // the contract locks with it
    await until("Alice's watch saw the lock (held back by the lagging endpoint)", () => lagging.held.length > 0);
    assert.equal(p.alice.currentChannel()!.phase, 'funding', "Alice's node has not seen the lock");

    lagging.lag = false; // a read shows the lock from now on; the watch still holds it back
    await assert.rejects(p.alice.refund(), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'NOT_FUNDING');
      assert.match(e.message, /^the channel is locked: .*leave with the deposits/);
      return true;
    });
    assert.equal(counted.refunds(), 0, 'no refund went to the locked contract');
    assert.ok(['locked', 'open'].includes(p.alice.currentChannel()!.phase), 'the read moved the channel on');
  } finally {
    await closePair(p);
  }
});
