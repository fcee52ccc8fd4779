// In-host, with a real partner on this window's devnet (a `synchannel` CLI process) and a channel open with it:
// what the partner's moves and the node's events say in VS Code (the notifications, fed the node's events): one
// toast per 30 s of a partner's reports or refused messages, the money notifications, a partner's decline or refund,
// a proposal this wallet cannot fund. The channel's commands with the partner (and who connects, whose log lines
// share one budget a minute: they are tested there, after its own connection) are in ext-partner.test.ts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import { CLI_WORDS } from '../../../src/extension/cliWords.js';
import type { ChannelView, NodeEvent } from '../../../src/node/types.js';
import { api, notices, until } from './helpers.js';
import { devnetWithPartner, endDevnetPartner, openWithPartner, type DevnetPartner } from './partner.js';

type Ext = Awaited<ReturnType<typeof api>>;

describe('SynChannel with a partner on a devnet: what its moves say (notifications)', function () {
  this.timeout(240_000);
  let d: DevnetPartner | undefined;
  let ext: Ext;
  const channel = (): ChannelView => d!.channel();

  before(async () => {
    // a data folder of its own: the channel it opens is not left to ext-partner.test.ts's node (the next file)
    d = await devnetWithPartner({ ownFolder: true });
    ext = d.ext;
    await openWithPartner(d);
  });

  after(() => endDevnetPartner(d));

  it("a partner's error reports: one toast per 30 s however many come (each is in the output log)", async () => {
    ext.test.clearPrompts();
    for (let i = 0; i < 40; i++) ext.test.notify({ type: 'error', code: 'BAD_STATE', level: 'warning', message: `your partner reports: report ${i}`, partner: true });
    const toasts = notices(ext).filter((n) => /your partner reports/.test(n.message));
    assert.equal(toasts.length, 1, `${toasts.length} toasts for 40 reports`);
  });

  it("a partner's messages refused here: one toast per 30 s however many come (the node tells up to two a second)", () => {
    ext.test.clearPrompts();
    for (let i = 0; i < 40; i++) ext.test.notify({ type: 'error', code: 'BAD_SIGNATURE', level: 'warning', message: `refused a new state from your partner 0QAbcd…wxyz: refusal ${i}`, refused: true, wire: 'state.propose' });
    const toasts = notices(ext).filter((n) => /refused a new state from your partner/.test(n.message));
    assert.equal(toasts.length, 1, `${toasts.length} toasts for 40 refusals`);
  });

  it('partner notifications follow the mode the node was started with, not the setting changed since', async () => {
    const cfg = () => vscode.workspace.getConfiguration('synchannel');
    const ch = channel();
    await cfg().update('autoPassTurn', false, vscode.ConfigurationTarget.Global);
    try {
      ext.test.clearPrompts();
      ext.test.notify({ type: 'stateReceived', channel: ch, state: { ...ch.latest!, step: ch.latest!.step + 1n, committed: false }, previous: ch.latest });
      assert.deepEqual(notices(ext).filter((n) => /Received new state/.test(n.message)), [], 'the automatic node countersigns by itself: no Sign to click');
    } finally {
      await cfg().update('autoPassTurn', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('money notifications: a failed challenge is an error with the time left and Retry; an exit offer has "Leave with the Deposits"; a stale payout says so', () => {
    const ch = channel();
    ext.test.clearPrompts();
    const payout = { step: 0n, balanceA: 2n, balanceB: 1n, paidA: 2n, paidB: 1n, latestStep: 4n, latestBalanceA: 1n, latestBalanceB: 2n, matchesLatest: false, txHash: null };
    const events: NodeEvent[] = [
      { type: 'challengeFailed', channel: ch, code: 'INSUFFICIENT_FUNDS', message: 'your wallet has 0.01 TON', secondsLeft: 300, nextRetryMs: 4000, stopped: null },
      { type: 'exitOffered', channel: ch, waitedSeconds: 120 },
      { type: 'closed', channel: ch, payoutA: 2n, payoutB: 1n, payout },
    ];
    for (const e of events) ext.test.notify(e);
    const [failed, exit, closed] = notices(ext);
    assert.equal(failed?.level, 'error');
    assert.match(failed!.message, /challenge .* failed: your wallet has 0\.01 TON\. 5 min left before the deadline; the node retries in 4 s/);
    assert.deepEqual(failed!.buttons, ['Retry Now', 'Get Test Coins']);
    assert.equal(exit?.level, 'warning');
    assert.deepEqual(exit!.buttons, ['Leave with the Deposits']);
    assert.equal(closed?.level, 'warning');
    assert.match(closed!.message, /paid out by Step 0, not by the latest state both signed \(Step 4\)/);
  });

  it("the partner's challenge of your close is a warning that the payout follows their state, with Show; a failed challenge the node retries is one toast per cause", () => {
    const ch = channel();
    ext.test.clearPrompts();
    const closing = { ...ch, phase: 'closing' as const, close: { step: 3n, submitter: ch.me, deadline: 0, byMe: true, challengeWith: null, secondsLeft: 300 } };
    ext.test.notify({ type: 'challenged', channel: closing, step: 3n, byMe: false });
    for (let i = 0; i < 5; i++) ext.test.notify({ type: 'challengeFailed', channel: { ...closing, id: 'kQretried' }, code: 'ENDPOINT_UNREACHABLE', message: 'no answer', secondsLeft: 300 - i * 30, nextRetryMs: 30_000, stopped: null });
    const [challenged, ...failed] = notices(ext);
    assert.equal(challenged?.level, 'warning', JSON.stringify(notices(ext)));
    assert.match(challenged!.message, /❗ .+ challenged your close with Step 3❗ The payout follows Step 3 now, not what you submitted; the challenge window ends in 5 min\.$/);
    assert.deepEqual(challenged!.buttons, ['Show']);
    assert.equal(failed.length, 1, JSON.stringify(failed));
    assert.match(failed[0]!.message, /the node retries in 30 s, until the window ends \(a failure for this cause again is only in the SynChannel output\)/);
  });

  it("a wallet short of what leaving costs is a warning in VS Code's words with Get Test Coins; its recovery is no toast", () => {
    const ch = channel();
    ext.test.clearPrompts();
    const message = `your wallet ${ch.myAddress} holds 0.02 TON, 0.03 TON short of the 0.05 TON it keeps to leave your channel alone (a challenge of a stale close or a close, then the finish): until then a stale close of your partner may stand. Top it up with at least 0.03 TON (\`faucet\`)`;
    const low = { type: 'walletReserve' as const, low: true, wallet: ch.myAddress, balance: 20_000_000n, need: 50_000_000n, short: 30_000_000n, message, channels: [ch] };
    ext.test.notify(low);
    ext.test.notify({ ...low, low: false, short: 0n, message: `your wallet ${ch.myAddress} holds 1 TON again: enough to leave your channels alone` });
    const said = notices(ext);
    assert.equal(said.length, 1, JSON.stringify(said));
    assert.equal(said[0]!.level, 'warning');
    assert.match(said[0]!.message, /0\.03 TON short of the 0\.05 TON it keeps to leave your channel alone .* Top it up with at least 0\.03 TON \(“Get Test Coins \(Faucet\)”\)/);
    assert.doesNotMatch(said[0]!.message, CLI_WORDS);
    assert.deepEqual(said[0]!.buttons, ['Get Test Coins']);
  });

  it("the initial state signed by the partner during your exit says the exit goes on (the node's words, as the CLI's line)", () => {
    const ch = channel();
    ext.test.clearPrompts();
    const initial = { ...ch.latest!, step: 0n, sender: 'A' as const, balanceA: 2n * 10n ** 9n, balanceB: 10n ** 9n, empty: false, tag: 'state' as const };
    const closing = { ...ch, me: 'A' as const, phase: 'closing' as const, close: { step: null, submitter: 'A' as const, deadline: 0, byMe: true, challengeWith: null, secondsLeft: 100 } };
    ext.test.notify({ type: 'stateSigned', channel: closing, state: initial });
    const [said] = notices(ext);
    assert.equal(said?.level, 'info', JSON.stringify(notices(ext)));
    assert.match(said!.message, /signed the initial state \(A \[2 1\] B\) during the exit\. The exit with the deposits goes on: it pays them back, as this state does; no payment follows in this channel\.$/);
  });

  it("a partner's decline of our proposal is a warning with their reason in VS Code's words; a withdrawn proposal of theirs is no toast", () => {
    const ch = channel();
    ext.test.clearPrompts();
    const reason = 'their node takes challenge windows of 600..31536000 s on devnet, and this proposal has 120 s: propose again with a longer window (--period)';
    ext.test.notify({ type: 'proposalDeclined', channel: { ...ch, me: 'A', phase: 'rejected' as const }, reason });
    ext.test.notify({ type: 'proposalDeclined', channel: { ...ch, me: 'B', phase: 'rejected' as const }, reason: null });
    const [declined, withdrawn] = notices(ext);
    assert.equal(withdrawn, undefined, 'a withdrawn proposal only leaves the tree');
    assert.equal(declined?.level, 'warning');
    assert.match(declined!.message, /declined the channel you proposed: their node takes challenge windows of 600\.\.31536000 s on devnet, and this proposal has 120 s: propose again with a longer window/);
    assert.doesNotMatch(declined!.message, CLI_WORDS);
  });

  it("a partner's decline of a channel with our deposit is a warning with the node's next step as its button: Refund Your Deposit, Decline the Channel, or none while the node follows the contract", () => {
    const ch = channel();
    ext.test.clearPrompts();
    const funding = { ...ch, phase: 'funding' as const };
    const message = `your partner declined channel ${ch.contract}, which holds nothing of theirs: it will not lock. Take your deposit back with refund`;
    ext.test.notify({ type: 'partnerDeclined', channel: funding, message, next: 'refund' });
    ext.test.notify({ type: 'partnerDeclined', channel: funding, message: 'your partner declined channel x, which holds nothing of theirs: it will not lock. Decline it too (decline)', next: 'decline' });
    // our deployment may still land: no button (a decline now would be refused while it may land)
    ext.test.notify({ type: 'partnerDeclined', channel: { ...ch, phase: 'accepted' as const }, message: 'your partner declined channel x, but your deployment (sent 3 s ago) may still land: the node follows the contract', next: null });
    const [refund, decline, follows] = notices(ext);
    assert.equal(refund?.level, 'warning');
    assert.match(refund!.message, /declined channel .* Take your deposit back with refund/);
    assert.deepEqual(refund!.buttons, ['Refund Your Deposit']);
    assert.deepEqual(decline?.buttons, ['Decline the Channel']);
    assert.equal(follows?.level, 'warning');
    assert.deepEqual(follows!.buttons, []);
  });

  it("a partner's refund is a warning with what the contract holds now; its deployment says what can go in, with Deposit", () => {
    const ch = channel();
    ext.test.clearPrompts();
    const funding = { ...ch, phase: 'funding' as const, depositA: 0n, depositB: 0n, expectedDepositA: 2n * 10n ** 9n, expectedDepositB: 10n ** 9n };
    const partner = ch.me === 'A' ? 'B' : 'A';
    ext.test.notify({ type: 'refundSeen', channel: funding, party: partner, amount: 10n ** 9n });
    ext.test.notify({ type: 'channelDeployed', channel: funding });
    const [refund, deployed] = notices(ext);
    assert.equal(refund?.level, 'warning');
    assert.match(refund!.message, /took back 1 TON of their deposit: the contract now holds 0 TON of A and 0 TON of B/);
    assert.match(deployed!.message, new RegExp(`deployed the channel contract: your ${ch.me === 'A' ? 2 : 1} TON can go in now`));
    assert.deepEqual(deployed!.buttons, ['Deposit']);
    // while your own deposit waits for that contract, no button offers a second one
    ext.test.clearPrompts();
    ext.test.notify({ type: 'channelDeployed', channel: { ...funding, depositing: true } });
    const [going] = notices(ext);
    assert.match(going!.message, /deployed the channel contract: your deposit goes on, paying your \d TON/);
    assert.deepEqual(going!.buttons ?? [], []);
  });

  it("a partner's proposal this wallet cannot fund says so with it: what the wallet holds, and Get Test Coins or Decline", async () => {
    const ch = channel();
    ext.test.clearPrompts();
    // the wallet holds about 20 TON (the faucet): 1,000 TON is more than it can deposit; 1 TON is not
    const proposal = (mine: bigint) => ({ ...ch, id: 'kQproposal', phase: 'proposed' as const, me: 'B' as const, expectedDepositA: 10n ** 9n, expectedDepositB: mine });
    ext.test.notify({ type: 'channelProposed', channel: proposal(1000n * 10n ** 9n) });
    const big = await until('the notice', () => notices(ext).find((n) => /proposes a channel: you deposit 1000 TON/.test(n.message)));
    assert.match(big.message, /Note: your wallet holds [\d.]+ TON now, less than the 1000 TON this proposal asks you to deposit and about [\d.]+ TON for fees and a close, kept in the wallet so you can always leave the channel alone: top it up before you accept it \(“Get Test Coins \(Faucet\)”\), or decline it \(“[^”]+”\)\.$/);
    assert.deepEqual(big.buttons, ['Deposit', 'Decline']);
    ext.test.notify({ type: 'channelProposed', channel: proposal(10n ** 9n) });
    const small = await until('the notice', () => notices(ext).find((n) => /proposes a channel: you deposit 1 TON/.test(n.message)));
    assert.doesNotMatch(small.message, /Note:/);
  });
});
