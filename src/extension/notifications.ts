// The user's node's events as notifications with their next step (the demo's parties are narrated by the demo's
// own step results). Money first: a failed challenge is an error with the time left and Retry; an exit offer is a
// warning with "Leave with the Deposits"; a payout by another state than the latest says so plainly. In automatic
// mode what the node does by itself (countersign, pass the turn) is not announced, only money received.
import * as vscode from 'vscode';
import { levelOf } from '../core/errors.js';
import type { ChannelView, NodeEvent } from '../node/types.js';
import type { HostedEvent, NodeHost } from './host.js';
import type { Prompts } from './prompts.js';
import { formatTon, stateLine } from './util.js';
import { partnerName, stepAction, timeLeft } from './words.js';

function autoMode(): boolean {
  return vscode.workspace.getConfiguration('synchannel').get<boolean>('autoPassTurn', true);
}

export function partnerNotifications(host: NodeHost, prompts: Prompts): { dispose(): void; handle(e: HostedEvent): void } {
  const introduced = new Set<string>();
  const handle = ({ node, event }: HostedEvent) => {
    if (node.id !== 'me') return;
    const target = (ch: ChannelView) => ({ party: node.id, channel: ch.id });
    const run = (cmd: string, ch: ChannelView) => void vscode.commands.executeCommand(cmd, target(ch));
    const name = (ch: ChannelView) => partnerName(ch, host.nodes().map((n) => ({ label: n.label, account: n.api.getAccount() })));
    const say = (level: 'info' | 'warning' | 'error', text: string, buttons: Record<string, () => void> = {}) =>
      void prompts.notify(level, `SynChannel: ${text}`, ...Object.keys(buttons)).then((pick) => pick && buttons[pick]?.());
    notify(event);

    function notify(e: NodeEvent): void {
      switch (e.type) {
        case 'partnerConnected':
          // "Partner signature" and "Partner address" once per partner (a reconnection is no news)
          if (introduced.has(e.partner.address)) return;
          introduced.add(e.partner.address);
          host.log(`Partner signature: ${e.partner.signature}`);
          host.log(`Partner address: ${e.partner.address}`);
          return say('info', `partner connected: ${e.partner.address} (address proof checked)`);
        case 'channelProposed': {
          const mine = e.channel.me === 'A' ? e.channel.expectedDepositA : e.channel.expectedDepositB;
          const theirs = e.channel.me === 'A' ? e.channel.expectedDepositB : e.channel.expectedDepositA;
          return say('info', `${name(e.channel)} proposes a channel: you deposit ${formatTon(mine)} TON, they deposit ${formatTon(theirs)} TON.`, {
            Deposit: () => run('synchannel.deposit', e.channel),
            Decline: () => run('synchannel.decline', e.channel),
          });
        }
        case 'stateReceived':
          if (autoMode()) return;
          return say('info', `❗ Received ${e.state.step === 0n ? 'initial' : 'new'} state ❗ Step ${e.state.step}: ${stepAction(e.state, e.channel.latest, { me: e.channel.me, partner: name(e.channel) })} · ${stateLine(e.state)}`, {
            Sign: () => run('synchannel.sign', e.channel),
            Show: () => run('synchannel.showAll', e.channel),
          });
        case 'stateSigned':
          if (!autoMode() || e.state.sender === e.channel.me || e.state.empty || e.state.step === 0n) return;
          return say('info', `${name(e.channel)} paid you: Step ${e.state.step}, ${stateLine(e.state)} (you have ${formatTon(e.channel.myBalance)} TON)`);
        case 'turnRequested':
          if (autoMode()) return;
          return say('info', `${name(e.channel)} asks for the turn`, { 'Pass the Turn': () => run('synchannel.createEmpty', e.channel) });
        case 'closeRequested':
          if (autoMode()) return;
          return say('info', `${name(e.channel)} proposes to close the channel at ${stateLine(e.state)}`, { Sign: () => run('synchannel.sign', e.channel) });
        case 'closeStarted':
          if (!e.byPartner) return;
          return say(
            'warning',
            e.step === null
              ? `${name(e.channel)} started an exit with the deposits; the window ends in ${timeLeft(e.deadline)}. Your watcher challenges with any state both signed.`
              : `${name(e.channel)} sent Step ${e.step} to the contract; the challenge window ends in ${timeLeft(e.deadline)}. Your watcher challenges it if you hold a later state.`,
            { Show: () => run('synchannel.showAll', e.channel) },
          );
        case 'challenged':
          if (e.byMe) say('info', `your watcher challenged a stale close with Step ${e.step}`);
          return;
        case 'challengeFailed': {
          const buttons: Record<string, () => void> = { 'Retry Now': () => run('synchannel.challenge', e.channel) };
          if (e.code === 'INSUFFICIENT_FUNDS' || e.code === 'NO_FUNDS') buttons['Get Test Coins'] = () => void vscode.commands.executeCommand('synchannel.faucet');
          const retry = e.nextRetryMs !== null ? `the node retries in ${Math.max(1, Math.round(e.nextRetryMs / 1000))} s` : 'no time is left to retry';
          return say('error', `the challenge of the close on ${e.channel.contract} failed: ${e.message}. ${timeLeft(Date.now() / 1000 + e.secondsLeft)} left before the deadline; ${retry}.`, buttons);
        }
        case 'exitOffered':
          return say('warning', `${name(e.channel)} has not signed the initial state after ${timeLeft(Date.now() / 1000 + e.waitedSeconds)}: you can leave with the deposits.`, {
            'Leave with the Deposits': () => run('synchannel.leave', e.channel),
          });
        case 'equivocation':
          return say('error', `${name(e.channel)} signed two different states for Step ${e.step}: the evidence is kept, the state both of you signed stands.`, {
            'Close the Channel': () => run('synchannel.withdraw', e.channel),
          });
        case 'closed':
          return closed(e);
        case 'error':
          return say(levelOf(e.code) === 'error' || e.level === 'error' ? 'error' : 'warning', e.message);
        default:
          return;
      }
    }

    function closed(e: Extract<NodeEvent, { type: 'closed' }>): void {
      const p = e.payout;
      const me = e.channel.me;
      const got = formatTon(me === 'A' ? p.paidA : p.paidB);
      const by = p.step === null ? 'the deposits (an exit)' : `Step ${p.step}`;
      if (p.matchesLatest || p.latestStep === null) {
        return say('info', `the channel with ${name(e.channel)} is closed and paid out by ${by}: you received ${got} TON.`);
      }
      const latestMine = me === 'A' ? p.latestBalanceA : p.latestBalanceB;
      say(
        'warning',
        `the channel with ${name(e.channel)} was paid out by ${by}, not by the latest state both signed (Step ${p.latestStep}): you received ${got} TON; the latest state gave you ${formatTon(latestMine ?? 0n)} TON.`,
      );
    }
  };
  const sub = host.onNodeEvent(handle);
  return { dispose: () => sub.dispose(), handle };
}
