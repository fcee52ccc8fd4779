// The user's node's events as notifications with their next step (the demo's parties are narrated by the demo's
// own step results). Money first: a failed challenge is an error with the time left and Retry; an exit offer is a
// warning with "Leave with the Deposits"; a payout by another state than the latest says so plainly. In automatic
// mode what the node does by itself (countersign, pass the turn) is not announced, only money received. The node's
// errors about reading the chain (a refused key, an endpoint out of reach, channels unread) are shown as a failed
// command's are (errors.ts), with the same next steps, and once for a command that fails the same way just after.
import * as vscode from 'vscode';
import { durationText } from '../core/duration.js';
import { levelOf, type ErrorCode } from '../core/errors.js';
import type { ChannelView, NodeEvent, PartnerView } from '../node/types.js';
import type { NodeHost } from './host.js';
import type { HostedEvent, HostedNode } from './hosted.js';
import { Introductions } from './introductions.js';
import { ChallengeFailures, ToastPace, heldWords, pacedKind, toldByChallenge } from './pace.js';
import { inVsCode } from './cliWords.js';
import { TESTNET_GIVER } from './errors.js';
import type { NoticeLevel, Prompts } from './prompts.js';
import { formatTon, stateLine } from './util.js';
import { beforeDeadline, challengedNotice, changeWords, exitSignedWords, partnerName, paysMe, stepAction, timeLeft, walletReserveNotice } from './words.js';
import { proposalNote, receivedText } from '../node/uiRules.js';
import { holdKey, payoutHold } from './payoutHold.js';
import { closeStartedWords } from './closeWords.js';
import { diskAgainNotice } from './diskWords.js';
import { NODE_CHAIN_CODES, WATCH_FAILING } from './sameCause.js';

interface Notice {
  level: NoticeLevel;
  text: string;
  /** button title -> what it does */
  buttons?: Record<string, () => void>;
}

interface Context {
  auto: boolean;
  name(ch: ChannelView): string;
  /** runs a command on the channel */
  run(command: string, ch: ChannelView): void;
}

/** What to say about the chain paying out: plainly when it was not by the latest state both signed. */
function payoutNotice(e: Extract<NodeEvent, { type: 'closed' }>, c: Context): Notice {
  const p = e.payout;
  const me = e.channel.me;
  const got = `${receivedText(p, me)} from the channel${changeWords(me, p)}`;
  const by = p.step === null ? 'the deposits (an exit)' : `Step ${p.step}`;
  if (p.matchesLatest === null) return { level: 'warning', text: `the channel with ${c.name(e.channel)} is closed and paid out by ${by}: you received ${got}. Your node does not hold the latest state both signed (restored from an older copy?): whether a later one exists, it cannot tell.` };
  if (p.matchesLatest || p.latestStep === null) return { level: 'info', text: `the channel with ${c.name(e.channel)} is closed and paid out by ${by}: you received ${got}.` };
  const latestMine = me === 'A' ? p.latestBalanceA : p.latestBalanceB;
  return {
    level: 'warning',
    text: `the channel with ${c.name(e.channel)} was paid out by ${by}, not by the latest state both signed (Step ${p.latestStep}): you received ${got}; the latest state gave you ${formatTon(latestMine ?? 0n)} TON.`,
  };
}

