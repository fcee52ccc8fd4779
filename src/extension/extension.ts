import '../polyfill.js';
// The composition root of the VS Code host (docs/architecture.md): builds the node host, the model the views
// read, the tree, the commands, the balances webview (with its serializer), the status bar and the notifications,
// and returns a small API (used by the in-host tests; its test hooks in testApi.ts). Activation stays fast: the node bundle loads on first use,
// or just after activation when this network's data folder holds channels to watch (the emulator only on sandbox).
import * as vscode from 'vscode';
import type { BalancesSnapshot, HostToWebview, WebviewToHost } from '../../webview/protocol.js';
import { BALANCES_VIEW_TYPE, BalancesPanel } from './balancesPanel.js';
import { COMMAND_NAMES, Commands, type CommandFailure } from './commands.js';
import { contextKeys } from './contextKeys.js';
import { resetWalkthrough } from './demoCommands.js';
import { stopWarning } from './guards.js';
import { unwatched } from '../node/uiRules.js';
import { TreeDecorations } from './decorations.js';
import { NodeHost } from './host.js';
import type { NodeStatus } from './hosted.js';
import type { NetworkKind } from '../node/types.js';
import { ModelBuilder } from './model.js';
import { partnerNotifications } from './notifications.js';
import { foreignKeyNotices } from './foreignKey.js';
import { Prompts } from './prompts.js';
import { StatusBar } from './statusBar.js';
import { ChannelTreeProvider, type TreeElement, type TreeSnapshotItem } from './tree.js';
import { testApi, type SynChannelTestApi, type TestParts } from './testApi.js';
import { UnderWay, cutShortWords } from './underWay.js';
import { moneyIn } from './unwatched.js';

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
    restoredCount(): number;
    /** builds a fresh snapshot and posts it when the panel is open */
    refresh(): Promise<BalancesSnapshot>;
  };
  status(): { network: string; runningNetwork: string | null; node: NodeStatus; text: string; tooltip: string; badge: number; dataDir: string };
  lastFailure(): CommandFailure | null;
  /** the teaching demo's steps (the node's ids and titles), and whether each ran */
  demoSteps(): { id: string; title: string; done: boolean }[];
  test?: SynChannelTestApi;
}

let host: NodeHost | null = null;

export function activate(context: vscode.ExtensionContext): SynChannelApi {
  const testMode = context.extensionMode === vscode.ExtensionMode.Test;
  const out = vscode.window.createOutputChannel('SynChannel', { log: true });
  const nodeHost = new NodeHost(context, out);
  host = nodeHost;
  const prompts = new Prompts(testMode);
  nodeHost.tell = (level, message, ...buttons) => prompts.notify(level, message, ...buttons);
  const model = new ModelBuilder(nodeHost);
  const tree = new ChannelTreeProvider(model);
  const treeView = vscode.window.createTreeView<TreeElement>('synchannel.tree', { treeDataProvider: tree, showCollapseAll: true });
  const balances = new BalancesPanel(
    context.extensionUri,
    nodeHost,
    async (action, target) => {
      if (action === 'refresh') return model.rebuild();
      const arg = target ? { party: target.party, channel: target.channelId } : undefined;
      return vscode.commands.executeCommand(`synchannel.${action}`, arg);
    },
    async (text) => {
      await vscode.env.clipboard.writeText(text);
      void prompts.notify('info', `SynChannel: copied ${text}`);
    },
  );
  const underWay = new UnderWay(context.workspaceState);
  const commands = new Commands({ host: nodeHost, prompts, model, tree, treeView, balances, underWay });
  commands.register(context);
  const status = new StatusBar(nodeHost, model, treeView);
  const notes = partnerNotifications(nodeHost, prompts, (code, message) => commands.showNodeError(code, message), commands.challenging);
  const foreign = foreignKeyNotices(nodeHost, prompts);
  const keys = contextKeys(nodeHost, model);

  context.subscriptions.push(
    out,
    model,
    tree,
    treeView,
    balances,
    status,
    notes,
    foreign,
    keys,
    vscode.window.registerFileDecorationProvider(new TreeDecorations()),
    vscode.window.registerWebviewPanelSerializer(BALANCES_VIEW_TYPE, { deserializeWebviewPanel: (panel, state) => balances.restore(panel, state) }),
    onSettingsChanged(nodeHost, prompts, commands),
  );
  nodeHost.log(`SynChannel activated (network setting: ${nodeHost.network})`);
  // After activation returns: a node whose data folder holds channels to watch starts by itself.
  // A failed start of a node that must watch money is shown (the channels are NOT watched), never only logged.
  const startup = async () => {
    // the walkthrough's ticks of a demo run a reload ended (a demo running or starting keeps its own)
    const reset = await resetWalkthrough(nodeHost.demos).catch(() => false);
    nodeHost.log(reset ? "[demo] no demo runs in this window: the walkthrough's ticks are cleared" : "[demo] a demo runs: the walkthrough's ticks are kept");
    const r = await nodeHost.startIfLive().catch((e: unknown) => (nodeHost.log(`start-up check: ${String(e)}`, 'warn'), 'nothing' as const));
    if (r === 'failed') await commands.report('startNode', nodeHost.startError);
    // what the window before a reload was doing, cut short: its own words were shown nowhere
    const left = await underWay.taken().catch(() => []);
    if (left.length) {
      const said = cutShortWords(left, { nodeRuns: !!nodeHost.mainNode, network: nodeHost.runningNetwork ?? nodeHost.network });
      void prompts.notify('warning', `SynChannel: ${said.text}`, ...said.actions.map((a) => a.title)).then((pick) => {
        const a = said.actions.find((x) => x.title === pick);
        if (a) void vscode.commands.executeCommand(a.command, ...(a.args ?? []));
      });
    }
    return r;
  };
  setTimeout(() => void startup(), 0);

  const cutShort = (command: string, network?: NetworkKind) => void new UnderWay(context.workspaceState, 1).run(command, (on) => (network && on(network), new Promise(() => undefined)));
  return publicApi({ nodeHost, prompts, model, tree, balances, status, commands, notes, keys, startup, cutShort, testMode });
}

