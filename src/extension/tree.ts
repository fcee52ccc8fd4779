// The SynChannel tree: a row per hosted node ("You", or "Alice · you" in the demo) -> its channels, labelled by the
// partner ("Bob · partner") with phase and balance -> the last steps (newest first, a "show earlier" row below).
// Everything comes from one ModelBuilder picture, so a channel row and its steps never disagree. Menus hang on
// `contextValue` tokens taken from ChannelView.actions; pending and stale states are decorated
// (decorations.ts), never highlighted as a search match.
import * as vscode from 'vscode';
import { nextStep } from '../core/errors.js';
import type { Action, BrokenChannelView, ChannelView } from '../node/types.js';
import { decorationUri, type DecorationKind } from './decorations.js';
import type { PartyId } from './hosted.js';
import { type ChannelEntry, type Model, type ModelBuilder, type NodeEntry, type StepEntry } from './model.js';
import { channelHover, nodeHover, stepHover } from './hovers.js';
import { shortAddress } from './util.js';
import { channelDescription, offers, partnerName, signsNow, staleOnChain, stepDescription, type Names } from './words.js';

export type TreeElement =
  | { kind: 'node'; party: PartyId }
  | { kind: 'channel'; party: PartyId; channelId: string }
  | { kind: 'step'; party: PartyId; channelId: string; step: string; pending: boolean }
  | { kind: 'more'; party: PartyId; channelId: string }
  /** a channel the node could not load: its code, message and next step */
  | { kind: 'broken'; party: PartyId; channelId: string };

export interface TreeSnapshotItem {
  id: string;
  label: string;
  description: string;
  contextValue: string;
  tooltip: string;
  /** the label carries highlight ranges (never: that is the search-match look) */
  highlighted: boolean;
  /** the decoration on the row (decorations.ts), if any */
  decoration: DecorationKind | null;
  icon: string;
  children: TreeSnapshotItem[];
}

/** Menu tokens from what the node says the channel allows now (ChannelView.actions, sendAsksTurn); no rule of our own. */
function channelTokens(ch: ChannelView): string[] {
  const t = ['channel', `phase-${ch.phase}`];
  if (ch.contract) t.push('has-contract');
  if (ch.network === 'testnet') t.push('testnet');
  const tokens: [Action, string][] = [
    ['send', 'can-send'],
    ['createEmpty', 'can-pass'],
    ['requestEmpty', 'can-request'],
    ['sign', 'awaiting-me'],
    ['withdraw', 'can-withdraw'],
    ['deposit', 'can-deposit'],
    ['refund', 'can-refund'],
    ['exit', 'can-exit'],
    ['challenge', 'can-challenge'],
    ['finish', 'can-finish'],
    ['decline', 'can-decline'],
  ];
  for (const [action, token] of tokens) if (offers(ch, action)) t.push(token);
  return t;
}

