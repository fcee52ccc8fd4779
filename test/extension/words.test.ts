// The extension's plain-text parts, without VS Code: what a step did, a channel row's description, amounts for
// display, the balances panel's buttons from ChannelView.actions, the demo journal's lines, the chart's ticks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTon } from '../../src/core/amounts.js';
import type { Capabilities, ChannelView, StateView } from '../../src/node/types.js';
import { actionButtons, amountOf } from '../../src/extension/balancesSnapshot.js';
import { journalLine } from '../../src/extension/demoJournal.js';
import { beforeDeadline, channelDescription, closeToSendWords, declinedWords, depositMax, exitSignedWords, faucetWords, finishWords, keyImportedWords, keyWalletWords, offlineWords, noStateShown, noStateWords, paysMe, payoutWords, proposedWords, saysAlready, settling, signedWords, signsNow, staleOnChain, stepAction, timeLeft, walletNote, windowWords } from '../../src/extension/words.js';
import { niceTicks, stepLabels } from '../../webview/chart.js';
import { countdownText } from '../../webview/countdown.js';
import { depositExact, depositRoom, importSummary, refundTerms, unwatched, watchedHere } from '../../src/node/uiRules.js';

const TON = parseTon;
const no = { ok: false as const, code: 'NOT_OPEN' as const, why: 'not now' };
const allNo: Capabilities = { deposit: no, refund: no, send: no, sign: no, createEmpty: no, requestEmpty: no, withdraw: no, exit: no, challenge: no, finish: no, decline: no };

function state(step: bigint, a: string, b: string, o: Partial<StateView> = {}): StateView {
  return { step, sender: step % 2n === 0n ? 'A' : 'B', tag: 'state', balanceA: TON(a), balanceB: TON(b), sigA: 'AA', sigB: 'BB', committed: true, empty: false, ...o };
}

function channel(o: Partial<ChannelView> = {}): ChannelView {
  return {
    id: 'kQx', channelId: '1', contract: 'kQx', network: 'sandbox', me: 'A', myAddress: '0Qa', partnerAddress: '0Qb', partnerOnline: true, phase: 'open',
    challengePeriod: 600, expectedDepositA: TON('3'), expectedDepositB: TON('4'), depositA: TON('3'), depositB: TON('4'), latest: state(1n, '3.5', '3.5'), count: 2n,
    pending: null, myTurn: true, sendAsksTurn: false, turnRequestedByPartner: false, depositing: false, myBalance: TON('3.5'), partnerBalance: TON('3.5'), close: null, closeUnsent: null, deadline: null, closeStep: null,
    payout: null, payoutA: null, payoutB: null, actions: allNo, restorePending: false, restored: false, legacy: false, contractVersion: 4, ...o,
  };
}