/** The money events: a close by the partner, a challenge (done or failed), an exit offer, equivocation, a channel's disk all-clear. */
function moneyNotice(e: NodeEvent, c: Context): Notice | null {
  switch (e.type) {
    case 'closeStarted': {
      // one a restart tells again (earlier) is said as past, as a challenge told again is
      const text = closeStartedWords(e, c.name(e.channel));
      return text === null ? null : { level: 'warning', text, buttons: { Show: () => c.run('synchannel.showAll', e.channel) } };
    }
    case 'challenged': {
      // one a restart tells again is said as past: the close it answered is told again just before (closeStarted)
      const n = challengedNotice(e, c.name(e.channel));
      return n.level === 'warning' ? { ...n, buttons: { Show: () => c.run('synchannel.showAll', e.channel) } } : n;
    }
    case 'challengeFailed': {
      const buttons: Record<string, () => void> = { 'Retry Now': () => c.run('synchannel.challenge', e.channel) };
      const broke = e.code === 'INSUFFICIENT_FUNDS';
      // the faucet is for sandbox and devnet; on testnet the giver bot, with the address to give it
      if (broke && e.channel.network !== 'testnet') buttons['Get Test Coins'] = () => void vscode.commands.executeCommand('synchannel.faucet');
      if (broke && e.channel.network === 'testnet') buttons['Copy Wallet Address'] = () => void vscode.commands.executeCommand('synchannel.copyAddress');
      const retry =
        e.nextRetryMs !== null
          ? `the node retries in ${Math.max(1, Math.round(e.nextRetryMs / 1000))} s, until the window ends (a failure for this cause again is only in the SynChannel output)`
          : e.stopped === 'refused'
            ? 'the contract refused it several times in a row, so the node stops sending it (each try costs a wallet fee): Retry Now tries once more'
            : 'no time is left to retry';
      const giver = broke && e.channel.network === 'testnet' ? ` To top up your wallet, ${TESTNET_GIVER}.` : '';
      return { level: 'error', text: `the challenge of the close on ${e.channel.contract} failed: ${inVsCode(e.message)}. ${beforeDeadline(e.secondsLeft)}; ${retry}.${giver}`, buttons };
    }
    case 'walletReserve': {
      const n = walletReserveNotice(e);
      if (!n) return null;
      return { level: 'warning', text: n.text, buttons: Object.fromEntries(Object.entries(n.buttons).map(([title, command]) => [title, () => void vscode.commands.executeCommand(command)])) };
    }
    case 'exitOffered':
      return {
        level: 'warning',
        text: `${c.name(e.channel)} has not signed the initial state after ${timeLeft(Date.now() / 1000 + e.waitedSeconds)}: you can leave with the deposits.`,
        buttons: { 'Leave with the Deposits': () => c.run('synchannel.leave', e.channel) },
      };
    case 'equivocation':
      return {
        level: 'error',
        text: `${c.name(e.channel)} signed two different states for Step ${e.step}: the evidence is kept, the state both of you signed stands.`,
        buttons: { 'Close the Channel': () => c.run('synchannel.withdraw', e.channel) },
      };
    case 'closed':
      return payoutNotice(e, c);
    case 'log':
      return diskAgainNotice(e, c.name);
    default:
      return null;
  }
}