interface Parts extends TestParts {
  tree: ChannelTreeProvider;
  balances: BalancesPanel;
  status: StatusBar;
  commands: Commands;
  testMode: boolean;
}

/**
 * The network setting changed, not by this window's Switch Network (another window's, or a Settings editor): the
 * setting is shared by every window, so a node running here keeps running (only this window's Switch Network moves
 * it), and says so with a button to switch. A node that guards channels with money says which.
 */
function keepsNode(nodeHost: NodeHost, prompts: Prompts): boolean {
  const want = nodeHost.network;
  const running = nodeHost.runningNetwork;
  const main = nodeHost.mainNode;
  if (!main || !running || running === want) return false;
  const u = unwatched(main.api.channels());
  const live = [...u.closing, ...u.guarded];
  const n = live.length;
  nodeHost.log(`the network setting changed to ${want}, not by Switch Network: the node keeps running on ${running}${n ? ` (it guards ${n} channel(s))` : ''}`, 'warn');
  const why = n
    ? `it guards ${n} channel${n === 1 ? '' : 's'} with money in ${n === 1 ? 'it' : 'them'} (${live.map((c) => c.contract).join(', ')}). Switch to ${want} moves the node there (it asks first)`
    : `only Switch Network in this window moves it (the setting is shared by every window). Switch to ${want} moves the node there`;
  void prompts
    .notify(n ? 'warning' : 'info', `SynChannel: the network setting changed to ${want}, but this window's node stays on ${running}: ${why}; or set synchannel.network back to ${running}.`, `Switch to ${want}`)
    .then((pick) => pick && void vscode.commands.executeCommand('synchannel.switchNetwork', want));
  return true;
}

/**
 * The network setting changed. This window's own Switch Network moves the node (once: a later change to the same
 * network is not the switch's). Any other change finds a node still starting as one running: it starts on the
 * network it started on, then is kept there as a running node is (keepsNode), never moved without the question.
 */
async function networkChanged(nodeHost: NodeHost, prompts: Prompts, commands: Commands): Promise<void> {
  const want = nodeHost.network;
  const own = nodeHost.ownNetworkWrite === want;
  nodeHost.ownNetworkWrite = null;
  if (!own && nodeHost.starting) {
    nodeHost.log(`the network setting changed to ${want} while the node starts: it is judged once the node has started`);
    await nodeHost.startSettled();
  }
  if (!own && keepsNode(nodeHost, prompts)) return;
  await nodeHost.restartForNetwork().catch((err: unknown) => (own ? nodeHost.log(`network switch: ${String(err)}`, 'error') : commands.report('switchNetwork', err)));
}