describe('words of the views', () => {
  const names = { me: 'A' as const, partner: 'Bob' };

  test('a step says what it did: deposits, a payment by whom and how much, a passed turn, a close', () => {
    assert.equal(stepAction(state(0n, '3', '4'), null, names), 'deposits');
    assert.equal(stepAction(state(1n, '3.5', '3.5'), state(0n, '3', '4'), names), 'Bob pays 0.5 TON');
    assert.equal(stepAction(state(2n, '2', '5'), state(1n, '3.5', '3.5'), names), 'you pay 1.5 TON');
    assert.equal(stepAction(state(3n, '2', '5', { empty: true }), state(2n, '2', '5'), names), 'Bob passes the turn');
    assert.equal(stepAction(state(4n, '2', '5', { tag: 'close' }), state(3n, '2', '5'), names), 'close');
    assert.equal(stepAction(state(5n, '2', '5'), null, names), 'by Bob', 'without the state before, only who');
  });

  test('a channel row: phase, balance and turn; the window left while closing; what was paid once closed', () => {
    assert.equal(channelDescription(channel()), 'open · 3.5 TON · your turn');
    // before the lock: the deposits, not a balance of 0
    const before = { depositA: 0n, expectedDepositA: 3_000_000_000n, depositB: 0n, expectedDepositB: 4_000_000_000n, myBalance: 0n };
    assert.equal(channelDescription(channel({ ...before, phase: 'proposed', me: 'B' })), 'proposed · you deposit 4, them 3 TON');
    assert.equal(channelDescription(channel({ ...before, phase: 'funding', me: 'A', depositA: 3_000_000_000n })), 'funding · in: you 3 of 3, them 0 of 4 TON');
    // the partner declined it, and it could not end here: said on the row (the toast came once)
    const declined = { ...allNo, deposit: { ok: false as const, code: 'PARTNER_DECLINED' as const, why: 'your partner declined this channel' } };
    assert.equal(channelDescription(channel({ ...before, phase: 'funding', me: 'A', depositA: 3_000_000_000n, actions: declined })), 'funding · partner declined · in: you 3 of 3, them 0 of 4 TON');
    assert.equal(channelDescription(channel({ myTurn: false })), "open · 3.5 TON · partner's turn");
    // imported from a backup: it takes no payment, so the row says what is left
    assert.equal(channelDescription(channel({ restored: true })), 'open · restored: close it · 3.5 TON · your turn');
    const canSign = { ...allNo, sign: { ok: true as const } };
    assert.equal(channelDescription(channel({ pending: { ...state(2n, '2.5', '4.5'), awaiting: 'me' }, actions: canSign })), 'open · 3.5 TON · sign Step 2');
    const close = { step: 1n, submitter: 'B' as const, deadline: 1_000_600, byMe: false, challengeWith: null, secondsLeft: 600 };
    assert.equal(channelDescription(channel({ phase: 'closing', close }), 1_000_000), 'closing · 3.5 TON · 10 min left');
    assert.equal(channelDescription(channel({ phase: 'closing', close: { ...close, secondsLeft: 0 } }), 1_000_700), 'closing · 3.5 TON · window over');
    // before the node's first read of the chain's time: no figure (the local clock's would be wrong on a devnet)
    assert.equal(channelDescription(channel({ phase: 'closing', close: { ...close, secondsLeft: null } }), 1_000_000), 'closing · 3.5 TON · window end being read');
    assert.equal(windowWords({ close: { ...close, secondsLeft: null } }, (left) => `ends in ${left}`), "the challenge window's end is being read: the node reads the chain's time first");
    const payout = { step: 1n, balanceA: TON('3.5'), balanceB: TON('3.5'), paidA: TON('3.51'), paidB: TON('3.5'), latestStep: 1n, latestBalanceA: null, latestBalanceB: null, matchesLatest: true, txHash: null };
    assert.equal(channelDescription(channel({ phase: 'closed', payout })), 'closed · paid 3.51 TON');
    assert.equal(timeLeft(7_500, 0), '2 h 5 min');
  });

  test("what the node refuses is not offered: a state it will not sign now, turns after a close state both signed", () => {
    // restored and waiting for the partner's answer: the node refuses to sign (RESTORE_PENDING)
    const waiting = { ...allNo, sign: { ok: false as const, code: 'RESTORE_PENDING' as const, why: 'restored: waiting for your partner' } };
    const received = channel({ pending: { ...state(2n, '2.5', '4.5'), awaiting: 'me' }, actions: waiting });
    assert.equal(signsNow(received), false);
    assert.equal(channelDescription(received), 'open · 3.5 TON · Step 2 received');
    assert.equal(signsNow({ ...received, actions: { ...allNo, sign: { ok: true } } }), true);
    // a close state both signed and not paid out: the turns are over, a withdraw pays it out
    assert.equal(channelDescription(channel({ latest: state(3n, '3.5', '3.5', { tag: 'close' }), closeUnsent: { step: 3n, ours: false, onWay: false }, myTurn: false })), 'open · 3.5 TON · close signed: withdraw');
  });

  test("a toast says 'paid you' for a payment only (the partner's cooperative close state moves nothing); a failed challenge at the deadline says it passed", () => {
    assert.equal(paysMe(state(3n, '3', '4', { sender: 'B' }), 'A'), true);
    assert.equal(paysMe(state(3n, '3', '4', { sender: 'B', tag: 'close' }), 'A'), false);
    assert.equal(paysMe(state(3n, '3', '4', { sender: 'B', empty: true }), 'A'), false);
    assert.equal(paysMe(state(3n, '3', '4', { sender: 'A' }), 'A'), false);
    assert.equal(beforeDeadline(0), 'the deadline has passed');
    assert.equal(beforeDeadline(600), '10 min left before the deadline');
    // before the node's first read of the chain's time: no figure of the local clock
    assert.match(beforeDeadline(null), /time left before the deadline is being read/);
  });

  test('a channel of contract v1 says it is closed with SynChannel 0.1, is not counted as watched, and is no reason to keep a node running', () => {
    const v1 = channel({ legacy: true });
    assert.match(channelDescription(v1), /^open · contract v1: close it with SynChannel 0\.1 · /);
    assert.equal(watchedHere(v1), false);
    assert.equal(watchedHere(channel()), true);
    const u = unwatched([v1, channel({ phase: 'closing', legacy: true })]);
    assert.deepEqual([u.guarded.length, u.closing.length], [0, 0]);
  });

  test('an import says how many channels it restored and how many newer local ones it kept (the extension said only the first)', () => {
    assert.equal(importSummary({ imported: [], kept: ['kQa', 'kQb'] }), "restored 0 channel(s); kept 2 local one(s) as they are (as many states as the backup's, or more)");
    assert.match(importSummary({ imported: ['kQc'], kept: [] }), /^restored 1 channel\(s\)\. Restored channels wait for your partner .* then take no payment .*close them with withdraw$/);
    assert.doesNotMatch(importSummary({ imported: ['kQa'], kept: [] }), /kept/);
  });

  test("a refund's confirmation says where the fee reserve goes: all with the last deposit, half while the partner's stays; v3 and v2 keep it", () => {
    const ch = (o: Partial<ChannelView>) => channel({ me: 'A', depositA: 10n, depositB: 0n, contractVersion: 4, ...o });
    assert.match(refundTerms(ch({})), /^your deposit and the contract's whole fee reserve /);
    assert.match(refundTerms(ch({ depositB: 5n })), /half of the contract's fee reserve.*stays with your partner's deposit/);
    assert.match(refundTerms(ch({ me: 'B', depositB: 5n })), /half of the contract's fee reserve/);
    for (const contractVersion of [2, 3]) assert.match(refundTerms(ch({ contractVersion })), /about 0\.009 TON, stays there/);
  });

  test('a deposit is exact while a proposal is accepted and for B once the contract exists; A tops up in parts', () => {
    assert.deepEqual(
      (['proposed', 'accepted', 'funding'] as const).flatMap((phase) => (['A', 'B'] as const).map((me) => depositExact(phase, me))),
      [true, true, true, true, false, true],
    );
  });

  test('a close on chain is stale when the node says its watcher challenges it (an older step paying us more is not; an exit can be)', () => {
    const close = (step: bigint | null, challengeWith: bigint | null) => ({ step, submitter: 'B' as const, deadline: 1, byMe: false, challengeWith, secondsLeft: 0 });
    assert.equal(staleOnChain(channel({ phase: 'closing', close: close(0n, 1n) })), true);
    assert.equal(staleOnChain(channel({ phase: 'closing', close: close(0n, null) })), false, 'older, but it pays us at least the latest');
    assert.equal(staleOnChain(channel({ phase: 'closing', close: close(null, 1n) })), true, 'an exit the watcher challenges');
    assert.equal(staleOnChain(channel({ phase: 'closing', close: close(null, null) })), false);
    assert.equal(staleOnChain(channel({ phase: 'closed', close: close(0n, 1n) })), false);
  });

  test('a view read while the node records a state both signed (count ahead of latest) is settling, not shown', () => {
    assert.equal(settling(channel()), false);
    assert.equal(settling(channel({ count: 3n, myTurn: true })), true, 'count 3 but the latest is Step 1: the write is not done');
    assert.equal(settling(channel({ latest: null, count: 0n })), false);
    assert.equal(settling(channel({ latest: null, count: 1n })), true);
  });

  test('amounts for reading at a glance: at most 3 decimals, "≈" when rounded, the exact one kept', () => {
    assert.deepEqual(amountOf(TON('3.5')), { nano: '3500000000', ton: '3.5', short: '3.5' });
    assert.deepEqual(amountOf(TON('996.968701999')), { nano: '996968701999', ton: '996.968701999', short: '≈ 996.969' });
    assert.equal(amountOf(TON('0.0004'))!.short, '≈ 0');
    assert.equal(amountOf(null), null);
  });

  test('the panel shows exactly the buttons the node allows, the most pressing one primary', () => {
    const ok = { ok: true as const };
    assert.deepEqual(actionButtons(channel()), []);
    const open = actionButtons(channel({ actions: { ...allNo, send: ok, createEmpty: ok, withdraw: ok } }));
    assert.deepEqual(open.map((b) => [b.action, b.primary]), [['send', true], ['createEmpty', false], ['withdraw', false]]);
    const pending = actionButtons(channel({ pending: { ...state(2n, '2.5', '4.5'), awaiting: 'me' }, actions: { ...allNo, sign: ok, withdraw: ok } }));
    assert.deepEqual(pending.map((b) => b.label), ['Sign Step 2', 'Close the Channel…']);
    assert.equal(pending[0]!.primary, true);
    assert.deepEqual(actionButtons(channel({ actions: { ...allNo, exit: ok } })).map((b) => b.action), ['leave']);
    // the partner's turn: Send when the node asks for the turn itself (automatic mode), beside Request the Turn
    const theirs = { ...allNo, send: { ok: false as const, code: 'NOT_YOUR_TURN' as const, why: "partner's turn" }, requestEmpty: ok, withdraw: ok };
    const asks = actionButtons(channel({ myTurn: false, sendAsksTurn: true, actions: theirs }));
    assert.deepEqual(asks.map((b) => [b.action, b.primary]), [['send', true], ['requestEmpty', false], ['withdraw', false]]);
    assert.deepEqual(actionButtons(channel({ myTurn: false, actions: theirs })).map((b) => b.action), ['requestEmpty', 'withdraw']);
  });

  test('the demo journal: who signed what, what the chain saw, each said once', () => {
    const names2 = { A: 'Alice', B: 'Bob' } as const;
    const ch = channel();
    assert.deepEqual(journalLine('Alice', { type: 'stateReceived', channel: ch, state: state(1n, '3.5', '3.5'), previous: null }, names2), {
      source: 'Bob',
      text: 'Bob signed Step 1 (A [3.5 3.5] B) and sent it to Alice',
    });
    assert.equal(journalLine('Bob', { type: 'stateSigned', channel: { ...ch, me: 'B' }, state: state(1n, '3.5', '3.5') }, names2), null, "the sender's own event says nothing new");
    assert.deepEqual(journalLine('Bob', { type: 'challenged', channel: { ...ch, me: 'B' }, step: 6n, byMe: true }, names2), { source: 'chain', text: 'Bob challenged the close with Step 6' });
    const failed = { type: 'challengeFailed', channel: { ...ch, me: 'B' }, code: 'ENDPOINT_UNREACHABLE', message: 'no answer', secondsLeft: null, nextRetryMs: 30_000, stopped: null } as const;
    assert.equal(journalLine('Bob', failed, names2)?.text, "Bob's challenge failed (no answer); the time left is being read", 'no "null s left"');
  });

  test('chart ticks are round numbers up to at least the top; step labels thin out past twelve steps', () => {
    assert.deepEqual(niceTicks(4), [0, 1, 2, 3, 4]);
    assert.deepEqual(niceTicks(7.02), [0, 2, 4, 6, 8]);
    assert.deepEqual(niceTicks(0.3), [0, 0.1, 0.2, 0.3]);
    assert.deepEqual(stepLabels(3), [0, 1, 2]);
    const many = stepLabels(40);
    assert.ok(many.length <= 12 && many[0] === 0 && many.at(-1) === 39, String(many));
  });
});

describe('a next step the message already says', () => {
  test('a hint that paraphrases the message is not said twice; one that adds something is', () => {
    const hint = 'wait: the node finishes the close after the challenge window';
    assert.equal(saysAlready('a close is under way: the node finishes it after the challenge window', hint), true);
    assert.equal(saysAlready('a close is already running (step 3); the node finishes it after the challenge window', hint), true);
    assert.equal(saysAlready('the contract refused the message', 'read the reason; check the channel phase and the state used'), false);
    assert.equal(saysAlready('your wallet has 0.1 TON, the deposit needs 3 TON', 'top up your wallet first'), false);
  });
});

describe('Finish the Close', () => {
  test('says what the close paid: the state, and what reached the wallet; or that the payout shows once the chain does', () => {
    const payout = { step: 4n, balanceA: parseTon('1.75'), balanceB: parseTon('5.25'), paidA: parseTon('1.8'), paidB: parseTon('5.29'), latestStep: 4n, latestBalanceA: null, latestBalanceB: null, matchesLatest: true, txHash: null };
    assert.equal(finishWords({ me: 'B', contract: 'kQc', payout }), 'the close is finished: the contract paid out by Step 4 (A [1.75 5.25] B); your wallet received 5.29 TON from the channel.');
    const closer = { ...payout, closer: 'B' as const, changeBack: parseTon('0.01') };
    assert.match(finishWords({ me: 'B', contract: 'kQc', payout: closer }), /received 5\.29 TON from the channel, and 0\.01 TON came back of your close message\.$/);
    assert.doesNotMatch(finishWords({ me: 'A', contract: 'kQc', payout: closer }), /came back/);
    assert.match(finishWords({ me: 'A', contract: 'kQc', payout: null }), /close on kQc is finished: the node shows the payout once the chain does/);
  });
});

test("the balances panel's countdown: minutes and seconds under an hour, hours and minutes from an hour on (a testnet window)", () => {
  assert.equal(countdownText(1000 + 545, 1000), '9m 05s left');
  assert.equal(countdownText(1000 + 3599, 1000), '59m 59s left');
  // before the node's first read of the chain's time the snapshot has no deadline: no figure
  assert.equal(countdownText(null, 1000), "end being read (the node reads the chain's time first)");
  assert.equal(countdownText(1000 + 86399, 1000), '23 h 59 min left');
  assert.equal(countdownText(1000 + 3600, 1000), '1 h left');
  assert.equal(countdownText(900, 1000), 'over: the close can be finished');
});

describe('the deposit prompts (Deposit, Open)', () => {
  test("a top-up's Deposit prompt takes at most the wallet less the node's fees; an exact deposit keeps its amount", () => {
    const fees = TON('0.05');
    // a wallet as devnet and testnet read it: no storage fee said
    const w = (ton: string) => ({ balance: TON(ton), storageDue: null });
    assert.deepEqual(depositMax(TON('3'), w('1'), fees, false), { nano: TON('0.95'), what: 'your wallet balance less about 0.05 TON for fees and a close, kept in the wallet so you can always leave the channel alone' });
    assert.equal(depositMax(TON('3'), w('0.01'), fees, false).nano, 0n);
    assert.deepEqual(depositMax(TON('3'), w('10'), fees, false), { nano: TON('3'), what: 'what the contract still expects from you' });
    assert.equal(depositMax(TON('3'), null, fees, false).nano, TON('3'), 'a wallet not read: what is due');
    assert.equal(depositMax(TON('3'), w('1'), fees, true).nano, TON('3'), 'exact: the node says what the wallet lacks');
    // Open: nothing due yet, only the wallet caps it
    assert.deepEqual(depositMax(null, w('10'), fees, false), { nano: TON('9.95'), what: 'your wallet balance less about 0.05 TON for fees and a close, kept in the wallet so you can always leave the channel alone' });
    assert.equal(depositMax(null, null, fees, false), null);
  });
  test('a wallet owing a storage fee: the deposit prompts say it and offer at most what the node accepts, the fee left out', () => {
    const fees = TON('0.05');
    const idle = { balance: TON('1'), storageDue: TON('0.002') };
    assert.deepEqual(depositMax(TON('3'), idle, fees, false), {
      nano: TON('0.948'),
      what: 'your wallet balance less the storage fee due of 0.002 TON and about 0.05 TON for fees and a close, kept in the wallet so you can always leave the channel alone',
    });
    assert.equal(depositMax(null, idle, fees, false)?.nano, TON('0.948'), 'Open: the same room');
    assert.equal(depositMax(null, idle, fees, false)?.nano, depositRoom(idle, fees), "the node's rule, not another");
    assert.equal(walletNote(idle), '; your wallet has 1 TON (0.002 TON of it is the storage fee due, which the chain takes first)');
    // a fee of a few nanotons (a wallet used a moment ago) is left to the fees' margin, as the node's check leaves it
    const recent = { balance: TON('1'), storageDue: 5n };
    assert.equal(depositMax(null, recent, fees, false)?.nano, TON('0.95'));
    assert.equal(walletNote(recent), ' (your wallet has 1 TON)');
    // unknown (devnet, testnet): today's words
    assert.equal(walletNote({ balance: TON('1'), storageDue: null }), ' (your wallet has 1 TON)');
    assert.equal(walletNote(null), '');
  });
});

describe('the wallet a key replacement leaves behind', () => {
  test('its balance with the storage fee due when worth saying, as the deposit prompts and the balances say it', () => {
    const a = 'EQ_wallet';
    assert.equal(keyWalletWords(a, { balance: TON('1'), storageDue: TON('0.002') }), 'Its wallet EQ_wallet holds 1 TON (0.002 TON storage fee due). ');
    assert.equal(keyWalletWords(a, { balance: TON('1'), storageDue: 5n }), 'Its wallet EQ_wallet holds 1 TON. ');
    assert.equal(keyWalletWords(a, { balance: TON('1'), storageDue: null }), 'Its wallet EQ_wallet holds 1 TON. ');
    assert.equal(keyWalletWords(a, null), 'Its wallet is EQ_wallet. ');
    assert.equal(keyWalletWords(null, null), '');
  });
});

describe('a key imported', () => {
  test("says the wallet the node opens with it: the 24 words give a W5 wallet, which may not be the one a wallet app funded", () => {
    const said = keyImportedWords('testnet', 'mnemonic', '0QAw5');
    assert.match(said, /^mnemonic imported for testnet: its wallet here is 0QAw5 \(a W5 wallet, v5r1\)\. /);
    assert.match(said, /another wallet of these words \(a v4 wallet of an older wallet app\).*send them to 0QAw5/);
    assert.equal(keyImportedWords('devnet', '/keys/alice', '0QAk'), 'key folder imported for devnet (/keys/alice): its wallet here is 0QAk.');
  });
});

describe('a declined channel', () => {
  test('says nothing of mine is in it and its amounts are as last read (it is not followed: the partner may have refunded)', () => {
    assert.equal(declinedWords({ phase: 'rejected' }), 'Declined: nothing of yours is in it, and the node no longer follows it (the amounts are as last read).');
    assert.equal(declinedWords({ phase: 'funding' }), null);
  });
});

describe('a partner offline', () => {
  test("Open's toast says the partner is offline when the node told it for the new channel, with what a proposal needs (as the CLI's open)", () => {
    const ch = channel();
    const told = offlineWords(new Set([ch.id]), ch, 'bob', 'proposal');
    const said = proposedWords(TON('1'), TON('2'), told, null);
    assert.equal(
      said,
      'proposed a channel: you deposit 1 TON, your partner 2 TON. bob is offline: the proposal reaches them once you are connected again (a node with no channel with you does not redial: Connect to them, or ask them to connect). Once they accept, your node deploys the contract with your deposit by itself (keep it running).',
    );
    // told for another channel, or not at all: nothing said
    assert.equal(offlineWords(new Set(['kQother']), ch, 'bob', 'proposal'), '');
    assert.equal(proposedWords(TON('1'), TON('2'), offlineWords(new Set(), ch, 'bob', 'proposal'), 'bob has 0.5 TON'), 'proposed a channel: you deposit 1 TON, your partner 2 TON. Once they accept, your node deploys the contract with your deposit by itself (keep it running). Note: bob has 0.5 TON.');
  });

  test('a state sent (send, pass, request) says it is delivered when they reconnect', () => {
    const ch = channel();
    assert.equal(offlineWords(new Set([ch.id]), ch, 'bob'), ' bob is offline: it is delivered when they reconnect.');
  });
});

test("the faucet's notice says what the balance is: the wallet's, after what the faucet sent", () => {
  assert.equal(faucetWords(TON('100'), TON('119.99')), 'the faucet sent 100 test TON: your wallet now holds 119.99 TON');
});

describe('Sign during an exit', () => {
  test("the initial state signed during the partner's exit says, in the node's words, that the exit goes on and pays the deposits (as the CLI's sign); other signs say only the step", () => {
    const exit = { step: null, submitter: 'B' as const, deadline: 1_000, byMe: false, challengeWith: null, secondsLeft: 120 };
    const closing = channel({ phase: 'closing', latest: state(0n, '3', '4'), count: 1n, close: exit });
    assert.equal(
      signedWords(closing, state(0n, '3', '4')),
      'signed Step 0: A [3 4] B. The channel is closing: your partner started an exit with the deposits (challenge window ends in 2 min). It pays back the deposits (A 3 TON, B 4 TON), as the initial state you signed does; no payment follows in this channel.',
    );
    assert.match(signedWords(channel({ ...closing, close: { ...exit, byMe: true, secondsLeft: 0 } }), state(0n, '3', '4')), /: you started an exit with the deposits \(challenge window has ended\)\./);
    // a close of a state (not an exit), or a later step: the step alone
    assert.equal(signedWords(channel({ ...closing, close: { ...exit, step: 1n } }), state(0n, '3', '4')), 'signed Step 0: A [3 4] B');
    assert.equal(signedWords(channel(), state(2n, '3', '4')), 'signed Step 2: A [3 4] B');
  });

  test("the initial state both signed during an exit, as its event tells it: who signed it last and that the exit goes on (the node's words)", () => {
    const exit = { step: null, submitter: 'A' as const, deadline: 1_000, byMe: true, challengeWith: null, secondsLeft: 120 };
    const closing = channel({ phase: 'closing', latest: state(0n, '3', '4'), count: 1n, close: exit });
    const goesOn = 'The exit with the deposits goes on: it pays them back, as this state does; no payment follows in this channel.';
    // A proposed state 0: B's signature is the last
    assert.equal(exitSignedWords(closing, state(0n, '3', '4'), 'Bob'), `Bob signed the initial state (A [3 4] B) during the exit. ${goesOn}`);
    assert.equal(exitSignedWords({ ...closing, me: 'B' }, state(0n, '3', '4'), 'Alice'), `your node signed the initial state (A [3 4] B) during the exit. ${goesOn}`);
    assert.equal(exitSignedWords({ ...closing, close: { ...exit, step: 2n } }, state(0n, '3', '4'), 'Bob'), null);
    assert.equal(exitSignedWords(closing, state(1n, '3', '4'), 'Bob'), null);
  });
});

describe('Balance in the Channel with no state both signed', () => {
  test("says, in the node's words, whose signature the initial state awaits (the side that signed it was told to sign it), a close under way, a declined channel", () => {
    const initial = (awaiting: 'me' | 'partner') => ({ ...state(0n, '3', '4', { committed: false }), awaiting });
    const locked = (o: Partial<ChannelView>) => channel({ phase: 'locked', latest: null, count: 0n, ...o });
    assert.deepEqual(noStateWords(locked({ pending: initial('partner') })), { code: 'NOT_OPEN', message: "no signed state yet: the initial state (A [3 4] B) waits for your partner's signature; the channel opens once they sign" });
    assert.deepEqual(noStateWords(locked({ pending: initial('me') })), { code: 'NOT_OPEN', message: 'no signed state yet: the initial state (A [3 4] B) from your partner awaits your signature: “Sign the Pending State” signs it, and the channel opens' });
    assert.equal(noStateWords(locked({ phase: 'funding', pending: null })).message, 'no signed state yet: the channel opens when both deposits are in and the initial state is signed');
    const exit = { step: null, submitter: 'B' as const, deadline: 1, byMe: false, challengeWith: null, secondsLeft: 60 };
    assert.deepEqual(noStateWords(locked({ phase: 'closing', close: exit })), { code: 'ALREADY_CLOSING', message: 'no signed state yet: a close with the deposits is under way (A 3, B 4 TON): the node pays out after the window' });
    assert.deepEqual(noStateWords(locked({ phase: 'rejected' })), { code: 'INVALID_TRANSITION', message: 'no signed state: the channel was declined, so it never opened and nothing is signed in it; open a new channel if you still want one' });
    for (const ch of [locked({ pending: initial('partner') }), locked({ phase: 'closing', close: exit })]) assert.doesNotMatch(noStateWords(ch).message, /sign the initial state first/);
  });

  test('a closed channel with no payout read (a refund, or an exit paid before its payout record) is not "the channel opens when…"', () => {
    const closed = channel({ phase: 'closed', latest: null, count: 0n, depositA: 0n, depositB: 0n });
    const said = noStateWords(closed);
    assert.equal(said.code, 'ALREADY_CLOSED');
    assert.doesNotMatch(said.message, /opens/);
    assert.match(said.message, /^no signed state: the channel is closed without one/);
    assert.deepEqual(noStateShown(closed), said);
  });

  test("Show Last says the same as Balance in the Channel: a close under way or a declined channel is not 'both deposit, then sign'", () => {
    const none = (o: Partial<ChannelView>) => channel({ latest: null, count: 0n, ...o });
    const exit = { step: null, submitter: 'B' as const, deadline: 1, byMe: false, challengeWith: null, secondsLeft: 60 };
    assert.deepEqual(noStateShown(none({ phase: 'closing', close: exit })), { code: 'ALREADY_CLOSING', message: 'no signed state yet: a close with the deposits is under way (A 3, B 4 TON): the node pays out after the window' });
    assert.deepEqual(noStateShown(none({ phase: 'rejected' })), { code: 'INVALID_TRANSITION', message: 'no signed state: the channel was declined, so it never opened and nothing is signed in it; open a new channel if you still want one' });
    assert.deepEqual(noStateShown(none({ phase: 'funding' })), noStateWords(none({ phase: 'funding' })));
    const payout = { step: null, balanceA: TON('3'), balanceB: TON('4'), paidA: TON('3.1'), paidB: TON('4.1'), closer: 'B' as const, changeBack: null, matchesLatest: true, latestStep: null } as unknown as ChannelView['payout'];
    const paid = noStateShown(none({ phase: 'closed', payout }));
    assert.ok('info' in paid && /^no state both signed: the close is finished: the contract paid out by the deposits \(an exit\)/.test(paid.info), JSON.stringify(paid));
  });
});

describe('a challenge window that is over', () => {
  const close = (secondsLeft: number) => ({ step: 2n, submitter: 'B' as const, deadline: 1_000, byMe: false, challengeWith: null, secondsLeft });
  const over = 'the challenge window is over: either node finishes the close, which pays both wallets';

  test('is not "now left" nor "pays out in now": it says either node finishes the close, which pays both wallets', () => {
    const running = channel({ phase: 'closing', close: close(540) });
    assert.equal(windowWords(running, (left) => `challenge window: ${left} left`), 'challenge window: 9 min left');
    assert.equal(windowWords(channel({ phase: 'closing', close: close(0) }), (left) => `the node pays out in ${left}`), over);
    assert.equal(windowWords(channel({ phase: 'closing', close: close(-30) }), (left) => `challenge window: ${left} left`), over);
    assert.equal(windowWords(undefined, (left) => `the node pays out after ${left}`), 'the node pays out after the challenge window');
  });

  test('Leave and Close say when the node pays out: in the time left, after the window with no close in the view, not "in the challenge window"', () => {
    assert.equal(payoutWords(channel({ phase: 'closing', close: close(540) })), 'the node pays out in 9 min');
    assert.equal(payoutWords(channel({ phase: 'closing', close: close(0) })), over);
    assert.equal(payoutWords(undefined), 'the node pays out after the challenge window');
    assert.equal(payoutWords(channel({ close: null })), 'the node pays out after the challenge window');
  });

  test("the demo journal's close says the window is over, not that it ends in now", () => {
    const ch = channel({ phase: 'closing', close: close(0) });
    const line = journalLine('Alice', { type: 'closeStarted', channel: ch, step: 2n, byPartner: true, deadline: 1_000 }, { A: 'Alice', B: 'Bob' });
    assert.equal(line?.text, `Bob submitted Step 2: ${over}`);
    const later = journalLine('Alice', { type: 'closeStarted', channel: { ...ch, close: close(120) }, step: 2n, byPartner: true, deadline: 1_000 }, { A: 'Alice', B: 'Bob' });
    assert.equal(later?.text, 'Bob submitted Step 2: the challenge window ends in 2 min');
  });
});

test("a close state both signed and not on chain: the hover says withdraw sends it, the row says withdraw (the node's rule); on its way, neither", () => {
  const closeState = state(4n, '3', '4', { tag: 'close' });
  const unsent = channel({ me: 'B', latest: closeState, closeUnsent: { step: 4n, ours: false, onWay: false }, myTurn: false });
  assert.equal(closeToSendWords(unsent), "Your partner's close state (step 4) is signed by both but not on chain: no payment can follow it. withdraw sends it to the contract, which pays out at once (your partner may send it first)");
  assert.equal(channelDescription(unsent), 'open · 3.5 TON · close signed: withdraw');
  // being sent (by this node, or by the partner's just after both signed): the node's view says it is on its way
  const onWay = channel({ me: 'B', latest: closeState, closeUnsent: { step: 4n, ours: false, onWay: true }, myTurn: false });
  assert.equal(closeToSendWords(onWay), null);
  assert.equal(channelDescription(onWay), 'open · 3.5 TON · close on its way');
  // the node's view decides: a close state it does not show as unsent (on chain, paid out) is not worded here
  assert.equal(closeToSendWords(channel({ latest: closeState })), null);
  assert.equal(closeToSendWords(channel()), null);
});