/** The partner's moves: a proposal, a state to sign (manual mode), money received (automatic mode), turn requests. */
function partnerNotice(e: NodeEvent, c: Context): Notice | null {
  switch (e.type) {
    case 'channelProposed': {
      const mine = e.channel.me === 'A' ? e.channel.expectedDepositA : e.channel.expectedDepositB;
      const theirs = e.channel.me === 'A' ? e.channel.expectedDepositB : e.channel.expectedDepositA;
      return {
        level: 'info',
        // What accepting commits to: the money, and how long a stale close may wait for the node's answer.
        text: `${c.name(e.channel)} proposes a channel: you deposit ${formatTon(mine)} TON, they deposit ${formatTon(theirs)} TON. Challenge window ${durationText(e.channel.challengePeriod)}: once a close starts, your node must run within that time to answer a stale one.`,
        buttons: { Deposit: () => c.run('synchannel.deposit', e.channel), Decline: () => c.run('synchannel.decline', e.channel) },
      };
    }
    case 'stateReceived': {
      if (c.auto) return null;
      const did = stepAction(e.state, e.previous, { me: e.channel.me, partner: c.name(e.channel) });
      return {
        level: 'info',
        text: `❗ Received ${e.state.step === 0n ? 'initial' : 'new'} state ❗ Step ${e.state.step}: ${did} · ${stateLine(e.state)}`,
        buttons: { Sign: () => c.run('synchannel.sign', e.channel), Show: () => c.run('synchannel.showAll', e.channel) },
      };
    }
    case 'stateSigned': {
      // the initial state signed during an exit: the exit goes on (a Sign of this user's says it itself)
      const exit = exitSignedWords(e.channel, e.state, c.name(e.channel));
      if (exit && (e.channel.me === e.state.sender || c.auto)) return { level: 'info', text: exit };
      // a close state (the partner's cooperative close) moves nothing: its payout has its own toast
      if (!c.auto || !paysMe(e.state, e.channel.me)) return null;
      return { level: 'info', text: `${c.name(e.channel)} paid you: Step ${e.state.step}, ${stateLine(e.state)} (you have ${formatTon(e.channel.myBalance)} TON)` };
    }
    case 'channelDeployed': {
      const me = e.channel.me;
      const missing = me === 'A' ? e.channel.expectedDepositA - e.channel.depositA : e.channel.expectedDepositB - e.channel.depositB;
      if (missing <= 0n) return null;
      // your deposit waiting for the contract goes on by itself: no button for a second one
      if (e.channel.depositing) return { level: 'info', text: `${c.name(e.channel)} deployed the channel contract: your deposit goes on, paying your ${formatTon(missing)} TON.` };
      return { level: 'info', text: `${c.name(e.channel)} deployed the channel contract: your ${formatTon(missing)} TON can go in now.`, buttons: { Deposit: () => c.run('synchannel.deposit', e.channel) } };
    }
    case 'refundSeen': {
      if (e.party === e.channel.me) return null;
      // what to do next, as the node allows it now: take yours back, or give the channel up
      const next = e.channel.actions.refund.ok ? ['Refund Your Deposit', 'synchannel.refund'] : e.channel.actions.decline.ok ? ['Decline the Channel', 'synchannel.decline'] : null;
      const held = `${c.name(e.channel)} took back ${formatTon(e.amount)} TON of their deposit: the contract now holds ${formatTon(e.channel.depositA)} TON of A and ${formatTon(e.channel.depositB)} TON of B.`;
      if (!next) return { level: 'warning', text: held };
      return { level: 'warning', text: `${held} Wait for them to deposit again, or ${next[0]}.`, buttons: { [next[0]!]: () => c.run(next[1]!, e.channel) } };
    }
    case 'turnRequested':
      return c.auto ? null : { level: 'info', text: `${c.name(e.channel)} asks for the turn`, buttons: { 'Pass the Turn': () => c.run('synchannel.createEmpty', e.channel) } };
    case 'closeRequested':
      return c.auto ? null : { level: 'info', text: `${c.name(e.channel)} proposes to close the channel at ${stateLine(e.state)}`, buttons: { Sign: () => c.run('synchannel.sign', e.channel) } };
    case 'proposalDeclined':
      // our own proposal declined (one per proposal we made); a partner's withdrawn one only leaves the tree (any
      // wallet can propose and withdraw at will: a toast each would be a peer's to flood)
      if (e.channel.me !== 'A') return null;
      return { level: 'warning', text: `${c.name(e.channel)} declined the channel you proposed${e.reason ? `: ${inVsCode(e.reason)}` : ': nothing of yours went in. Open a channel again if you still want one'}` };
    case 'partnerDeclined': {
      // a contract holds (or may get) a deposit of ours, with the node's next step (none while it follows the contract)
      const buttons = { refund: ['Refund Your Deposit', 'synchannel.refund'], decline: ['Decline the Channel', 'synchannel.decline'], exit: ['Leave with the Deposits', 'synchannel.leave'] } as const;
      const button = e.next ? buttons[e.next] : null;
      return { level: 'warning', text: inVsCode(e.message), ...(button ? { buttons: { [button[0]!]: () => c.run(button[1]!, e.channel) } } : {}) };
    }
    case 'error':
      // a partner's report comes with its own code: its level is the node's (a warning), not the code's
      return { level: (!e.partner && levelOf(e.code) === 'error') || e.level === 'error' ? 'error' : 'warning', text: inVsCode(e.message) };
    default:
      return null;
  }
}

