// A signed-state message carries the signatures of the parties that do not send it, so its layout depends on the
// sender's side. The node knows its side from the channel record: a read of the contract that lags behind the
// deployment (it shows the contract not deployed) once built A's message in a stranger's layout, and the contract
// refused it (B's signature read as wrong): a fee lost, and a retry. Two real nodes on a SandboxChain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { waitForEvent } from '../../src/node/index.js';
import { laggingState } from '../helpers/lagging.js';
import { payOne } from '../helpers/reads.js';
import { TON, closePair, fund, openPair, until, type Pair } from '../helpers/nodes.js';

const PERIOD = 120;

function contractOf(p: Pair): Address {
  return Address.parse(p.alice.currentChannel()!.contract);
}

test("a unilateral close sent while the contract's state reads as not deployed lands in the sender's layout", async () => {
  const p = await openPair({ challengePeriod: PERIOD });
  try {
    await fund(p);
    const lag = laggingState(p.chain, contractOf(p));
    const r = await p.alice.withdraw({ mode: 'unilateral' });
    assert.equal(r.mode, 'unilateral');
    await until('the close on chain', () => p.alice.currentChannel()?.phase === 'closing', 20_000);
    assert.equal(lag.reads, 0, 'no read decided the layout');
  } finally {
    await closePair(p);
  }
});

test("a cooperative close sent while the contract's state reads as not deployed lands in the sender's layout", async () => {
  const p = await openPair({ challengePeriod: PERIOD });
  try {
    await fund(p);
    const lag = laggingState(p.chain, contractOf(p));
    const closed = waitForEvent(p.bob, 'closed', () => true, 20_000);
    const r = await p.alice.withdraw({ mode: 'cooperative' });
    assert.equal(r.mode, 'cooperative');
    assert.deepEqual([r.payoutA, r.payoutB], [TON('3'), TON('4')]);
    await closed;
    assert.equal(lag.reads, 0, 'no read decided the layout');
  } finally {
    await closePair(p);
  }
});

test("the watcher's challenge sent while the contract's state reads as not deployed lands in the sender's layout", async () => {
  // Bob's chain object reads the contract through a lagging replica; Alice's reads it as it is.
  const shared = await SandboxChain.create();
  const bobChain = await SandboxChain.create({ blockchain: shared.blockchain });
  const p = await openPair({ challengePeriod: PERIOD, chain: shared, bobChain });
  try {
    await fund(p);
    await payOne(p);
    const lag = laggingState(bobChain, contractOf(p));
    const challenged = waitForEvent(p.bob, 'challenged', (e) => e.byMe, 20_000);
    await p.alice.withdraw({ step: 0n, mode: 'unilateral', confirmStale: true });
    assert.equal((await challenged).step, 3n);
    assert.equal(lag.reads, 0, 'no read decided the layout');
  } finally {
    await closePair(p);
    await Promise.all([shared.close(), bobChain.close()]);
  }
});