function channelIcon(ch: ChannelView): vscode.ThemeIcon {
  if (ch.actions.sign.ok) return new vscode.ThemeIcon('bell-dot', new vscode.ThemeColor('list.warningForeground'));
  if (staleOnChain(ch)) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.errorForeground'));
  const icons: Record<string, [string, string?]> = {
    proposed: ['mail'],
    accepted: ['check'],
    deploying: ['cloud-upload'],
    funding: ['credit-card'],
    locked: ['lock'],
    open: ['arrow-swap', 'charts.green'],
    closing: ['watch', 'charts.orange'],
    closed: ['pass'],
    rejected: ['circle-slash'],
  };
  const [id, color] = icons[ch.phase] ?? ['circle-outline'];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

export class ChannelTreeProvider implements vscode.TreeDataProvider<TreeElement>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeElement | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly sub: vscode.Disposable;
  /** one object per row id: VS Code finds rows by object */
  private readonly elements = new Map<string, TreeElement>();

  constructor(private readonly model: ModelBuilder) {
    this.sub = model.onDidUpdate(() => this.emitter.fire(undefined));
  }

  /**
   * The picture VS Code's current pass over the tree reads: taken when it asks for the root, so a channel row and
   * its step rows, fetched by separate calls, never come from two pictures (a new picture fires a refresh, whose
   * pass starts at the root again).
   */
  private pinned: Model | null = null;

  private get m(): Model {
    return this.pinned ?? this.model.current;
  }

  private el<T extends TreeElement>(id: string, make: () => T): T {
    const have = this.elements.get(id);
    if (have) return have as T;
    const e = make();
    this.elements.set(id, e);
    return e;
  }

  private nodeOf(party: PartyId): NodeEntry | undefined {
    return this.m.nodes.find((n) => n.node.id === party);
  }

  private channelOf(el: { party: PartyId; channelId: string }): { n: NodeEntry; c: ChannelEntry } | undefined {
    const n = this.nodeOf(el.party);
    const c = n?.channels.find((x) => x.view.id === el.channelId);
    return n && c ? { n, c } : undefined;
  }

  private names(n: NodeEntry, ch: ChannelView): Names {
    const hosted = this.m.nodes.map((x) => ({ label: x.node.label, account: x.account }));
    return { me: ch.me, partner: partnerName(ch, hosted) };
  }

  /** The user's node shows only once it has a channel (the welcome view speaks for it before). */
  private visible(n: NodeEntry): boolean {
    return n.node.id !== 'me' || n.channels.length + n.broken.length > 0;
  }

  getChildren(el?: TreeElement): TreeElement[] {
    if (!el) {
      this.pinned = this.model.current;
      this.prune(this.pinned);
      return this.m.nodes.filter((n) => this.visible(n)).map((n) => this.el(`net:${n.node.id}`, () => ({ kind: 'node', party: n.node.id })));
    }
    if (el.kind === 'node') {
      const n = this.nodeOf(el.party);
      const rows: TreeElement[] = (n?.channels ?? []).map((c) => this.el(`ch:${el.party}:${c.view.id}`, () => ({ kind: 'channel', party: el.party, channelId: c.view.id })));
      for (const b of n?.broken ?? []) rows.push(this.el(`broken:${el.party}:${b.id}`, () => ({ kind: 'broken', party: el.party, channelId: b.id })));
      return rows;
    }
    if (el.kind !== 'channel') return [];
    const found = this.channelOf(el);
    if (!found) return [];
    const { c } = found;
    const rows: TreeElement[] = [];
    const step = (s: string, pending: boolean) =>
      this.el(`st:${el.party}:${el.channelId}:${s}:${pending ? 'p' : 'c'}`, () => ({ kind: 'step', party: el.party, channelId: el.channelId, step: s, pending }));
    if (c.view.pending) rows.push(step(c.view.pending.step.toString(), true));
    for (const s of c.steps) rows.push(step(s.state.step.toString(), false));
    if (c.earlier > 0n) rows.push(this.el(`more:${el.party}:${el.channelId}`, () => ({ kind: 'more', party: el.party, channelId: el.channelId })));
    return rows;
  }

  /**
   * A new pass over the tree: the rows `m` does not show go (a channel's steps scrolled out, a stopped demo's rows),
   * so that a long channel's past steps do not pile up; a row shown again gets a new object.
   */
  private prune(m: Model): void {
    const shown = new Set<string>();
    for (const n of m.nodes) {
      const p = n.node.id;
      shown.add(`net:${p}`);
      for (const b of n.broken) shown.add(`broken:${p}:${b.id}`);
      for (const { view: ch, steps } of n.channels) {
        shown.add(`ch:${p}:${ch.id}`).add(`more:${p}:${ch.id}`);
        if (ch.pending) shown.add(`st:${p}:${ch.id}:${ch.pending.step}:p`);
        for (const s of steps) shown.add(`st:${p}:${ch.id}:${s.state.step}:c`);
      }
    }
    for (const id of this.elements.keys()) if (!shown.has(id)) this.elements.delete(id);
  }

  getParent(el: TreeElement): TreeElement | undefined {
    if (el.kind === 'node') return undefined;
    if (el.kind === 'channel' || el.kind === 'broken') return this.elements.get(`net:${el.party}`);
    return this.elements.get(`ch:${el.party}:${el.channelId}`);
  }

  getTreeItem(el: TreeElement): vscode.TreeItem {
    if (el.kind === 'node') return this.nodeItem(el);
    if (el.kind === 'channel') return this.channelItem(el);
    if (el.kind === 'more') return this.moreItem(el);
    if (el.kind === 'broken') return this.brokenItem(el);
    return this.stepItem(el);
  }

  private nodeItem(el: Extract<TreeElement, { kind: 'node' }>): vscode.TreeItem {
    const n = this.nodeOf(el.party);
    const label = !n ? el.party : el.party === 'me' ? 'You' : `${n.node.label} · you`;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `net:${el.party}`;
    if (!n) return item;
    const serving = n.served && n.served.lan.length + n.served.wan.length > 0;
    item.description = `${n.network} · ${shortAddress(n.account)}${serving ? ' · serving' : ''}`;
    item.iconPath = new vscode.ThemeIcon(el.party === 'me' ? 'account' : 'person');
    const tokens = ['node', 'network', `party-${el.party}`];
    if (serving) tokens.push('served');
    if (n.network === 'testnet') tokens.push('testnet');
    item.contextValue = tokens.join(' ');
    item.tooltip = nodeHover(n);
    return item;
  }

  private channelItem(el: Extract<TreeElement, { kind: 'channel' }>): vscode.TreeItem {
    const found = this.channelOf(el);
    const item = new vscode.TreeItem(el.channelId, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `ch:${el.party}:${el.channelId}`;
    if (!found) return item;
    const { n, c } = found;
    const ch = c.view;
    const names = this.names(n, ch);
    item.label = `${names.partner} · partner`;
    item.description = channelDescription(ch);
    item.contextValue = channelTokens(ch).join(' ');
    item.iconPath = channelIcon(ch);
    item.tooltip = channelHover(el.party, ch, names);
    const deco: DecorationKind | null = ch.actions.sign.ok ? 'pending-me' : staleOnChain(ch) ? 'stale' : null;
    if (deco) item.resourceUri = decorationUri(item.id, deco);
    return item;
  }

  private stepItem(el: Extract<TreeElement, { kind: 'step' }>): vscode.TreeItem {
    const found = this.channelOf(el);
    const fallback = new vscode.TreeItem(`Step ${el.step}`);
    if (!found) return fallback;
    const { n, c } = found;
    const ch = c.view;
    const names = this.names(n, ch);
    let entry: StepEntry | undefined;
    if (el.pending) entry = ch.pending && ch.pending.step.toString() === el.step ? { state: ch.pending, previous: ch.latest } : undefined;
    else entry = c.steps.find((s) => s.state.step.toString() === el.step);
    if (!entry) return fallback;
    const s = entry.state;
    // the partner's state is offered for signing only when the node would sign it now (else it says why)
    const theirs = el.pending && ch.pending?.awaiting === 'me';
    const awaitingMe = theirs && signsNow(ch);
    const onChain = ch.close?.step === s.step && !el.pending && (ch.phase === 'closing' || ch.phase === 'closed');
    // Short labels: at the default sidebar width a step row has room for about 25 characters.
    const label = el.pending ? (awaitingMe ? `Sign Step ${el.step}` : theirs ? `Step ${el.step} · received` : `Step ${el.step} · sent`) : `Step ${el.step}`;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `st:${el.party}:${el.channelId}:${el.step}:${el.pending ? 'p' : 'c'}`;
    const cannot = theirs && !ch.actions.sign.ok ? `not signable now: ${ch.actions.sign.why} · ` : '';
    const waiting = el.pending ? (awaitingMe ? 'awaiting your signature · ' : theirs ? cannot : "awaiting your partner's signature · ") : '';
    item.description = `${waiting}${stepDescription(s, entry.previous, names)}${onChain ? ' · on chain' : ''}`;
    const tokens = ['step', el.pending ? 'pending' : 'committed'];
    if (awaitingMe) tokens.push('awaiting-me');
    if (!el.pending && ch.actions.withdraw.ok) tokens.push('can-withdraw');
    if (ch.network === 'testnet') tokens.push('testnet');
    item.contextValue = tokens.join(' ');
    const stale = onChain && staleOnChain(ch);
    item.iconPath = awaitingMe
      ? new vscode.ThemeIcon('bell-dot', new vscode.ThemeColor('list.warningForeground'))
      : el.pending
        ? new vscode.ThemeIcon('clock')
        : stale
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.errorForeground'))
          : s.tag === 'close'
            ? new vscode.ThemeIcon('debug-stop')
            : new vscode.ThemeIcon(s.empty ? 'circle-outline' : 'pass');
    item.tooltip = stepHover(s, entry.previous, names, { pending: el.pending ? (ch.pending?.awaiting ?? null) : null, onChain, stale });
    const deco: DecorationKind | null = awaitingMe ? 'pending-me' : el.pending ? 'pending-partner' : stale ? 'stale' : null;
    if (deco) item.resourceUri = decorationUri(item.id, deco);
    return item;
  }

  private moreItem(el: Extract<TreeElement, { kind: 'more' }>): vscode.TreeItem {
    const found = this.channelOf(el);
    const earlier = found?.c.earlier ?? 0n;
    const item = new vscode.TreeItem('Show earlier steps', vscode.TreeItemCollapsibleState.None);
    item.id = `more:${el.party}:${el.channelId}`;
    item.description = `${earlier} more`;
    item.iconPath = new vscode.ThemeIcon('history');
    item.contextValue = 'more';
    item.command = { command: 'synchannel.showEarlier', title: 'Show Earlier Steps', arguments: [el] };
    return item;
  }

  /** A channel the node could not load: it may hold money, so it is shown with what to do. */
  private brokenItem(el: Extract<TreeElement, { kind: 'broken' }>): vscode.TreeItem {
    const b: BrokenChannelView | undefined = this.nodeOf(el.party)?.broken.find((x) => x.id === el.channelId);
    const item = new vscode.TreeItem(`${shortAddress(el.channelId)} · not loaded`, vscode.TreeItemCollapsibleState.None);
    item.id = `broken:${el.party}:${el.channelId}`;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    item.contextValue = 'broken'; // not 'broken-channel': menus match the token \bchannel\b
    if (!b) return item;
    item.description = `${b.code}${b.retrying ? ' · retrying' : ''}`;
    const next = nextStep(b.code);
    item.tooltip = `The node could not load the channel ${b.id} (${b.code}): ${b.message}.${b.retrying ? ' It tries again by itself.' : ''}${next ? `\n\nNext: ${next}.` : ''}\n\nIt may hold money: it is not watched until it loads.`;
    return item;
  }

  /** How many row objects the tree keeps (the test API reads it). */
  keptRows(): number {
    return this.elements.size;
  }

  /** How many states await the user's signature (the view's badge). */
  awaitingCount(): number {
    return this.m.nodes.reduce((k, n) => k + n.channels.filter((c) => c.view.actions.sign.ok).length, 0);
  }

  /** Test and debugging aid: the whole tree as plain data. */
  snapshot(): TreeSnapshotItem[] {
    const walk = (el: TreeElement): TreeSnapshotItem => {
      const item = this.getTreeItem(el);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const highlighted = typeof item.label === 'object' && (item.label.highlights?.length ?? 0) > 0;
      const deco = item.resourceUri ? (new URLSearchParams(item.resourceUri.query).get('d') as DecorationKind | null) : null;
      return {
        id: item.id ?? '',
        label,
        description: typeof item.description === 'string' ? item.description : '',
        contextValue: item.contextValue ?? '',
        tooltip: typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? ''),
        highlighted,
        decoration: deco,
        icon: item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : '',
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

