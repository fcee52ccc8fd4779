// What a toast says of a challenge: by this node, a new one as news, one a restart tells again (the node's event
// marked `earlier`) as done before the restart, with the challenge window's end; by the partner of this node's own
// close, a warning that the payout follows the partner's state now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTon } from '../../src/core/amounts.js';
import type { Capabilities, ChannelView, CloseView, NodeEvent } from '../../src/node/types.js';
import { challengedNotice, challengedWords, WINDOW_READ } from '../../src/extension/words.js';

const TON = parseTon;
const no = { ok: false as const, code: 'NOT_OPEN' as const, why: 'not now' };
const allNo: Capabilities = { deposit: no, refund: no, send: no, sign: no, createEmpty: no, requestEmpty: no, withdraw: no, exit: no, challenge: no, finish: no, decline: no };

function closing(close: Partial<CloseView>): ChannelView {
  return {
    id: 'kQx', channelId: '1', contract: 'kQx', network: 'sandbox', me: 'A', myAddress: '0Qa', partnerAddress: '0Qb', partnerOnline: true, phase: 'closing',
    challengePeriod: 600, expectedDepositA: TON('3'), expectedDepositB: TON('4'), depositA: TON('3'), depositB: TON('4'), latest: null, count: 0n,
    pending: null, myTurn: false, sendAsksTurn: false, turnRequestedByPartner: false, depositing: false, myBalance: TON('3.5'), partnerBalance: TON('3.5'),
    close: { step: 5n, submitter: 'B', deadline: 1_000_540, byMe: false, challengeWith: null, secondsLeft: 540, ...close }, closeUnsent: null, deadline: 1_000_540, closeStep: 5n,
    payout: null, payoutA: null, payoutB: null, actions: allNo, restorePending: false, restored: false, legacy: false, contractVersion: 4,
  };
}

const challenged = (channel: ChannelView, o: { byMe?: boolean; earlier?: boolean } = {}): Extract<NodeEvent, { type: 'challenged' }> => ({ type: 'challenged', channel, step: 5n, byMe: o.byMe ?? true, ...(o.earlier ? { earlier: true } : {}) });

test('a challenge a restart tells again (earlier) is said as done before the restart, with the window\'s end, not as a new challenge', () => {
  const partners = closing({});
  assert.equal(challengedWords(challenged(partners)), 'your watcher challenged a stale close with Step 5');
  const before = challengedWords(challenged(partners, { earlier: true }));
  assert.equal(before, "before the restart, your watcher challenged your partner's stale close with Step 5; the challenge window ends in 9 min");
  // the node has not read the chain's time yet in this run: no figure of the local clock
  assert.equal(challengedWords(challenged(closing({ secondsLeft: null }), { earlier: true })), `before the restart, your watcher challenged your partner's stale close with Step 5; ${WINDOW_READ}`);
  // this node's own close by an older state than the latest both signed, corrected by its watcher
  const own = closing({ byMe: true, submitter: 'A' });
  assert.equal(challengedWords(challenged(own)), 'your close used an older state than the latest both signed: your watcher challenged it with Step 5, which pays you more');
  assert.equal(challengedWords(challenged(own, { earlier: true })), 'before the restart, your watcher challenged your own close (an older state than the latest both signed) with Step 5, which pays you more; the challenge window ends in 9 min');
});

test("the partner's challenge of this node's own close is a warning that the payout follows their state, as the CLI's 'Your partner challenged your close'; told again after a restart as past", () => {
  const own = closing({ byMe: true, submitter: 'A' });
  const now = challengedNotice(challenged(own, { byMe: false }), 'Bob');
  assert.deepEqual(now, { level: 'warning', text: '❗ Bob challenged your close with Step 5❗ The payout follows Step 5 now, not what you submitted; the challenge window ends in 9 min.' });
  const before = challengedNotice(challenged(own, { byMe: false, earlier: true }), 'Bob');
  assert.deepEqual(before, { level: 'warning', text: 'before the restart, Bob challenged your close with Step 5: the payout follows Step 5 now, not what you submitted; the challenge window ends in 9 min.' });
  // the node's watcher answers it (a later state of ours pays us more): said with it
  const answered = challengedWords(challenged(closing({ byMe: true, submitter: 'A', challengeWith: 7n }), { byMe: false }), 'Bob');
  assert.equal(answered, '❗ Bob challenged your close with Step 5❗ The payout follows Step 5 now, not what you submitted; the challenge window ends in 9 min. Your watcher challenges it with Step 7.');
  // the window's end not read yet in this run: no figure of the local clock
  assert.equal(challengedWords(challenged(closing({ byMe: true, submitter: 'A', secondsLeft: null }), { byMe: false }), 'Bob'), `❗ Bob challenged your close with Step 5❗ The payout follows Step 5 now, not what you submitted; ${WINDOW_READ}.`);
});

test("a challenge of the partner's close not by this node is told as an info, new or after a restart; this node's own challenges stay infos", () => {
  const partners = closing({});
  assert.deepEqual(challengedNotice(challenged(partners, { byMe: false }), 'Bob'), { level: 'info', text: 'the close was challenged with Step 5 (not by your node): the contract holds Step 5 now; the challenge window ends in 9 min.' });
  assert.equal(challengedWords(challenged(partners, { byMe: false, earlier: true }), 'Bob'), 'before the restart, the close was challenged with Step 5 (not by your node): the contract holds Step 5 now; the challenge window ends in 9 min.');
  assert.equal(challengedNotice(challenged(partners), 'Bob').level, 'info');
  assert.equal(challengedNotice(challenged(closing({ byMe: true, submitter: 'A' })), 'Bob').level, 'info');
});