/**
 * Settings the running node was built with: the network switches at once, the rest after a restart. A start that
 * fails is shown (this window's own Switch Network shows its own).
 */
function onSettingsChanged(nodeHost: NodeHost, prompts: Prompts, commands: Commands): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('synchannel.network')) {
      void networkChanged(nodeHost, prompts, commands);
    } else if (
      ['devnetUrl', 'testnetEndpoint', 'testnetRequestsPerSecond', 'dataDir', 'autoPassTurn', 'challengePeriod', 'minChallengePeriod', 'minFreeMiB', 'announce'].some((k) => e.affectsConfiguration(`synchannel.${k}`)) &&
      nodeHost.mainNode
    ) {
      void prompts.notify('info', 'SynChannel: the new setting applies when the node restarts.', 'Restart the Node').then((pick) => (pick ? restartForSettings(nodeHost, prompts, commands) : undefined));
    }
  });
}

/**
 * "Restart the Node" after a setting changed. A new data folder leaves the running node's channels behind: asked
 * first (what they need, as for Stop), and said after the switch while the old folder holds channels with money.
 */
async function restartForSettings(nodeHost: NodeHost, prompts: Prompts, commands: Commands): Promise<void> {
  const main = nodeHost.mainNode;
  const network = nodeHost.runningNetwork;
  const oldDir = nodeHost.runningDataDir;
  const newDir = network ? nodeHost.dataDir(network) : null;
  const moving = !!main && !!oldDir && oldDir !== newDir;
  if (moving) {
    const w = stopWarning(main.api.channels(), `Restart the node on ${newDir} (nothing watches ${oldDir} then)`, Date.now(), Date.now(), main.api.brokenChannels());
    if (w && (await prompts.confirm(w.message, w.detail, 'Restart the Node')) !== 'Restart the Node') {
      nodeHost.log(`restart on the new data folder: cancelled, the node keeps running on ${oldDir}`);
      return;
    }
  }
  await nodeHost.stopNode();
  // on the network it ran on: the setting, changed by another window, may name another (only Switch Network moves it)
  await nodeHost.ensureNode(network ? { network } : {}).catch((err: unknown) => commands.report('startNode', err));
  if (!moving || !oldDir) return;
  const left = await moneyIn(oldDir);
  if (!left) return;
  const one = left === 1;
  void prompts
    .notify(
      'warning',
      `SynChannel: ${oldDir} still holds ${left} channel${one ? '' : 's'} with money in ${one ? 'it' : 'them'}, and nothing watches ${one ? 'it' : 'them'} now: a stale close by your partner is not challenged. Set synchannel.dataDir back to watch ${one ? 'it' : 'them'}, or run a node on that folder (synchannel --data ${oldDir}).`,
      'Open Settings',
    )
    .then((pick) => pick && void vscode.commands.executeCommand('workbench.action.openSettings', 'synchannel.dataDir'));
}

/** The API activate() returns (with the test hooks in test mode only). */
function publicApi(p: Parts): SynChannelApi {
  const { nodeHost, tree, balances, status, commands, testMode } = p;
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
      restoredCount: () => balances.restoredCount,
      refresh: () => balances.push(),
    },
    status: () => {
      const s = status.update();
      return {
        network: nodeHost.network,
        runningNetwork: nodeHost.runningNetwork,
        node: nodeHost.status,
        text: s.text,
        tooltip: s.tooltip,
        badge: s.awaiting,
        dataDir: nodeHost.dataDir(nodeHost.runningNetwork ?? nodeHost.network),
      };
    },
    lastFailure: () => commands.lastFailure,
    demoSteps: () => {
      const d = nodeHost.demos.session;
      return d ? d.steps.map((s) => ({ id: s.id, title: s.title, done: d.done(s.id) })) : [];
    },
    ...(testMode ? { test: testApi(p) } : {}),
  };
}

/** Stops the node(s) cleanly: VS Code awaits the returned promise. */
export async function deactivate(): Promise<void> {
  const h = host;
  host = null;
  if (h) await h.dispose();
}
