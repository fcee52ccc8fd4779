// The status bar item: network, node state, how many channels the watcher guards, your balance in the current
// channel, whose turn it is, and the states awaiting your signature; while only the teaching demo runs, the demo.
// A click shows the SynChannel view. The view's badge counts the states awaiting your signature.
import * as vscode from 'vscode';
import type { Unwatched } from './unwatched.js';
import type { NodeHost } from './host.js';
import type { Model, ModelBuilder, NodeEntry } from './model.js';
import { watchedHere } from '../node/uiRules.js';
import { formatTon } from './util.js';
import { turnWords } from './words.js';

export interface StatusText {
  text: string;
  tooltip: string;
  /** states awaiting the user's signature, in every hosted node */
  awaiting: number;
}

/** The status in words, from the host and one model picture. */
export function statusText(host: NodeHost, model: Model): StatusText {
  const awaiting = model.nodes.reduce((k, n) => k + n.channels.filter((c) => c.view.actions.sign.ok).length, 0);
  const bell = awaiting ? ` · $(bell-dot) ${awaiting}` : '';
  const network = host.runningNetwork ?? host.network;
  const main = host.mainNode;
  const demo = host.demos.session;
  const demoText = demo ? `step ${demo.steps.filter((s) => demo.done(s.id)).length}/${demo.steps.length}` : '';
  if (main && host.status === 'running') {
    // the model may not have read a node that just started: its channels come with the next picture
    const me = model.nodes.find((n) => n.node === main) ?? { node: main, account: main.api.getAccount(), network: main.api.network, served: main.served, partners: [], channels: [], broken: main.api.brokenChannels() };
    const { text, tooltip } = running(me, network, host.elsewhere);
    return { text: `${text}${demo ? ` · demo ${demoText}` : ''}${bell}`, tooltip, awaiting };
  }
  if (demo && host.status !== 'error' && host.status !== 'locked') {
    return { text: `$(mortar-board) SynChannel: teaching demo · ${demoText}${bell}`, tooltip: 'Alice and Bob run in this window on an embedded sandbox chain. Your own node is not running.', awaiting };
  }
  const err = host.lastError;
  switch (host.status) {
    case 'starting':
      return { text: `$(sync~spin) SynChannel: ${network} · starting`, tooltip: 'The node is starting.', awaiting };
    case 'locked':
      return { text: `$(lock) SynChannel: ${network} · watched by another window`, tooltip: err?.message ?? 'Another window or process holds this data folder.', awaiting };
    case 'error': {
      // a failed start of a node that must watch money: the status bar keeps saying it
      const u = host.unwatchedMoney;
      const notWatched = u ? ` · ${u.count} channel${u.count === 1 ? '' : 's'} NOT watched` : '';
      const tooltip = [`The node did not start: ${err?.message ?? 'see the log'}`, ...(u ? [host.unwatchedWords() ?? ''] : [])].join('\n\n');
      return { text: `$(error) SynChannel: ${network} · ${err?.code === 'NO_KEY' ? 'no key' : 'error'}${notWatched}`, tooltip, awaiting };
    }
    default:
      return { text: `$(debug-disconnect) SynChannel: ${network} · stopped`, tooltip: 'The node is not running: Serve, Connect or Start the Node start it.', awaiting };
  }
}

function running(me: NodeEntry, network: string, elsewhere: readonly Unwatched[]): { text: string; tooltip: string } {
  const watched = me.channels.filter((c) => watchedHere(c.view));
  const current = me.node.api.currentChannel();
  const parts = [`$(plug) SynChannel: ${network}`];
  parts.push(watched.length ? `watching ${watched.length}` : 'running');
  if (me.broken.length) parts.push(`$(error) ${me.broken.length} not loaded`);
  for (const e of elsewhere) parts.push(`$(warning) ${e.network}: ${e.count} NOT watched`);
  if (current && current.phase !== 'closed' && current.phase !== 'rejected') {
    parts.push(`${formatTon(current.myBalance)} TON`);
    const turn = turnWords(current);
    if (turn) parts.push(turn);
  }
  const lines = [
    `SynChannel on ${network}: node running as ${me.account}`,
    `${watched.length} channel(s) watched: the node challenges a stale close and finishes closes by itself.`,
  ];
  if (me.broken.length) lines.push(`${me.broken.length} channel(s) the node could not load (${me.broken.map((b) => b.code).join(', ')}): NOT watched; see their rows in the SynChannel view.`);
  for (const e of elsewhere) {
    const one = e.count === 1;
    lines.push(`${e.count} channel${one ? '' : 's'} with money on ${e.network} ${one ? 'is' : 'are'} NOT watched while this window's node runs on ${network}: a stale close by a partner there is not challenged. Switch to ${e.network} (or run the CLI on it) at least once per challenge window.`);
  }
  if (me.served) lines.push(`Serving: ${[...me.served.lan, ...me.served.wan][0] ?? '—'}`);
  return { text: parts.join(' · '), tooltip: lines.join('\n\n') };
}

export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly host: NodeHost,
    private readonly model: ModelBuilder,
    private readonly view: vscode.TreeView<unknown>,
  ) {
    this.item = vscode.window.createStatusBarItem('synchannel.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'SynChannel';
    this.item.command = 'workbench.view.extension.synchannel';
    this.subs = [host.onDidChange(() => this.update()), model.onDidUpdate(() => this.update())];
    this.update();
    this.item.show();
  }

  update(): StatusText {
    const s = statusText(this.host, this.model.current);
    this.item.text = s.text;
    this.item.tooltip = new vscode.MarkdownString(s.tooltip);
    this.item.backgroundColor =
      this.host.status === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : s.awaiting ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.view.badge = s.awaiting ? { value: s.awaiting, tooltip: `${s.awaiting} state(s) await your signature` } : undefined;
    return s;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
