// The SynChannel tree: network (one per hosted node) -> channels -> steps.
// Menus hang on `contextValue`, a space-separated list of capability tokens matched with `viewItem =~ /\btoken\b/`.
import * as vscode from 'vscode';
import type { ChannelView, StateView } from '../node/types.js';
import type { HostedNode, NodeHost, PartyId } from './host.js';
import { formatTon, myBalance, shortAddress, signedBy, stateLine } from './util.js';

export type TreeElement =
  | { kind: 'network'; party: PartyId }
  | { kind: 'channel'; party: PartyId; channelId: string }
  | { kind: 'step'; party: PartyId; channelId: string; step: string; pending: boolean };

export interface TreeSnapshotItem {
  id: string;
  label: string;
  description: string;
  contextValue: string;
  tooltip: string;
  highlighted: boolean;
  children: TreeSnapshotItem[];
}

/** Menu tokens from what the node says the channel allows now (ChannelView.actions); no rule of our own. */
function channelTokens(ch: ChannelView): string[] {
  const t = ['channel', `phase-${ch.phase}`];
  if (ch.contract) t.push('has-contract');
  if (ch.network === 'testnet') t.push('testnet');
  const a = ch.actions;
  if (a.send.ok) t.push('can-send');
  if (a.createEmpty.ok) t.push('can-pass');
  if (a.requestEmpty.ok) t.push('can-request');
  if (a.sign.ok) t.push('awaiting-me');
  if (a.withdraw.ok) t.push('can-withdraw');
  if (a.deposit.ok) t.push('can-deposit');
  if (a.refund.ok) t.push('can-refund');
  if (a.exit.ok) t.push('can-exit');
  if (a.finish.ok) t.push('can-finish');
  return t;
}

function phaseIcon(ch: ChannelView): vscode.ThemeIcon {
  if (ch.pending?.awaiting === 'me') return new vscode.ThemeIcon('bell-dot', new vscode.ThemeColor('list.warningForeground'));
  switch (ch.phase) {
    case 'open':
      return new vscode.ThemeIcon('arrow-swap', new vscode.ThemeColor('charts.green'));
    case 'closing':
      return new vscode.ThemeIcon('watch', new vscode.ThemeColor('charts.orange'));
    case 'closed':
      return new vscode.ThemeIcon('lock');
    default:
      return new vscode.ThemeIcon('loading~spin');
  }
}

