// Hosts the ChannelNode(s) in the extension host: the user's node (one per network, created on first use, or at
// start-up when its data folder holds channels to watch) and, while the teaching demo runs, Alice and Bob.
// Everything else in the extension reads through this object. Its parts: userNode.ts (the user's node's start, stop
// and status), autoStart.ts (its starts at start-up, on a network switch, when a held folder is free),
// hostEvents.ts (the debounced change and the nodes' events), demoHost.ts, devnetHolder.ts, hostLog.ts.
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { ChannelView, NetworkKind, ServeResult } from '../node/types.js';
import { DemoRunner } from './demoHost.js';
import { DevnetHolder } from './devnetHolder.js';
import { KeyStore } from './keys.js';
import { dataDirOf, dataDirProblem } from './nodeConfig.js';
import type { NoticeLevel } from './prompts.js';
import { HostLog, type LogLevel } from './hostLog.js';
import { HostEvents } from './hostEvents.js';
import type { HostedNode, NodeStatus, PartyId } from './hosted.js';
import { NodeEventRelay } from './nodeEvents.js';
import type { StartUpResult } from './startUp.js';
import { AutoStart } from './autoStart.js';
import { notWatchedWords, type Unwatched } from './unwatched.js';
import { UserNode, type UserNodeHooks } from './userNode.js';
import type { Redactor } from './util.js';
import { isNetwork } from '../core/networks.js';

export class NodeHost implements vscode.Disposable {
  /** the network this window's own Switch Network wrote last (a change to it is not another window's) */
  ownNetworkWrite: NetworkKind | null = null;
  readonly keys: KeyStore;
  private readonly logs: HostLog;

  private readonly events = new HostEvents();
  /** Fires (debounced) when anything a view shows may have changed. */
  readonly onDidChange = this.events.onDidChange;
  readonly onNodeEvent = this.events.onNodeEvent;

  private readonly hooks: UserNodeHooks = {
    network: () => this.network,
    dataDir: (n) => this.dataDir(n),
    dataDirProblem: () => this.dataDirProblem(),
    keys: () => this.keys,
    devnetUrl: () => this.devnets.current?.url ?? null,
    attach: (n) => this.relay.attach(n),
    detach: (n) => this.relay.detach(n),
    log: (line, level) => this.log(line, level),
    tell: (level, message, ...buttons) => this.tell(level, message, ...buttons),
    statusSet: (s) => {
      this.auto.statusSet(s);
      this.fireChanged();
    },
    changed: () => this.fireChanged(),
  };
  /** the user's node: its start, stop and status (userNode.ts) */
  private readonly user = new UserNode(this.hooks);
  /** its starts at start-up, on a network switch, when a held folder is free (autoStart.ts) */
  private readonly auto = new AutoStart(this.user, this.hooks);

  constructor(
    private readonly ctx: vscode.ExtensionContext,
    out: vscode.LogOutputChannel,
  ) {
    this.logs = new HostLog(out, ctx.extensionMode === vscode.ExtensionMode.Test);
    this.keys = new KeyStore(ctx, this.logs.redactor, (l) => this.log(l));
  }

  get redactor(): Redactor {
    return this.logs.redactor;
  }

  // ---- configuration ------------------------------------------------------------------------------------------

  get network(): NetworkKind {
    const n = vscode.workspace.getConfiguration('synchannel').get<string>('network', 'sandbox');
    return isNetwork(n) ? n : 'sandbox';
  }
  get status(): NodeStatus {
    return this.user.status;
  }
  get lastError(): { code: string; message: string } | null {
    return this.user.lastError;
  }
  get runningNetwork(): NetworkKind | null {
    return this.user.runningNetwork;
  }
  /** The data folder the user's node runs on, or null. */
  get runningDataDir(): string | null {
    return this.user.runningDataDir;
  }
  /** The chain endpoint the user's node runs on (a devnet URL, the testnet endpoint), or null. */
  get runningEndpoint(): string | null {
    return this.user.runningEndpoint;
  }
  /** After a failed start: the channels with money its folder holds, which nothing watches now (null: none). */
  get unwatchedMoney(): Unwatched | null {
    return this.user.unwatchedMoney;
  }
  /** Channels with money in the folders of the other networks, which this window's node does not watch. */
  get elsewhere(): readonly Unwatched[] {
    return this.user.elsewhere;
  }

  /** The failed start's channels with money in words, or null. */
  unwatchedWords(): string | null {
    const u = this.unwatchedMoney;
    return u && notWatchedWords(u);
  }

  /** A data dir per network (channels of each network are kept apart). */
  dataDir(network: NetworkKind): string {
    return dataDirOf(network, this.ctx.globalStorageUri.fsPath);
  }

  dataDirProblem(): string | null {
    return dataDirProblem();
  }

  // ---- logging --------------------------------------------------------------------------------------------------

