// After a failed journal write (a full disk) the views mark the newest state both signed `unsaved`: held in memory
// only. The tree's step row, its hover and the output channel's lines (showAll, showLast) say so after the step;
// the node's all-clear once the disk takes it again is an info toast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChannelView, NodeEvent, StateView } from '../../src/node/types.js';
import { diskAgainNotice } from '../../src/extension/diskWords.js';
import { stepHoverText } from '../../src/extension/hoverWords.js';
import { describeState } from '../../src/extension/util.js';
import { stepDescription } from '../../src/extension/words.js';

const state = (step: bigint, unsaved: boolean): StateView => ({
  step,
  sender: 'B',
  tag: 'state',
  balanceA: 3_500_000_000n,
  balanceB: 3_500_000_000n,
  sigA: 'AA',
  sigB: 'BB',
  committed: true,
  empty: false,
  ...(unsaved ? { unsaved: true as const } : {}),
});
const names = { me: 'A' as const, partner: 'Bob' };

test('a step held in memory only (its journal write failed) says so on its row and in the output lines; a saved one does not', () => {
  const prev = { ...state(0n, false), balanceA: 3_000_000_000n, balanceB: 4_000_000_000n };
  assert.match(stepDescription(state(1n, true), prev, names), /^Bob pays 0\.5 TON · .* · held in memory only: not saved on disk$/);
  assert.doesNotMatch(stepDescription(state(1n, false), prev, names), /memory|disk/);
  assert.match(describeState(state(1n, true)), /^Step 1 \(held in memory only: not saved on disk\) · sender B · /);
  assert.doesNotMatch(describeState(state(1n, false)), /memory|disk/);
});

test("the step row's hover of a state held in memory only says so, that the node writes it by itself once the disk has room, and that withdraw still closes with it; a saved one does not", () => {
  const prev = { ...state(0n, false), balanceA: 3_000_000_000n, balanceB: 4_000_000_000n };
  const shown = { pending: null, onChain: false, stale: false };
  const held = stepHoverText(state(1n, true), prev, names, shown);
  assert.match(held, /^\*\*Step 1\*\* by Bob: Bob pays 0\.5 TON\n\n/);
  assert.ok(held.includes('\n\n$(warning) Step 1 is held in memory only: not saved on disk: the node could not write it (a full disk?); the node writes it by itself once the disk has room. Withdraw still closes the channel alone with it.'), held);
  assert.doesNotMatch(stepHoverText(state(1n, false), prev, names, shown), /memory|disk/);
});

test("a channel's disk all-clear (DISK_WRITE_AGAIN) is an info toast: the channel signs again, and a payment held with it goes now, not to be sent again", () => {
  const channel = { id: 'kQx', contract: 'kQx' } as ChannelView;
  const name = () => 'Bob';
  const again = (o: Partial<Extract<NodeEvent, { type: 'log' }>> = {}): Extract<NodeEvent, { type: 'log' }> => ({ type: 'log', level: 'warn', code: 'DISK_WRITE_AGAIN', message: 'channel kQx: on disk now', channel, ...o });
  assert.deepEqual(diskAgainNotice(again(), name), { level: 'info', text: 'the disk takes the channel with Bob again: what your node held in memory is saved, and the channel signs new states again.' });
  assert.deepEqual(diskAgainNotice(again({ payment: { step: 3n, amount: 500_000_000n } }), name), {
    level: 'info',
    text: 'the disk takes the channel with Bob again: what your node held in memory is saved, and the channel signs new states again. Your payment of 0.5 TON (Step 3), held with it, goes to Bob now: do not send it again.',
  });
  // any other log line is no toast
  assert.equal(diskAgainNotice(again({ code: 'CHAIN_READ_AGAIN' }), name), null);
  assert.equal(diskAgainNotice({ type: 'log', level: 'info', message: 'a line' }, name), null);
});
