// Hosts the balances webview: strict CSP with a nonce, the typed protocol of webview/protocol.ts with a ready
// handshake, a fresh snapshot on every node change, and a panel serializer so the panel comes back after a window
// reload. The webview's script and styles are inlined in its HTML: loading them as webview resources goes
// through the webview's service worker, which under load sometimes did not answer and left the panel blank
// (the requests went to the network and failed with ERR_NAME_NOT_RESOLVED).
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  PROTOCOL_VERSION,
  parseWebviewMessage,
  type BalancesSnapshot,
  type HostToWebview,
  type WebviewAction,
  type WebviewToHost,
} from '../../webview/protocol.js';
import { ChainReads, SnapshotOrder, buildSnapshot } from './balancesSnapshot.js';
import { offered } from './guards.js';
import type { NodeHost } from './host.js';
import type { HostedNode } from './hosted.js';
import { errorMessage } from './util.js';

export const BALANCES_VIEW_TYPE = 'synchannel.balances';

export type ActionHandler = (action: WebviewAction, target: { party: HostedNode['id']; channelId: string } | null) => Promise<unknown>;

export class BalancesPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  private selectedKey: string | null = null;
  private replayRequest = 0;
  private last: HostToWebview | null = null;
  /** the last snapshot sent (an error message after it does not change what the panel offers) */
  private lastState: BalancesSnapshot | null = null;
  private lastReceived: WebviewToHost | null = null;
  private pushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private panelSubs: vscode.Disposable[] = [];
  private readonly reads: ChainReads;
  private readonly order = new SnapshotOrder();
  /** how many panels were brought back by the serializer (after a window reload) */
  restoredCount = 0;
  private assets: { script: string; css: string } | null = null;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: NodeHost,
    private readonly onAction: ActionHandler,
    private readonly onCopy: (text: string) => Promise<void>,
  ) {
    // a read that answers after a snapshot went without it: shown by the next one; a failed one is read again then
    this.reads = new ChainReads((l) => host.log(l, 'warn'), { landed: () => this.schedulePush(), retry: () => this.schedulePush() });
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

  /** Opens (or reveals) the panel; `key` = `<party>:<channelId>` selects a channel, `replay` shows the demo's replay. */
  show(opts: { key?: string; replay?: boolean } = {}): void {
    if (opts.key) this.selectedKey = opts.key;
    if (opts.replay) this.replayRequest++;
    if (this.panel) {
      this.panel.reveal(undefined, true);
      this.schedulePush();
      return;
    }
    const panel = vscode.window.createWebviewPanel(BALANCES_VIEW_TYPE, 'SynChannel Balances', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
    this.adopt(panel);
  }

  /** The panel serializer's answer after a window reload: the same panel, its saved channel selected. */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const key = (state as { snapshot?: { selected?: { key?: unknown } } } | undefined)?.snapshot?.selected?.key;
    if (typeof key === 'string') this.selectedKey = key;
    if (this.panel) {
      panel.dispose();
      return;
    }
    this.restoredCount++;
    panel.webview.options = this.options();
    this.adopt(panel);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [] };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    panel.iconPath = {
      light: vscode.Uri.joinPath(this.extensionUri, 'media', 'synchannel-light.svg'),
      dark: vscode.Uri.joinPath(this.extensionUri, 'media', 'synchannel-dark.svg'),
    };
    this.panel = panel;
    this.ready = false;
    this.panelSubs = [
      panel.onDidDispose(() => {
        this.panel = null;
        this.ready = false;
        this.reads.stop();
        for (const s of this.panelSubs) s.dispose();
      }),
      panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      // A hidden webview (no retainContext) is destroyed and rebuilt when shown again: it restores from getState
      // and handshakes again. When the panel is visible again the host also posts a fresh state itself.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) {
          this.ready = false;
          this.reads.stop(); // hidden: no failed read is read again until it shows
        } else void this.push(true);
      }),
    ];
    panel.webview.html = this.html();
  }

  /** Resolves once the webview posted `ready` (the handshake). */
  waitForReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private async receive(raw: unknown): Promise<void> {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.host.log('balances webview: ignored an unknown message', 'warn');
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
      case 'copy': {
        // only an address the panel shows
        const sel = this.last?.type === 'state' ? this.last.snapshot.selected : null;
        if (sel && (msg.text === sel.contract.full || msg.text === sel.partnerAddress.full)) await this.onCopy(msg.text);
        return;
      }
      case 'action': {
        // only what the panel was last shown (a stale or restored panel must not sign another step)
        const shown = this.lastState;
        if (!offered(shown, msg)) {
          this.host.log(`balances webview: refused ${msg.action} on ${msg.key ?? 'no channel'}: the panel did not offer it (a fresh state is sent)`, 'warn');
          await this.push(true);
          return;
        }
        const target = msg.key ? this.parseKey(msg.key) : null;
        if (msg.action === 'refresh') this.reads.clear();
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
    const n = this.order.begin();
    const snapshot = await this.snapshot();
    // a snapshot begun later was posted while this one read the chain: this one is no longer current
    if (this.panel && (this.ready || force) && this.order.mayPost(n)) {
      const delivered = await this.post({ type: 'state', snapshot });
      if (force && delivered && this.panel?.visible) this.ready = true;
    }
    return snapshot;
  }

  /** Posts to the webview; true when a live webview took the message. */
  private async post(msg: HostToWebview): Promise<boolean> {
    this.last = msg;
    if (msg.type === 'state') this.lastState = msg.snapshot;
    return this.panel ? this.panel.webview.postMessage(msg) : false;
  }

  /** Test mode: the chain reads kept are dropped, and each read from now on answers `ms` later (a slow endpoint). */
  slowReads(ms: number): void {
    this.reads.slowMs = ms;
    this.reads.clear();
  }

  /** Reads the wallets again on the next snapshot (after a command that moved the user's wallet). */
  invalidateWallets(): void {
    this.reads.clear();
    this.schedulePush();
  }

  snapshot(): Promise<BalancesSnapshot> {
    return buildSnapshot(this.host, this.reads, this.selectedKey, this.replayRequest);
  }

  private html(): string {
    this.assets ??= {
      script: readFileSync(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js').fsPath, 'utf8'),
      css: readFileSync(vscode.Uri.joinPath(this.extensionUri, 'media', 'balances.css').fsPath, 'utf8'),
    };
    const nonce = randomBytes(16).toString('base64');
    // Styles inline (ours, VS Code's theme variables on the document, the toolkit's); scripts only with the nonce.
    const csp = ["default-src 'none'", 'img-src data:', "style-src 'unsafe-inline'", `script-src 'nonce-${nonce}'`].join('; ');
    // Inline text must not close its element early.
    const script = this.assets.script.replace(/<\/(script)/gi, '<\\/$1');
    const css = this.assets.css.replace(/<\/(style)/gi, '<\\/$1');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style>${css}</style>
<title>SynChannel Balances</title>
</head>
<body>
<main id="root"></main>
<script nonce="${nonce}">${script}</script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.reads.stop();
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