  log(line: string, level: LogLevel = 'info'): void {
    this.logs.log(line, level);
  }

  /** The last lines of the log (tests check what it says, and that it says it once). */
  recentLog(): string[] {
    return this.logs.recentLog();
  }

  showLog(): void {
    this.logs.show();
  }

  // ---- the user's node ------------------------------------------------------------------------------------------

  /** The running node of the user, or null (never starts one). */
  get mainNode(): HostedNode | null {
    return this.user.node;
  }

  /** Every hosted node: the user's and the demo's. */
  nodes(): HostedNode[] {
    const list: HostedNode[] = [];
    if (this.user.node) list.push(this.user.node);
    const demo = this.demos.session;
    if (demo) list.push(demo.alice, demo.bob);
    return list;
  }

  node(id: PartyId): HostedNode | null {
    return this.nodes().find((n) => n.id === id) ?? null;
  }

  /** The user's node, created on first use (with progress: the first start loads the chain code); `network`: a restart's. */
  ensureNode(opts: { why?: string; network?: NetworkKind } = {}): Promise<HostedNode> {
    return this.user.ensure(opts);
  }

  /** The error of the last failed start (what an automatic start reports). */
  get startError(): unknown {
    return this.user.startError;
  }

  /**
   * At start-up: when this network's data folder holds channels with money in a contract, start the node so its
   * watcher guards them; B's acceptances waiting for a deployment are said instead. Returns what it did.
   */
  startIfLive(): Promise<StartUpResult> {
    return this.auto.startIfLive();
  }

  /** A start of the user's node is under way (also before its status says so: a stop it waits for ends first). */
  get starting(): boolean {
    return !!this.user.starting;
  }

  /** Test mode: the next start of the user's node stays 'starting' until the function returned is called. */
  holdStart(): () => void {
    return this.user.holdStart();
  }

  /** Waits for a start under way, if any (what the node guards is known once it runs). */
  startSettled(): Promise<void> {
    return this.user.startSettled();
  }

  /** Stops the user's node (channels stay on disk). */
  stopNode(opts: { keepWanted?: boolean } = {}): Promise<void> {
    return this.user.stop(opts);
  }

  /**
   * Network switch: when the user's node runs (or was meant to run: its last start failed), it restarts on the
   * network now set; calls are serialized, and each one reports its own start failure.
   */
  restartForNetwork(): Promise<void> {
    return this.auto.restartForNetwork();
  }

  /** Resolves once no network switch, start or stop of the user's node is under way (what a test starts from). */
  quiet(): Promise<void> {
    return this.auto.quiet();
  }

  async setServed(node: HostedNode, served: ServeResult): Promise<void> {
    node.served = served;
    this.fireChanged();
  }

  /** Shows a notice (set by activate: the prompts, which tests read). */
  tell: (level: NoticeLevel, message: string, ...buttons: string[]) => Promise<string | undefined> = () => Promise.resolve(undefined);

  // ---- devnet ---------------------------------------------------------------------------------------------------

  /** The local devnet this window serves (Start Devnet): `current`, `start(port)`, `stop()`. */
  readonly devnets = new DevnetHolder(() => this.ctx.globalStorageUri.fsPath, (l) => this.log(l), () => this.fireChanged());

  // ---- the teaching demo (demoHost.ts DemoRunner) ---------------------------------------------------------------

  /** Alice and Bob of the teaching demo: its session, its start (a second caller gets the start under way), its steps. */
  readonly demos = new DemoRunner({
    attach: (n) => this.relay.attach(n),
    detach: (n) => this.relay.detach(n),
    changed: () => this.fireChanged(),
    log: (line, level) => this.log(line, level),
    dataDir: () => join(this.ctx.globalStorageUri.fsPath, 'demo', `${Date.now()}-${Math.random().toString(16).slice(2, 8)}`),
    root: () => join(this.ctx.globalStorageUri.fsPath, 'demo'),
  });

  // ---- events (nodeEvents.ts) ----------------------------------------------------------------------------------

  private readonly relay = new NodeEventRelay({
    log: (line, level) => this.log(line, level),
    journal: (node, event) => this.demos.session?.journal.add(node.label, event),
    fire: (e) => this.events.fireNodeEvent(e),
    changed: () => this.fireChanged(),
  });

  fireChanged(): void {
    this.events.fireChanged();
  }

  /** Finds a channel by id on a hosted node (or the node's current channel). */
  channel(node: HostedNode, channelId?: string): ChannelView | null {
    if (channelId) return node.api.channels().find((c) => c.id === channelId) ?? null;
    return node.api.currentChannel();
  }

  async dispose(): Promise<void> {
    this.user.close();
    await Promise.allSettled([this.stopNode(), this.demos.stop(), this.devnets.stop()]);
    this.relay.dispose();
    this.auto.stop();
    this.events.dispose();
  }
}
