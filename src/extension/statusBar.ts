// The status bar item, in statusText's words: the channel shown is the one selected in the SynChannel view, else the
// node's current one. A click shows the SynChannel view. The view's badge counts the states awaiting your signature.
import * as vscode from 'vscode';
import type { NodeHost } from './host.js';
import type { ModelBuilder } from './model.js';
import type { TreeElement } from './tree.js';
import { statusText, type StatusText } from './statusText.js';

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
    this.subs = [host.onDidChange(() => this.update()), model.onDidUpdate(() => this.update()), view.onDidChangeSelection(() => this.update())];
    this.update();
    this.item.show();
  }

  update(): StatusText {
    // a row of the user's own node (a channel, its steps): that channel
    const row = this.view.selection[0] as TreeElement | undefined;
    const selected = row && row.party === 'me' && 'channelId' in row ? row.channelId : undefined;
    const s = statusText(this.host, this.model.current, selected);
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