export class ChannelTreeProvider implements vscode.TreeDataProvider<TreeElement>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeElement | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly host: NodeHost) {
    this.sub = host.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.emitter.fire(undefined);
    void this.loadHistories();
  }

  /** The last steps of each channel, read from the node's store when the count changed (the tree shows these). */
  private readonly history = new Map<string, StateView[]>();
  private static readonly SHOWN_STEPS = 200n;

  private key(el: { party: PartyId; channelId: string }): string {
    return `${el.party}:${el.channelId}`;
  }

  /** The steps shown: the last ones read from the store, and the latest one at once (before the read returns). */
  private stepsOf(party: PartyId, ch: ChannelView): StateView[] {
    const have = this.history.get(this.key({ party, channelId: ch.id })) ?? [];
    const latest = ch.latest;
    if (!latest) return have;
    const last = have.at(-1)?.step ?? -1n;
    if (latest.step <= last) return have;
    if (latest.step !== last + 1n) void this.loadHistories();
    return [...have, latest];
  }

  private async loadHistories(): Promise<void> {
    let changed = false;
    for (const n of this.host.nodes()) {
      for (const ch of n.api.channels()) {
        const key = this.key({ party: n.id, channelId: ch.id });
        const have = this.history.get(key);
        const last = have?.at(-1)?.step ?? -1n;
        if (have && last === ch.count - 1n) continue;
        const from = ch.count > ChannelTreeProvider.SHOWN_STEPS ? ch.count - ChannelTreeProvider.SHOWN_STEPS : 0n;
        try {
          this.history.set(key, await n.api.history(ch.id, from, ch.count));
          changed = true;
        } catch {
          // a channel that went away: its row disappears with the next refresh
        }
      }
    }
    if (changed) this.emitter.fire(undefined);
  }

  private node(party: PartyId): HostedNode | null {
    return this.host.node(party);
  }

  private channelOf(el: { party: PartyId; channelId: string }): ChannelView | null {
    const n = this.node(el.party);
    return n ? this.host.channel(n, el.channelId) : null;
  }

  private stateOf(el: Extract<TreeElement, { kind: 'step' }>): { ch: ChannelView; s: StateView; awaitingMe: boolean } | null {
    const ch = this.channelOf(el);
    if (!ch) return null;
    if (el.pending) {
      if (!ch.pending || ch.pending.step.toString() !== el.step) return null;
      return { ch, s: ch.pending, awaitingMe: ch.pending.awaiting === 'me' };
    }
    const s = this.stepsOf(el.party, ch).find((x) => x.step.toString() === el.step);
    return s ? { ch, s, awaitingMe: false } : null;
  }

  getChildren(el?: TreeElement): TreeElement[] {
    if (!el) return this.host.nodes().map((n) => ({ kind: 'network', party: n.id }));
    if (el.kind === 'network') {
      const n = this.node(el.party);
      return n ? n.api.channels().map((c) => ({ kind: 'channel', party: el.party, channelId: c.id })) : [];
    }
    if (el.kind === 'channel') {
      const ch = this.channelOf(el);
      if (!ch) return [];
      const steps: TreeElement[] = this.stepsOf(el.party, ch).map((s) => ({ kind: 'step', party: el.party, channelId: ch.id, step: s.step.toString(), pending: false }));
      if (ch.pending) steps.push({ kind: 'step', party: el.party, channelId: ch.id, step: ch.pending.step.toString(), pending: true });
      return steps;
    }
    return [];
  }

  getParent(el: TreeElement): TreeElement | undefined {
    if (el.kind === 'network') return undefined;
    if (el.kind === 'channel') return { kind: 'network', party: el.party };
    return { kind: 'channel', party: el.party, channelId: el.channelId };
  }

  getTreeItem(el: TreeElement): vscode.TreeItem {
    if (el.kind === 'network') return this.networkItem(el);
    if (el.kind === 'channel') return this.channelItem(el);
    return this.stepItem(el);
  }

  private networkItem(el: Extract<TreeElement, { kind: 'network' }>): vscode.TreeItem {
    const n = this.node(el.party);
    const item = new vscode.TreeItem(n ? n.api.network : '?', vscode.TreeItemCollapsibleState.Expanded);
    item.id = `net:${el.party}`;
    if (!n) return item;
    const account = n.api.getAccount();
    item.description = `${n.label} · ${shortAddress(account)}`;
    item.iconPath = new vscode.ThemeIcon(el.party === 'me' ? 'server-environment' : 'person');
    const tokens = ['network', `party-${el.party}`];
    if (n.served && n.served.lan.length + n.served.wan.length > 0) tokens.push('served');
    if (n.api.network === 'testnet') tokens.push('testnet');
    item.contextValue = tokens.join(' ');
    const md = new vscode.MarkdownString(`**${n.label}** on **${n.api.network}**\n\nAccount: \`${account}\``);
    if (n.served) md.appendMarkdown(`\n\nServing: ${[...n.served.lan, ...n.served.wan].map((a) => `\`${a}\``).join(', ')}`);
    item.tooltip = md;
    return item;
  }

  private channelItem(el: Extract<TreeElement, { kind: 'channel' }>): vscode.TreeItem {
    const ch = this.channelOf(el);
    const item = new vscode.TreeItem(ch ? `⇄ ${shortAddress(ch.partnerAddress)}` : el.channelId, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `ch:${el.party}:${el.channelId}`;
    if (!ch) return item;
    item.description = `${ch.phase} · ${formatTon(myBalance(ch))} TON${ch.myTurn && ch.phase === 'open' ? ' · your turn' : ''}`;
    item.contextValue = channelTokens(ch).join(' ');
    item.iconPath = phaseIcon(ch);
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Channel** (you are ${ch.me})\n\n`);
    md.appendMarkdown(`Partner: \`${ch.partnerAddress}\`${ch.partnerOnline ? ' (online)' : ' (offline)'}\n\n`);
    md.appendMarkdown(`Contract: \`${ch.contract ?? 'not deployed yet'}\`\n\n`);
    md.appendMarkdown(`Phase: ${ch.phase} · your balance ${formatTon(myBalance(ch))} TON`);
    if (ch.deadline) md.appendMarkdown(`\n\nChallenge window ends ${new Date(ch.deadline * 1000).toLocaleString()}`);
    item.tooltip = md;
    return item;
  }

  private stepItem(el: Extract<TreeElement, { kind: 'step' }>): vscode.TreeItem {
    const found = this.stateOf(el);
    const label = `Step ${el.step}`;
    if (!found) return new vscode.TreeItem(label);
    const { ch, s, awaitingMe } = found;
    const item = new vscode.TreeItem(awaitingMe ? { label, highlights: [[0, label.length]] } : label, vscode.TreeItemCollapsibleState.None);
    item.id = `st:${el.party}:${el.channelId}:${el.step}:${el.pending ? 'p' : 'c'}`;
    const close = s.tag === 'close' ? ' · ⏹ close' : '';
    const waiting = el.pending ? (awaitingMe ? ' · awaiting your signature' : ' · awaiting partner') : '';
    item.description = `by ${s.sender} · ${stateLine(s)} · ${signedBy(s)}${close}${waiting}`;
    const tokens = ['step', el.pending ? 'pending' : 'committed'];
    if (awaitingMe) tokens.push('awaiting-me');
    if (!el.pending && (ch.phase === 'open' || ch.phase === 'closing')) tokens.push('can-withdraw');
    if (ch.network === 'testnet') tokens.push('testnet');
    item.contextValue = tokens.join(' ');
    item.iconPath = awaitingMe
      ? new vscode.ThemeIcon('bell-dot', new vscode.ThemeColor('list.warningForeground'))
      : s.tag === 'close'
        ? new vscode.ThemeIcon('debug-stop')
        : el.pending
          ? new vscode.ThemeIcon('clock')
          : new vscode.ThemeIcon(s.empty ? 'circle-outline' : 'pass');
    item.tooltip = `Step ${s.step} by ${s.sender}: ${stateLine(s)}, ${signedBy(s)}${close}${waiting}`;
    if (awaitingMe) item.command = { command: 'synchannel.sign', title: 'Sign', arguments: [el] };
    return item;
  }

  /** Test and debugging aid: the whole tree as plain data. */
  snapshot(): TreeSnapshotItem[] {
    const walk = (el: TreeElement): TreeSnapshotItem => {
      const item = this.getTreeItem(el);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const highlighted = typeof item.label === 'object' && (item.label.highlights?.length ?? 0) > 0;
      return {
        id: item.id ?? '',
        label,
        description: typeof item.description === 'string' ? item.description : '',
        contextValue: item.contextValue ?? '',
        tooltip: typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? ''),
        highlighted,
        children: this.getChildren(el).map(walk),
      };
    };
    return this.getChildren().map(walk);
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
