// The user's node (one at a time, on the network set): its start (created on first use, with progress: the first
// start loads the chain code), its stop, and what is said of it: its status, a failed start and the channels with
// money it leaves unwatched, and while it runs the other networks' channels with money. NodeHost (host.ts) reads
// it; autoStart.ts starts it by itself.
import * as vscode from 'vscode';
import type { NetworkKind } from '../node/types.js';
import type { KeyStore } from './keys.js';
import * as factory from './nodeFactory.js';
import { nodeConfig } from './nodeConfig.js';
import type { LogLevel } from './hostLog.js';
import type { HostedNode, NodeStatus } from './hosted.js';
import type { NoticeLevel } from './prompts.js';
import { Elsewhere, moneyIn, type Unwatched } from './unwatched.js';
import { ExtensionError, errorCode, errorMessage } from './util.js';
import { NETWORKS } from '../core/networks.js';
import { SYNCHANNEL_VERSION } from '../core/version.js';

/** What the user's node needs of the host. */
export interface UserNodeHooks {
  /** the network set now */
  network(): NetworkKind;
  dataDir(network: NetworkKind): string;
  dataDirProblem(): string | null;
  keys(): KeyStore;
  /** the URL of the devnet this window serves, or null */
  devnetUrl(): string | null;
  /** relays the node's events (nodeEvents.ts) */
  attach(node: HostedNode): void;
  detach(node: HostedNode): void;
  log(line: string, level?: LogLevel): void;
  tell(level: NoticeLevel, message: string, ...buttons: string[]): Promise<string | undefined>;
  /** the status changed (after it is set) */
  statusSet(s: NodeStatus): void;
  /** something the views show changed */
  changed(): void;
}

export class UserNode {
  private main: HostedNode | null = null;
  private mainNetwork: NetworkKind | null = null;
  /** the data folder the user's node runs on (synchannel.dataDir may have changed since) */
  private mainDir: string | null = null;
  /** the chain endpoint the user's node runs on (devnet URL, testnet endpoint; null on sandbox) */
  private mainEndpoint: string | null = null;
  private _starting: Promise<HostedNode> | null = null;
  /** the user's node being stopped: a start waits for it (its data folder stays locked until then) */
  private _stopping: Promise<void> | null = null;
  private _status: NodeStatus = 'stopped';
  private _lastError: { code: string; message: string } | null = null;
  /** what the last failed start threw (an automatic start reports it) */
  private lastStartError: unknown = null;
  /** the channels with money in the folder of a node that failed to start: nothing watches them */
  private _unwatched: Unwatched | null = null;
  /** the window is closing (dispose, from deactivate): no node starts any more */
  private disposed = false;
  /** the user asked for the node (started it) and did not stop it: a network switch restarts it */
  private wantRunning = false;
  private readonly toldSettings = new Set<string>();
  /** test mode: the next start waits here, status 'starting', until released (holdStart) */
  private held: Promise<void> | null = null;
  private readonly others = new Elsewhere(NETWORKS, (n) => moneyIn(this.h.dataDir(n)), (l) => this.h.log(l, 'warn'));

  constructor(private readonly h: UserNodeHooks) {}

  /** The running node, or null (never starts one). */
  get node(): HostedNode | null {
    return this.main;
  }
  get runningNetwork(): NetworkKind | null {
    return this.main ? this.mainNetwork : null;
  }
  get runningDataDir(): string | null {
    return this.main ? this.mainDir : null;
  }
  get runningEndpoint(): string | null {
    return this.main ? this.mainEndpoint : null;
  }
  /** A start under way, or null. */
  get starting(): Promise<HostedNode> | null {
    return this._starting;
  }
  /** A stop under way, or null. */
  get stopping(): Promise<void> | null {
    return this._stopping;
  }
  /** The node runs or starts. */
  get busy(): boolean {
    return !!(this.main || this._starting);
  }
  get status(): NodeStatus {
    return this._status;
  }
  get lastError(): { code: string; message: string } | null {
    return this._lastError;
  }
  /** The error of the last failed start. */
  get startError(): unknown {
    return this.lastStartError;
  }
  /** After a failed start: the channels with money its folder holds, which nothing watches now (null: none). */
  get unwatchedMoney(): Unwatched | null {
    return this.main ? null : this._unwatched;
  }
  /** Channels with money in the folders of the other networks, which this window's node does not watch. */
  get elsewhere(): readonly Unwatched[] {
    return this.main ? this.others.found : [];
  }
  /** The user started the node and did not stop it. */
  get wanted(): boolean {
    return this.wantRunning;
  }
  /** The window is closing: nothing starts any more. */
  get closed(): boolean {
    return this.disposed;
  }

  /** The window closes: no node starts from now on (the host stops the one that runs). */
  close(): void {
    this.disposed = true;
  }

