// B refuses A's initial state (INITIAL_MISMATCH) when the deposits it reads on the locked contract differ from the
// state's balances (here: Bob's endpoint shows Alice's deposit 1 TON higher). A locked contract's deposits never
// change, so no other initial state comes: each side is told, in its own words, that the channel does not open with
// it and how to leave with the deposits. Two real nodes over loopback libp2p on one SandboxChain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Chain, ChannelData, ChannelEvent, ChannelStatus, WatchOptions } from '../../src/chain/types.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { TON, closePair, connect, openPair } from '../helpers/nodes.js';

/**
 * A chain whose reads and watches show A's deposit `extra` nanotons higher than the contract holds. With `lockHidden`,
 * its status reads show a locked contract as funding while that says so, and its watch never reports the lock.
 */
function inflatedChain(real: Chain, extra: bigint, lockHidden?: () => boolean): Chain {
  const more = (d: ChannelData): ChannelData => (d.depositA > 0n ? { ...d, depositA: d.depositA + extra } : d);
  const moreEvent = (e: ChannelEvent): ChannelEvent => ('depositA' in e && e.depositA > 0n ? { ...e, depositA: e.depositA + extra } : e);
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'getChannelData') {
        return async (...a: Parameters<Chain['getChannelData']>) => {
          const d = await target.getChannelData(...a);
          return d ? more(d) : d;
        };
      }
      if (prop === 'getChannelStatus') {
        return async (...a: Parameters<Chain['getChannelStatus']>): Promise<ChannelStatus> => {
          const st = await target.getChannelStatus(...a);
          if (st.status === 'open' && lockHidden?.()) return { ...st, status: 'funding', data: { ...more(st.data), phase: 'funding' } };
          return 'data' in st && st.data ? ({ ...st, data: more(st.data) } as ChannelStatus) : st;
        };
      }
      if (prop === 'watchChannel') {
        return (channel: Parameters<Chain['watchChannel']>[0], o: WatchOptions) =>
          target.watchChannel(channel, { ...o, onEvent: (e) => (lockHidden && e.type === 'locked' ? undefined : o.onEvent(moreEvent(e))) });
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
}

test('B refuses an initial state that does not match the deposits it reads: each side is told no other comes and how to leave with the deposits', async () => {
  const p = await openPair({ initialTimeoutMs: 600_000 });
  try {
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, chain: inflatedChain(p.chain, TON('1')), dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await connect(p.alice, p.bob);

    const proposed = waitForEvent(p.bob, 'channelProposed');
    const refused = waitForEvent(p.bob, 'error', (e) => e.code === 'INITIAL_MISMATCH', 60_000);
    const told = waitForEvent(p.alice, 'error', (e) => e.code === 'INITIAL_MISMATCH' && e.partner === true, 60_000);
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    await p.bob.deposit();

    // Bob reads what his node did and what comes next: nothing from Alice, his own way out.
    const here = (await refused).message;
    assert.match(here, /^refused a new state from your partner /);
    assert.match(here, /gives A 3 TON and B 4 TON, but the locked contract holds A 4 TON and B 4 TON/);
    assert.match(here, /it was not signed, and no other initial state comes/);
    assert.match(here, /leave with the deposits \(leave\)/);
    assert.doesNotMatch(here, /ask A|resends/);
    // Alice reads it about her state, in her words.
    const there = (await told).message;
    assert.match(there, /^your partner reports: your initial state gives A 3 TON and B 4 TON, but the locked contract holds A 4 TON and B 4 TON as their node reads it/);
    assert.match(there, /your node sends no other/);
    assert.match(there, /leave with the deposits \(leave\)/);
    assert.doesNotMatch(there, /ask A|resends/);
    assert.equal(p.bob.currentChannel()!.latest, null, 'no step 0 signed on Bob');
  } finally {
    await closePair(p);
  }
});

// B is told to leave with the deposits; its watch has not seen the lock, but its read of A's state did, and that read
// is the lock (saved and told before the state is checked: payments.ts lockRead): leave leaves, rather than saying
// "not locked: take your deposit back".
test("after INITIAL_MISMATCH, leave works while this node's watch has not seen the lock: the read of A's state took it", async () => {
  const p = await openPair({ initialTimeoutMs: 600_000 });
  try {
    let hidden = true;
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, chain: inflatedChain(p.chain, TON('1'), () => hidden), dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    await connect(p.alice, p.bob);

    const proposed = waitForEvent(p.bob, 'channelProposed');
    const refused = waitForEvent(p.bob, 'error', (e) => e.code === 'INITIAL_MISMATCH', 60_000);
    await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
    await proposed;
    await p.bob.deposit();
    assert.match((await refused).message, /leave with the deposits \(leave\)/);
    assert.equal(p.bob.currentChannel()!.phase, 'locked', "Bob's read of Alice's state took the lock");

    hidden = false; // the lock shows from now on to a read, never to the watch
    const left = await p.bob.exit();
    assert.ok(left.deadline > 0, 'the exit landed, with its deadline');
    assert.equal(p.bob.currentChannel()!.phase, 'closing');
  } finally {
    await closePair(p);
  }
});
