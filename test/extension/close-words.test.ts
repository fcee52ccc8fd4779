// What the tree's hover and the balances panel say of a close on chain: once a challenge replaced its step, the
// close with the step it started with and who challenged it (the node's close.challenged), not "Step M (close
// started by you)" alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CloseView } from '../../src/node/types.js';
import { challengedCloseWords, onChainWords } from '../../src/extension/closeWords.js';

const close = (o: Partial<CloseView>): CloseView => ({ step: 5n, submitter: 'A', deadline: 1_000_540, byMe: true, challengeWith: null, secondsLeft: 540, ...o });

test("a close the partner challenged is said as 'your close with Step N, challenged by <partner> with Step M', and the mirror case", () => {
  const mine = close({ challenged: { firstStep: 2n, byMe: false } });
  assert.equal(challengedCloseWords(mine, 'Bob'), 'your close with Step 2, challenged by Bob with Step 5');
  assert.equal(onChainWords(mine, 'Bob'), 'your close with Step 2, challenged by Bob with Step 5');
  const theirs = close({ submitter: 'B', byMe: false, challenged: { firstStep: 2n, byMe: true } });
  assert.equal(onChainWords(theirs, 'Bob'), "Bob's close with Step 2, challenged by you with Step 5");
  // an exit with the deposits, challenged with a state both signed
  assert.equal(onChainWords(close({ submitter: 'B', byMe: false, challenged: { firstStep: null, byMe: true } }), 'Bob'), "Bob's exit with the deposits, challenged by you with Step 5");
});

test('a close no challenge replaced reads as before: the step on chain and who started the close', () => {
  assert.equal(challengedCloseWords(close({}), 'Bob'), null);
  assert.equal(onChainWords(close({}), 'Bob'), 'Step 5 (close started by you)');
  assert.equal(onChainWords(close({ step: null, byMe: false, submitter: 'B' }), 'Bob'), 'the deposits (an exit) (close started by Bob)');
});
