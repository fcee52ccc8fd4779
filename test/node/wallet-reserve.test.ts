// "Either party must always be able to leave": a wallet that falls, while its channel is open, below what leaving
// costs (a challenge of a stale close or a close, then the finish) was told nothing until a challenge failed. The
// node reads its wallet while a channel is live and tells each fall under the reserve once, with what is short and
// how to top it up; a top-up is told, and a second fall is told again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { EXIT_RESERVE } from '../../src/node/checks.js';
import type { ChannelController } from '../../src/node/controller.js';
import { EXIT_SPEND, exitShort } from '../../src/node/reserve.js';
import type { NodeEvent } from '../../src/node/types.js';
import { faultyChain, type FaultyChain } from '../helpers/faults.js';
import { drainWallet } from '../helpers/drain.js';
import { TON, closePair, fund, openPair, until } from '../helpers/nodes.js';

type Reserve = Extract<NodeEvent, { type: 'walletReserve' }>;

test('a wallet drained below what leaving its open channel costs is told once per fall, with the amount short and how to top it up', async () => {
  let bobReads: FaultyChain | undefined;
  const p = await openPair({ walletReadMs: 100, bobChain: (c) => (bobReads = faultyChain(c)).chain });
  try {
    const told: Reserve[] = [];
    const aliceTold: Reserve[] = [];
    p.bob.on((e) => void (e.type === 'walletReserve' && told.push(e)));
    p.alice.on((e) => void (e.type === 'walletReserve' && aliceTold.push(e)));
    await fund(p);
    const reads = () => bobReads!.calls.get('getBalanceDue') ?? 0;
    /** resolves once the node has read its wallet `n` more times */
    const readsMore = async (n: number) => {
      const from = reads();
      await until(`${n} more reads of Bob's wallet`, () => reads() >= from + n);
    };
    await readsMore(2);
    assert.equal(told.length, 0, 'a wallet that holds enough is not told anything');

    await drainWallet(p.chain, p.keys.bob, p.alice.getAccount(), TON('0.03'));
    await until('the fall to be told', () => told.length === 1);
    await readsMore(3);
    await p.bob.balanceTon(); // a person's read while still short says nothing more
    const low = told[0]!;
    assert.deepEqual([told.length, low.low], [1, true], 'told once, not on every read');
    assert.equal(low.need, EXIT_RESERVE, 'one open channel keeps one exit reserve');
    assert.equal(low.short, low.need - low.balance);
    assert.ok(low.balance < TON('0.03') && low.short > 0n, `holds ${low.balance}`);
    assert.deepEqual(low.channels.map((c) => c.phase), ['open']);
    assert.equal(low.wallet, p.bob.getAccount());
    assert.match(low.message, new RegExp(`^your wallet ${p.bob.getAccount()} holds [\\d.]+ TON, [\\d.]+ TON short of the 0\\.05 TON it keeps to leave your channel alone \\(a challenge of a stale close or a close, then the finish\\)`));
    assert.match(low.message, /Top it up with at least [\d.]+ TON \(`faucet`\)$/);
    assert.deepEqual(p.bob.walletLow(), { wallet: low.wallet, balance: low.balance, need: low.need, short: low.short, message: low.message });

    await p.chain.fund(Address.parse(p.bob.getAccount()), TON('1'));
    await until('the top-up to be told', () => told.length === 2);
    assert.equal(told[1]!.low, false);
    assert.match(told[1]!.message, /holds [\d.]+ TON again: enough to leave your channels alone/);
    assert.equal(p.bob.walletLow(), null);

    await drainWallet(p.chain, p.keys.bob, p.alice.getAccount(), TON('0.02'));
    await until('the second fall to be told', () => told.length === 3);
    await readsMore(3);
    assert.deepEqual(told.map((e) => e.low), [true, false, true], 'each crossing told once');
    assert.equal(aliceTold.length, 0, "the partner's wallet, which holds enough, is told nothing");
  } finally {
    await closePair(p);
  }
});

test('the reserve: EXIT_RESERVE for one live channel with money of this party in it, EXIT_SPEND more for each other, beyond the storage fee due', () => {
  const ctl = (life: string, mine: bigint, o: { signed?: boolean; legacy?: boolean } = {}) =>
    ({ life, rec: { me: 'B', depositA: 0n, depositB: mine, legacy: o.legacy }, isDropped: false, standIn: false, channel: { latest: o.signed === false ? null : {}, myBalance: mine } }) as unknown as ChannelController;
  const read = (balance: bigint, storageDue: bigint | null = null) => ({ balance, storageDue });
  const open = ctl('open', TON('1'));
  assert.equal(exitShort(read(EXIT_RESERVE), [open]), null);
  assert.deepEqual(pick(exitShort(read(EXIT_RESERVE - 1n), [open])), { need: EXIT_RESERVE, short: 1n });
  assert.deepEqual(pick(exitShort(read(EXIT_RESERVE, TON('0.002')), [open])), { need: EXIT_RESERVE, short: TON('0.002') }, 'the storage fee due is taken first');
  const three = [open, ctl('closing', TON('2')), ctl('locked', TON('1'), { signed: false })];
  assert.deepEqual(pick(exitShort(read(EXIT_RESERVE), three)), { need: EXIT_RESERVE + 2n * EXIT_SPEND, short: 2n * EXIT_SPEND });
  const none = [ctl('open', 0n), ctl('funding', TON('1')), ctl('closed', TON('1')), ctl('open', TON('1'), { legacy: true })];
  assert.equal(exitShort(read(0n), none), null, 'nothing to keep, nothing live, or a channel not operated here');
});

function pick(s: ReturnType<typeof exitShort>): { need: bigint; short: bigint } | null {
  return s && { need: s.need, short: s.short };
}
