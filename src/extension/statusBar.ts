// Status bar item: network + node status; a click switches network.
import * as vscode from 'vscode';
import type { NodeHost } from './host.js';

export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly sub: vscode.Disposable;

  constructor(private readonly host: NodeHost) {
    this.item = vscode.window.createStatusBarItem('synchannel.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'SynChannel';
    this.item.command = 'synchannel.switchNetwork';
    this.sub = host.onDidChange(() => this.update());
    this.update();
    this.item.show();
  }

  update(): void {
    const network = this.host.runningNetwork ?? this.host.network;
    const status = this.host.status;
    const icon = status === 'running' ? '$(plug)' : status === 'starting' ? '$(sync~spin)' : status === 'error' ? '$(error)' : '$(debug-disconnect)';
    const demo = this.host.teachingDemo !== null;
    this.item.text =
      demo && status === 'stopped' ? '$(mortar-board) SynChannel: sandbox · demo (Alice, Bob)' : `${icon} SynChannel: ${network} · ${status}${demo ? ' · demo' : ''}`;
    const md = new vscode.MarkdownString(`**SynChannel** on **${network}**: node ${status}${this.host.lastError ? `\n\n${this.host.lastError}` : ''}\n\nClick to switch network.`);
    this.item.tooltip = md;
    this.item.backgroundColor = status === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
