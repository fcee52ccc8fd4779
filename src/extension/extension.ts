import '../polyfill.js';
// The composition root of the VS Code host (docs/architecture.md): builds the node host, the tree, the commands, the
// balances webview, the status bar and the notifications, and returns a small API (used by the in-host tests).
// Activation is lazy (onView / commands); the node is created on first use, the emulator later still.
import * as vscode from 'vscode';
import type { BalancesSnapshot, HostToWebview, WebviewToHost } from '../../webview/protocol.js';
import { BalancesPanel } from './balancesPanel.js';
import { COMMAND_NAMES, Commands, type CommandFailure } from './commands.js';
import { NodeHost, type NodeStatus } from './host.js';
import { partnerNotifications } from './notifications.js';
import { StatusBar } from './statusBar.js';
import { ChannelTreeProvider, type TreeElement, type TreeSnapshotItem } from './tree.js';

/** What activate() returns: a read-only window into the extension for tests and tools. */
export interface SynChannelApi {
  commands: readonly string[];
  tree: { snapshot(): TreeSnapshotItem[] };
  webview: {
    isOpen(): boolean;
    isReady(): boolean;
    viewColumn(): vscode.ViewColumn | undefined;
    waitForReady(): Promise<void>;
    lastMessage(): HostToWebview | null;
    lastReceived(): WebviewToHost | null;
    /** builds a fresh snapshot and posts it when the panel is open */
    refresh(): Promise<BalancesSnapshot>;
  };
  status(): { network: string; runningNetwork: string | null; node: NodeStatus; text: string; dataDir: string };
  lastFailure(): CommandFailure | null;
  demoSteps(): string[];
}

let host: NodeHost | null = null;

export function activate(context: vscode.ExtensionContext): SynChannelApi {
  const out = vscode.window.createOutputChannel('SynChannel', { log: true });
  const nodeHost = new NodeHost(context, out);
  host = nodeHost;
  const tree = new ChannelTreeProvider(nodeHost);
  const treeView = vscode.window.createTreeView<TreeElement>('synchannel.tree', { treeDataProvider: tree, showCollapseAll: true });
  let commands: Commands | null = null;
  const balances = new BalancesPanel(context.extensionUri, nodeHost, async (action, target) => {
    const arg = target ? { party: target.party, channel: target.channelId } : undefined;
    if (action === 'refresh') return nodeHost.fireChanged();
    return vscode.commands.executeCommand(`synchannel.${action}`, arg);
  });
  commands = new Commands({ host: nodeHost, tree, treeView, balances });
  commands.register(context);
  const status = new StatusBar(nodeHost);

  context.subscriptions.push(
    out,
    tree,
    treeView,
    balances,
    status,
    partnerNotifications(nodeHost),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('synchannel.network')) {
        nodeHost.restartForNetwork().catch((err) => nodeHost.log(`network switch: ${String(err)}`, 'error'));
        status.update();
      } else if (
        ['synchannel.devnetUrl', 'synchannel.testnetEndpoint', 'synchannel.dataDir', 'synchannel.autoPassTurn'].some((k) => e.affectsConfiguration(k)) &&
        nodeHost.mainNode
      ) {
        void vscode.window.showInformationMessage('SynChannel: the new setting applies when the node restarts.', 'Restart Node').then(async (pick) => {
          if (!pick) return;
          await nodeHost.stopNode();
          await nodeHost.ensureNode();
        });
      }
    }),
  );
  nodeHost.log(`SynChannel activated (network setting: ${nodeHost.network})`);

  const cmds = commands;
  return {
    commands: COMMAND_NAMES.map((c) => `synchannel.${c}`),
    tree: { snapshot: () => tree.snapshot() },
    webview: {
      isOpen: () => balances.isOpen,
      isReady: () => balances.isReady,
      viewColumn: () => balances.viewColumn,
      waitForReady: () => balances.waitForReady(),
      lastMessage: () => balances.lastMessage,
      lastReceived: () => balances.lastReceivedMessage,
      refresh: () => balances.push(),
    },
    status: () => {
      status.update();
      return {
      network: nodeHost.network,
      runningNetwork: nodeHost.runningNetwork,
      node: nodeHost.status,
      text: status.item.text,
      dataDir: nodeHost.dataDir(nodeHost.runningNetwork ?? nodeHost.network),
      };
    },
    lastFailure: () => cmds.lastFailure,
    demoSteps: () => nodeHost.teachingDemo?.steps.map((s) => s.id) ?? [],
  };
}

/** Stops the node(s) cleanly: VS Code awaits the returned promise. */
export async function deactivate(): Promise<void> {
  const h = host;
  host = null;
  if (h) await h.dispose();
}
