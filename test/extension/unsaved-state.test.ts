// After a failed journal write (a full disk) the views mark the newest state both signed `unsaved`: held in memory
// only. The tree's step row, its hover and the output channel's lines (showAll, showLast) say so after the step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StateView } from '../../src/node/types.js';
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

test("the step row's hover of a state held in memory only says so, and that withdraw still closes with it; a saved one does not", () => {
  const prev = { ...state(0n, false), balanceA: 3_000_000_000n, balanceB: 4_000_000_000n };
  const shown = { pending: null, onChain: false, stale: false };
  const held = stepHoverText(state(1n, true), prev, names, shown);
  assert.match(held, /^\*\*Step 1\*\* by Bob: Bob pays 0\.5 TON\n\n/);
  assert.ok(held.includes('\n\n$(warning) Step 1 is held in memory only: not saved on disk: the node could not write it (a full disk?); withdraw still closes the channel alone with it.'), held);
  assert.doesNotMatch(stepHoverText(state(1n, false), prev, names, shown), /memory|disk/);
});
