// What the tree's hover, the balances panel and the toasts say of a close on chain: once a challenge replaced its
// step, the close with the step it started with and who challenged it (the node's close.challenged), not "Step M
// (close started by you)" alone; the partner's close a restart tells again (the node's `earlier`) as past.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChannelView, CloseView, NodeEvent } from '../../src/node/types.js';
import { challengedCloseWords, closeStartedWords, onChainWords } from '../../src/extension/closeWords.js';
import { WINDOW_READ } from '../../src/extension/words.js';

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

function closing(o: Partial<CloseView>): ChannelView {
  return { id: 'kQx', contract: 'kQx', me: 'A', phase: 'closing', close: close(o) } as ChannelView;
}

const started = (channel: ChannelView, o: { step?: bigint | null; earlier?: boolean; byPartner?: boolean } = {}): Extract<NodeEvent, { type: 'closeStarted' }> => ({
  type: 'closeStarted',
  channel,
  step: o.step === undefined ? 2n : o.step,
  byPartner: o.byPartner ?? true,
  deadline: 1_000_540,
  ...(o.earlier ? { earlier: true } : {}),
});

test("the partner's close a restart tells again (earlier) is said as started before the restart, with the window's end, not as new", () => {
  const ch = closing({ submitter: 'B', byMe: false });
  assert.equal(closeStartedWords(started(ch), 'Bob'), 'Bob sent Step 2 to the contract; the challenge window ends in 9 min. Your watcher challenges it if it pays you less than your latest state (or a state between could).');
  assert.equal(closeStartedWords(started(ch, { earlier: true }), 'Bob'), 'before the restart, Bob started a close with Step 2; the challenge window ends in 9 min. Your watcher challenges it if it pays you less than your latest state (or a state between could).');
  assert.equal(closeStartedWords(started(ch, { step: null, earlier: true }), 'Bob'), 'before the restart, Bob started an exit with the deposits; the window ends in 9 min. Your watcher challenges with any state both signed.');
  assert.equal(closeStartedWords(started(ch, { step: null }), 'Bob'), 'Bob started an exit with the deposits; the window ends in 9 min. Your watcher challenges with any state both signed.');
  // the chain's time not read yet in this run: no figure of the local clock
  assert.equal(closeStartedWords(started(closing({ secondsLeft: null }), { earlier: true }), 'Bob'), `before the restart, Bob started a close with Step 2; ${WINDOW_READ}. Your watcher challenges it if it pays you less than your latest state (or a state between could).`);
  // this node's own close is not a toast
  assert.equal(closeStartedWords(started(closing({}), { byPartner: false }), 'Bob'), null);
});
