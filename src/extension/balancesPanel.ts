// Hosts the balances webview: strict CSP with a nonce, asWebviewUri, the typed protocol of webview/protocol.ts
// with a ready handshake, and a fresh snapshot on every node change.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { ChannelView } from '../node/types.js';
import {
  PROTOCOL_VERSION,
  parseWebviewMessage,
  type Amount,
  type BalancesSnapshot,
  type ChannelBalances,
  type HostToWebview,
  type WebviewAction,
  type WebviewToHost,
} from '../../webview/protocol.js';
import type { HostedNode, NodeHost } from './host.js';
import { errorMessage, formatTon } from './util.js';

export const BALANCES_VIEW_TYPE = 'synchannel.balances';

function amount(nano: bigint | null | undefined): Amount | null {
  return nano === null || nano === undefined ? null : { nano: nano.toString(), ton: formatTon(nano) };
}

export type ActionHandler = (action: WebviewAction, target: { party: HostedNode['id']; channelId: string } | null) => Promise<unknown>;

export class BalancesPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  private selectedKey: string | null = null;
  private last: HostToWebview | null = null;
  private lastReceived: WebviewToHost | null = null;
  private pushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: NodeHost,
    private readonly onAction: ActionHandler,
  ) {
    this.disposables.push(host.onDidChange(() => this.schedulePush()));
  }

  get isOpen(): boolean {
    return this.panel !== null;
  }
  get isReady(): boolean {
    return this.ready;
  }
  get viewColumn(): vscode.ViewColumn | undefined {
    return this.panel?.viewColumn;
  }
  get lastMessage(): HostToWebview | null {
    return this.last;
  }
  get lastReceivedMessage(): WebviewToHost | null {
    return this.lastReceived;
  }

  /** Opens (or reveals) the panel; `key` = `<party>:<channelId>` selects a channel. */
  show(key?: string): void {
    if (key) this.selectedKey = key;
    if (this.panel) {
      this.panel.reveal(undefined, true);
      this.schedulePush();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      BALANCES_VIEW_TYPE,
      'SynChannel Balances',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
      },
    );
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'synchannel.svg');
    this.panel = panel;
    this.ready = false;
    panel.onDidDispose(() => {
      this.panel = null;
      this.ready = false;
    }, null, this.disposables);
    panel.webview.onDidReceiveMessage((raw) => this.receive(raw), null, this.disposables);
    // A hidden webview (no retainContext) is destroyed, and rebuilt when shown again: it restores from getState and
    // re-handshakes. A view-state change does not always mean that (moving the panel, a spurious event), so when the
    // panel is visible again the host also posts a fresh state itself: if a webview takes it, the handshake holds.
    panel.onDidChangeViewState(() => {
      if (!panel.visible) this.ready = false;
      else void this.push(true);
    }, null, this.disposables);
    panel.webview.html = this.html(panel.webview);
  }

  /** Resolves once the webview posted `ready` (the handshake). */
  waitForReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private async receive(raw: unknown): Promise<void> {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.host.log(`balances webview: ignored an unknown message`, 'warn');
      return;
    }
    this.lastReceived = msg;
    switch (msg.type) {
      case 'ready':
        if (msg.version !== PROTOCOL_VERSION) this.host.log(`balances webview speaks protocol ${msg.version}, host ${PROTOCOL_VERSION}`, 'warn');
        this.ready = true;
        await this.push();
        for (const w of this.readyWaiters.splice(0)) w();
        return;
      case 'select':
        this.selectedKey = msg.key;
        await this.push();
        return;
      case 'action': {
        const target = msg.key ? this.parseKey(msg.key) : null;
        try {
          await this.onAction(msg.action, target);
        } catch (e) {
          await this.post({ type: 'error', message: errorMessage(e) });
        }
        await this.push();
        return;
      }
    }
  }

  private parseKey(key: string): { party: HostedNode['id']; channelId: string } | null {
    const i = key.indexOf(':');
    if (i < 0) return null;
    const party = key.slice(0, i);
    if (party !== 'me' && party !== 'alice' && party !== 'bob') return null;
    return { party, channelId: key.slice(i + 1) };
  }

  private schedulePush(): void {
    if (!this.panel || !this.ready || this.pushTimer) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = null;
      void this.push();
    }, 50);
  }

  /** Builds and posts a fresh snapshot now; returns it (also when the panel is closed, for tests). */
  async push(force = false): Promise<BalancesSnapshot> {
    const snapshot = await this.snapshot();
    if (this.panel && (this.ready || force)) {
      const delivered = await this.post({ type: 'state', snapshot });
      if (force && delivered && this.panel?.visible) this.ready = true;
    }
    return snapshot;
  }

  /** Posts to the webview; true when a live webview took the message. */
  private async post(msg: HostToWebview): Promise<boolean> {
    this.last = msg;
    return this.panel ? this.panel.webview.postMessage(msg) : false;
  }

  async snapshot(): Promise<BalancesSnapshot> {
    const nodes = this.host.nodes();
    const choices: { key: string; label: string; node: HostedNode; ch: ChannelView }[] = [];
    for (const node of nodes) {
      for (const ch of node.api.channels()) {
        choices.push({ key: `${node.id}:${ch.id}`, label: `${node.label} ⇄ ${ch.partnerAddress.slice(0, 8)}… (${ch.phase})`, node, ch });
      }
    }
    const chosen = choices.find((c) => c.key === this.selectedKey) ?? choices[0] ?? null;
    const status = this.host.status;
    let hint: string | null = null;
    if (!chosen) {
      hint = nodes.length === 0 ? 'the node is not running: run "SynChannel: Serve" or "Connect", or open the teaching demo' : 'no channel yet: connect first';
    }
    return {
      network: this.host.runningNetwork ?? (this.host.teachingDemo ? 'sandbox' : this.host.network),
      nodeStatus: nodes.length ? 'running' : status,
      channels: choices.map(({ key, label }) => ({ key, label })),
      selected: chosen ? await this.balances(chosen.key, chosen.node, chosen.ch) : null,
      hint,
      generatedAt: Date.now(),
    };
  }

  private async balances(key: string, node: HostedNode, ch: ChannelView): Promise<ChannelBalances> {
    const safe = async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
      try {
        return await fn();
      } catch (e) {
        this.host.log(`balances: ${what}: ${errorMessage(e)}`, 'warn');
        return null;
      }
    };
    const contractBalance = ch.contract ? await safe('contract balance', () => node.api.balanceContract(ch.id)) : null;
    const mine = await safe('wallet balance', () => node.api.balanceTon());
    // The partner's wallet is known only when the partner is hosted here too (the teaching demo).
    const partnerNode = this.host.nodes().find((n) => n !== node && n.api.getAccount() === ch.partnerAddress);
    const theirs = partnerNode ? await safe('partner wallet balance', () => partnerNode.api.balanceTon()) : null;
    const latest = ch.latest;
    return {
      key,
      partyLabel: node.label,
      me: ch.me,
      channelId: ch.id,
      contract: ch.contract,
      partnerAddress: ch.partnerAddress,
      phase: ch.phase,
      step: latest ? latest.step.toString() : null,
      offchainA: amount(latest ? latest.balanceA : ch.depositA),
      offchainB: amount(latest ? latest.balanceB : ch.depositB),
      contractBalance: amount(contractBalance),
      walletA: amount(ch.me === 'A' ? mine : theirs),
      walletB: amount(ch.me === 'B' ? mine : theirs),
      deadline: ch.deadline,
      pendingAwaitingMe: ch.pending?.awaiting === 'me',
      history: (await safe('history', () => node.api.history(ch.id, ch.count > 500n ? ch.count - 500n : 0n, ch.count)) ?? []).map((s) => ({
        step: s.step.toString(),
        a: s.balanceA.toString(),
        b: s.balanceB.toString(),
      })),
    };
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'balances.css'));
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css.toString()}">
<title>SynChannel Balances</title>
</head>
<body>
<main id="root"></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