  /**
   * Starts the node on the network set (a restart: on `network`, the one it ran on, which the setting changed by
   * another window may no longer name), or returns the one running or starting.
   */
  async ensure(opts: { why?: string; network?: NetworkKind } = {}): Promise<HostedNode> {
    if (this.main) return this.main;
    if (this._starting) return this._starting;
    if (this.disposed) throw new ExtensionError('NODE_STOPPED', 'the window is closing: the node does not start');
    const network = opts.network ?? this.h.network();
    this.wantRunning = true;
    this._starting = (async () => {
      // a stop under way releases the data folder first (its own 'stopped' comes before this 'starting'); with
      // none, still a tick: a start that fails at once must end after `this._starting` is set (its finally clears it)
      await this._stopping;
      this.setStatus('starting');
      try {
        const held = this.held;
        this.held = null;
        await held;
        const problem = this.h.dataDirProblem();
        if (problem) throw new ExtensionError('BAD_INPUT', `${problem}. The node did not start`);
        const config = await nodeConfig(network, this.h.dataDir(network), this.h.keys(), this.h.devnetUrl(), (why) => this.settingLeftOut(why));
        const title = opts.why ?? `SynChannel: starting the node on ${network}…`;
        const api = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, () => factory.createNode(config));
        const hosted: HostedNode = { id: 'me', label: 'you', api, served: api.served(), autoMode: config.autoMode ?? true };
        this.h.attach(hosted);
        this.main = hosted;
        this.mainNetwork = network;
        this.mainDir = config.dataDir;
        this.mainEndpoint = config.devnetUrl ?? config.testnetEndpoint ?? null;
        this._lastError = null;
        this._unwatched = null;
        this.setStatus('running');
        this.h.log(`node started on ${network} (data: ${config.dataDir}); account ${api.getAccount()}; SynChannel ${SYNCHANNEL_VERSION}`);
        void this.others.look(network, () => this.mainNetwork === network).then(() => this.h.changed());
        await this.h.keys().rememberAccount(network, api.getAccount());
        return hosted;
      } catch (e) {
        this.lastStartError = e;
        const count = this.h.dataDirProblem() ? 0 : await moneyIn(this.h.dataDir(network));
        this._unwatched = count ? { network, count } : null;
        this._lastError = { code: errorCode(e), message: errorMessage(e) };
        this.setStatus(errorCode(e) === 'DATA_DIR_LOCKED' ? 'locked' : 'error');
        this.h.log(`the node did not start: ${errorMessage(e)}`, 'error');
        throw e;
      } finally {
        this._starting = null;
      }
    })();
    return this._starting;
  }

  /** Test mode: the next start stays 'starting' until the function returned is called. */
  holdStart(): () => void {
    let release = () => {};
    this.held = new Promise<void>((resolve) => (release = resolve));
    return release;
  }

  /** Waits for a start under way, if any. */
  async startSettled(): Promise<void> {
    if (this._starting) await this._starting.catch(() => undefined);
  }

  /** Stops the node (channels stay on disk); `keepWanted`: a restart, which starts it again. */
  async stop(opts: { keepWanted?: boolean } = {}): Promise<void> {
    if (!opts.keepWanted) {
      this.wantRunning = false;
      // the user stops: what a failed start left unwatched is theirs to decide now (the stop asked first)
      this._unwatched = null;
    }
    if (this._starting) await this._starting.catch(() => undefined);
    const m = this.main;
    if (!m) {
      // nothing runs; a user's stop clears a failed start, a restart keeps showing it until the next start
      if (!opts.keepWanted) this.setStatus('stopped');
      return;
    }
    this.main = null;
    this.h.detach(m);
    const done = m.api.stop().catch((e: unknown) => this.h.log(`stopping the node: ${errorMessage(e)}`, 'warn'));
    this._stopping = done;
    try {
      await done;
    } finally {
      if (this._stopping === done) this._stopping = null;
    }
    this.setStatus('stopped');
    this.h.log('node stopped');
  }

  /** Another window or process holds the data folder: said, with `message`. */
  locked(message: string): void {
    this._lastError = { code: 'DATA_DIR_LOCKED', message };
    this.setStatus('locked');
  }

  /** The held folder is free: no longer said. */
  freed(): void {
    this._lastError = null;
    this.setStatus('stopped');
  }

  /** Another network is set: what was said of the old network's folder (locked, a failed start) is dropped. */
  forgetFolder(): void {
    this._lastError = null;
    this.setStatus('stopped');
    this._unwatched = null;
  }

  private setStatus(s: NodeStatus): void {
    this._status = s;
    this.h.statusSet(s);
  }

  /** A setting the node starts without: logged, and shown once per window with a way to the settings. */
  private settingLeftOut(why: string): void {
    this.h.log(why, 'warn');
    if (this.toldSettings.has(why)) return;
    this.toldSettings.add(why);
    const key = /synchannel\.\w+/.exec(why)?.[0] ?? 'synchannel';
    void this.h.tell('warning', `SynChannel: ${why}`, 'Open Settings').then((b) => b && vscode.commands.executeCommand('workbench.action.openSettings', key));
  }
}