/**
 * A wallet connected: "Partner signature" and "Partner address" once per wallet (a reconnection is no news), with
 * a toast. A stranger (no channel here: a new partner, or anyone) costs nothing to make, so strangers share one
 * budget: logged up to STRANGER_LOG_BUDGET a minute, and only the first of each minute gets a toast.
 */
function introduce(host: NodeHost, prompts: Prompts, node: HostedNode, p: PartnerView, intro: Introductions): void {
  const hasChannel = node.api.channels().some((ch) => ch.partnerAddress === p.address);
  const d = intro.connected(p.address, hasChannel);
  if (d.skipped) host.log(`${d.skipped} more wallet(s) with no channel here connected (not logged)`);
  if (!d.log) return;
  host.log(`Partner signature: ${p.signature}`);
  host.log(`Partner address: ${p.address}`);
  if (d.toast) void prompts.notify('info', `SynChannel: partner connected: ${p.address} (address proof checked)`);
}

/** The node's errors about reading the chain: shown as a command's failure is (its next steps, one toast per cause). */
type NodeError = (code: ErrorCode, message: string) => Promise<void>;

/**
 * `asking`: the channels of this node a person's Challenge runs on (its command tells the outcome: one toast).
 */
export function partnerNotifications(host: NodeHost, prompts: Prompts, nodeError?: NodeError, asking: ReadonlySet<string> = new Set()): { dispose(): void; handle(e: HostedEvent): void } {
  const intro = new Introductions();
  const reports = new ToastPace();
  const refusals = new ToastPace();
  const failures = new ChallengeFailures();
  const handle = ({ node, event }: HostedEvent) => {
    if (node.id !== 'me') return;
    if (event.type === 'partnerConnected') return introduce(host, prompts, node, event.partner, intro);
    const chain = event.type === 'error' && !event.partner && (NODE_CHAIN_CODES.includes(event.code) || event.code === WATCH_FAILING);
    if (chain && nodeError) return void nodeError(event.code as ErrorCode, event.message);
    const c: Context = {
      // the running node's mode, not the setting (a change applies when the node restarts)
      auto: node.autoMode ?? true,
      name: (ch) => partnerName(ch, host.nodes().map((n) => ({ label: n.label, account: n.api.getAccount() }))),
      // the channel's network: a click after a network switch is not taken for a channel of the node running then
      run: (command, ch) => void vscode.commands.executeCommand(command, { party: node.id, channel: ch.id, network: ch.network }),
    };
    const n = moneyNotice(event, c) ?? partnerNotice(event, c);
    // a challenge the node retries: one toast per cause (each failure is in the output log)
    if (!failures.take(event) || !n || toldByChallenge(event, asking)) return;
    const paced = pacedKind(event);
    if (paced) {
      // the partner can repeat its reports, and messages this node refuses, at will: one toast per window each, every one in the output log
      const p = (paced === 'report' ? reports : refusals).take();
      if (!p.show) return;
      n.text += heldWords(paced, p.held);
    }
    const show = () => {
      const buttons = n.buttons ?? {};
      void prompts.notify(n.level, `SynChannel: ${n.text}`, ...Object.keys(buttons)).then((pick) => pick && buttons[pick]?.());
    };
    // a cooperative close of this window tells its own payout (payoutHold.ts)
    if (event.type === 'closed') return payoutHold.showOrHold(holdKey(node.id, event.channel.id), show);
    if (event.type !== 'channelProposed') return show();
    // a proposal from another chain, or one this wallet cannot fund yet, says so (each wallet read waits 3 s at most)
    void proposalNote(node.api, event.channel).catch(() => null).then((note) => {
      if (note) n.text += ` Note: ${inVsCode(note)}.`;
      show();
    });
  };
  const sub = host.onNodeEvent(handle);
  return { dispose: () => sub.dispose(), handle };
}
