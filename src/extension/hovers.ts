// Rich hovers of the tree rows: who, what, the full addresses with Copy links and where to look them up
// (testnet: tonviewer and tonscan; sandbox and devnet: the local view, the Balances panel). Addresses are the
// node's strings as they are: never re-formatted here.
import * as vscode from 'vscode';
import type { ChannelView, NetworkKind, StateView } from '../node/types.js';
import type { PartyId } from './hosted.js';
import type { NodeEntry } from './model.js';
import { formatTon } from './util.js';
import { closeToSendWords, declinedWords, period, phaseWord, staleOnChain, turnWords, windowWords, type Names } from './words.js';
import { receivedText } from '../node/uiRules.js';
import { stepHoverText, type StepHoverShown } from './hoverWords.js';
import { challengedCloseWords } from './closeWords.js';

const COMMANDS = ['synchannel.copyAddress', 'synchannel.openBalances', 'synchannel.copyMultiaddr', 'synchannel.sign', 'synchannel.challenge'];

function md(): vscode.MarkdownString {
  const m = new vscode.MarkdownString('', true);
  m.isTrusted = { enabledCommands: COMMANDS };
  m.supportHtml = false;
  return m;
}

function link(command: string, arg: unknown): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify([arg]))}`;
}

/** Public explorers of an address on testnet (the node's string is already URL-safe). */
export function explorerLinks(address: string): { name: string; url: string }[] {
  return [
    { name: 'Tonviewer', url: `https://testnet.tonviewer.com/${address}` },
    { name: 'Tonscan', url: `https://testnet.tonscan.org/address/${address}` },
  ];
}

function addressLine(label: string, address: string, network: NetworkKind, copy: unknown, local: unknown): string {
  const where =
    network === 'testnet'
      ? explorerLinks(address).map((l) => `[${l.name}](${l.url})`).join(' · ')
      : `[Local view](${link('synchannel.openBalances', local)})`;
  return `${label}: \`${address}\`  \n[$(copy) Copy](${link('synchannel.copyAddress', copy)}) · ${where}`;
}

export function nodeHover(n: NodeEntry): vscode.MarkdownString {
  const m = md();
  const who = n.node.id === 'me' ? 'Your node' : `${n.node.label} (teaching demo)`;
  m.appendMarkdown(`**${who}** on **${n.network}**\n\n`);
  m.appendMarkdown(addressLine('Account', n.account, n.network, { party: n.node.id, what: 'account' }, { party: n.node.id }));
  const served = n.served ? [...n.served.lan, ...n.served.wan] : [];
  if (served.length) m.appendMarkdown(`\n\nServing: \`${served[0]}\` [$(copy) Copy](${link('synchannel.copyMultiaddr', { party: n.node.id })})`);
  if (n.partners.length) m.appendMarkdown(`\n\nPartners: ${n.partners.map((p) => `\`${p.address}\` (${p.online ? 'online' : 'offline'})`).join(', ')}`);
  return m;
}

export function channelHover(party: PartyId, ch: ChannelView, names: Names): vscode.MarkdownString {
  const m = md();
  const target = { party, channel: ch.id };
  m.appendMarkdown(`**Channel with ${names.partner}** (you are ${ch.me}) · ${phaseWord(ch.phase)}`);
  const turn = turnWords(ch);
  if (turn) m.appendMarkdown(` · ${turn}`);
  m.appendMarkdown(`\n\nYou: **${formatTon(ch.myBalance)} TON** · ${names.partner}: **${formatTon(ch.partnerBalance)} TON**`);
  if (ch.latest) m.appendMarkdown(` (Step ${ch.latest.step})`);
  const declined = declinedWords(ch);
  if (declined) m.appendMarkdown(`\n\n${declined}`);
  const unsent = closeToSendWords(ch);
  if (unsent) m.appendMarkdown(`\n\n$(warning) ${unsent}`);
  if (ch.phase === 'closing' && ch.close) {
    const what = ch.close.step === null ? 'the deposits (an exit)' : `Step ${ch.close.step}`;
    // close.byMe is who started the close; a challenge the node saw is named with the step the close started with
    const onChain = challengedCloseWords(ch.close, names.partner) ?? `${what} (the close was started by ${ch.close.byMe ? 'you' : names.partner})`;
    m.appendMarkdown(`\n\nOn chain: ${onChain}; ${windowWords(ch, (left) => `challenge window: ${left} left`)}`);
    if (staleOnChain(ch)) m.appendMarkdown(`\n\n$(warning) Your watcher challenges it with Step ${ch.close.challengeWith}: it pays you less than your latest state, or a state between could. [Challenge now](${link('synchannel.challenge', target)})`);
  }
  if (ch.phase === 'closed' && ch.payout) {
    const p = ch.payout;
    m.appendMarkdown(`\n\nPaid by ${p.step === null ? 'the deposits' : `Step ${p.step}`}: you received ${receivedText(p, ch.me)}`);
    if (p.matchesLatest === false) m.appendMarkdown(` $(warning) not the latest state both signed (Step ${p.latestStep})`);
    if (p.matchesLatest === null) m.appendMarkdown(` $(warning) whether that was the latest state both signed is unknown: your node does not hold it (restored from an older copy?)`);
  }
  m.appendMarkdown('\n\n');
  m.appendMarkdown(addressLine('Contract', ch.contract, ch.network, { ...target, what: 'contract' }, target));
  m.appendMarkdown('\n\n');
  m.appendMarkdown(addressLine(`Partner (${ch.partnerOnline ? 'online' : 'offline'})`, ch.partnerAddress, ch.network, { ...target, what: 'partner' }, target));
  m.appendMarkdown(`\n\nChallenge period: ${period(ch.challengePeriod)}`);
  return m;
}

export function stepHover(s: StateView, previous: StateView | null, names: Names, o: StepHoverShown): vscode.MarkdownString {
  const m = md();
  m.appendMarkdown(stepHoverText(s, previous, names, o));
  return m;
}
