// A close state both signed in memory of a controller whose storage an import closed (its write refused): that
// controller is about to be dropped, and the close state is not on disk; it never goes to the chain from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import type { NodeContext } from '../../src/node/context.js';
import { aliceFellBack, closePair, openPair, until } from '../helpers/nodes.js';
import { holdAppendUntilClosed } from '../helpers/running-import.js';

test('a close state countersigned as an import closes the storage is not paid out by the controller being dropped', async () => {
  const p = await openPair({ challengePeriod: 3600, closeTimeoutMs: 1500, bob: { autoMode: false } });
  try {
    await aliceFellBack(p); // a unilateral close (its window: an hour); Bob holds her close state, unsigned
    const { ctx } = (p.alice as unknown as { node: { ctx: NodeContext } }).node;
    const ctl = [...ctx.channels.values()][0]!;
    await until('Alice to see her close', () => ctl.life === 'closing', 15_000);
    const mine = Address.parse(p.alice.getAccount());
    let paidOut = 0;
    const cooperativeClose = p.chain.cooperativeClose.bind(p.chain);
    p.chain.cooperativeClose = (w, ...a) => {
      if (w.address.equals(mine)) paidOut++;
      return cooperativeClose(w, ...a);
    };
    // Bob's countersignature reaches Alice as an import closes her channel's storage: its write is refused.
    const held = holdAppendUntilClosed(ctl, (entries) => entries.some((e) => e.kind === 'committed' && e.state.state.tag === 'close'));
    await p.bob.sign();
    await held.reached;
    await ctl.storage!.close();
    await ctl.written();
    assert.equal(ctl.channel.latest?.state.tag, 'close', 'both signed in memory');
    assert.equal(ctl.reloading, true);
    // A change told meanwhile (a read of the chain's clock after a close is read does so): nothing is paid out here.
    ctx.changed(ctl);
    await ctl.written();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(paidOut, 0, 'no cooperative close from a controller whose storage is closed');
  } finally {
    await closePair(p);
  }
});
