// Hosts the ChannelNode(s) in the extension host: the user's node (one per network, created on first use) and,
// while the teaching demo runs, Alice and Bob. Everything else in the extension reads through this object.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ChannelNodeApi, ChannelView, NetworkKind, NodeEvent, ServeResult } from '../node/types.js';
import * as factory from './nodeFactory.js';
import type { NodeConfig, TeachingDemo, DevnetServer } from './nodeFactory.js';
import { ExtensionError, Redactor, errorMessage } from './util.js';

export type PartyId = 'me' | 'alice' | 'bob';
export type NodeStatus = 'stopped' | 'starting' | 'running' | 'error';
export const NETWORKS: readonly NetworkKind[] = ['sandbox', 'devnet', 'testnet'];

export interface HostedNode {
  id: PartyId;
  /** "you", "Alice", "Bob" */
  label: string;
  api: ChannelNodeApi;
  served: ServeResult | null;
}

export interface HostedEvent {
  node: HostedNode;
  event: NodeEvent;
}

const SECRET = {
  mnemonic: (n: NetworkKind) => `synchannel.${n}.mnemonic`,
  seed: (n: NetworkKind) => `synchannel.${n}.seed`,
  apiKey: 'synchannel.testnet.apiKey',
};
const KEY_FOLDER = (n: NetworkKind) => `synchannel.${n}.keyFolder`;

export function isNetwork(v: unknown): v is NetworkKind {
  return typeof v === 'string' && (NETWORKS as readonly string[]).includes(v);
}

export class NodeHost implements vscode.Disposable {
  private main: HostedNode | null = null;
  private mainNetwork: NetworkKind | null = null;
  private starting: Promise<HostedNode> | null = null;
  private demo: { demo: TeachingDemo; alice: HostedNode; bob: HostedNode; done: Set<string> } | null = null;
  private devnet: DevnetServer | null = null;
  private _status: NodeStatus = 'stopped';
  private _lastError: string | null = null;
  /** the user asked for the node (started it) and did not stop it: a network switch restarts it */
  private wantRunning = false;
  readonly redactor = new Redactor();

  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires (debounced) when anything a view shows may have changed. */
  readonly onDidChange = this.changed.event;
  private readonly nodeEvents = new vscode.EventEmitter<HostedEvent>();
  readonly onNodeEvent = this.nodeEvents.event;
  private changeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly ctx: vscode.ExtensionContext,
    private readonly out: vscode.LogOutputChannel,
  ) {}

  // ---- configuration ------------------------------------------------------------------------------------------

  get network(): NetworkKind {
    const n = vscode.workspace.getConfiguration('synchannel').get<string>('network', 'sandbox');
    return isNetwork(n) ? n : 'sandbox';
  }
  get status(): NodeStatus {
    return this._status;
  }
  get lastError(): string | null {
    return this._lastError;
  }
  get runningNetwork(): NetworkKind | null {
    return this.main ? this.mainNetwork : null;
  }

  /** A data dir per network (channels of each network are kept apart). */
  dataDir(network: NetworkKind): string {
    const custom = vscode.workspace.getConfiguration('synchannel').get<string>('dataDir', '').trim();
    const base = custom || this.ctx.globalStorageUri.fsPath;
    return join(base, network);
  }

  // ---- logging --------------------------------------------------------------------------------------------------

  log(line: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    const text = this.redactor.redact(line);
    // In the in-host tests the log also goes to the console (the harness shows it); never outside tests.
    if (this.ctx.extensionMode === vscode.ExtensionMode.Test) console.log(`[synchannel ${level}] ${text}`);
    if (level === 'error') this.out.error(text);
    else if (level === 'warn') this.out.warn(text);
    else this.out.info(text);
  }

  showLog(): void {
    this.out.show(true);
  }

  private logFor(label: string): (line: string) => void {
    return (line) => this.log(`[${label}] ${line}`);
  }

  // ---- the user's node ------------------------------------------------------------------------------------------

  /** The running node of the user, or null (never starts one). */
  get mainNode(): HostedNode | null {
    return this.main;
  }

  /** Every hosted node: the user's and the demo's. */
  nodes(): HostedNode[] {
    const list: HostedNode[] = [];
    if (this.main) list.push(this.main);
    if (this.demo) list.push(this.demo.alice, this.demo.bob);
    return list;
  }

  node(id: PartyId): HostedNode | null {
    return this.nodes().find((n) => n.id === id) ?? null;
  }

  /** The user's node, created on first use (with progress: the first start loads the chain code). */
  async ensureNode(): Promise<HostedNode> {
    if (this.main) return this.main;
    if (this.starting) return this.starting;
    const network = this.network;
    this.wantRunning = true;
    this.starting = (async () => {
      this.setStatus('starting');
      try {
        const config = await this.nodeConfig(network);
        const api = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `SynChannel: starting the node on ${network}…` },
          () => factory.createNode(config),
        );
        const hosted: HostedNode = { id: 'me', label: 'you', api, served: null };
        this.attach(hosted);
        this.main = hosted;
        this.mainNetwork = network;
        this._lastError = null;
        this.setStatus('running');
        this.log(`node started on ${network} (data: ${config.dataDir}); account ${api.getAccount()}`);
        return hosted;
      } catch (e) {
        this._lastError = errorMessage(e);
        this.setStatus('error');
        this.log(`the node did not start: ${errorMessage(e)}`, 'error');
        throw e;
      } finally {
        this.starting = null;
      }
    })();
    return this.starting;
  }

  /** Stops the user's node (channels stay on disk). */
  async stopNode(opts: { keepWanted?: boolean } = {}): Promise<void> {
    if (!opts.keepWanted) this.wantRunning = false;
    if (this.starting) await this.starting.catch(() => undefined);
    const m = this.main;
    if (!m) {
      // nothing runs; a user's stop clears a failed start, a restart keeps showing it until the next start
      if (!opts.keepWanted) this.setStatus('stopped');
      return;
    }
    this.main = null;
    this.detach(m);
    try {
      await m.api.stop();
    } catch (e) {
      this.log(`stopping the node: ${errorMessage(e)}`, 'warn');
    }
    this.setStatus('stopped');
    this.log('node stopped');
  }

  private restartChain: Promise<void> = Promise.resolve();

  /**
   * Network switch: when the user's node runs (or was meant to run: its last start failed), it restarts on the
   * network now set; calls are serialized, and each one reports its own start failure.
   */
  restartForNetwork(): Promise<void> {
    const next = this.restartChain.then(async () => {
      if (this.starting) await this.starting.catch(() => undefined);
      if (this.main && this.mainNetwork === this.network) return;
      await this.stopNode({ keepWanted: true });
      this.fireChanged();
      if (this.wantRunning) await this.ensureNode();
    });
    this.restartChain = next.catch(() => undefined);
    return next;
  }

  async setServed(node: HostedNode, served: ServeResult): Promise<void> {
    node.served = served;
    this.fireChanged();
  }

  private async nodeConfig(network: NetworkKind): Promise<NodeConfig> {
    const cfg = vscode.workspace.getConfiguration('synchannel');
    const dataDir = this.dataDir(network);
    const config: NodeConfig = {
      network,
      dataDir,
      key: await this.keyFor(network),
      autoMode: cfg.get<boolean>('autoPassTurn', true),
      log: this.logFor('node'),
    };
    if (network === 'devnet') config.devnetUrl = this.devnet?.url ?? cfg.get<string>('devnetUrl', 'http://127.0.0.1:8081');
    if (network === 'testnet') {
      config.testnetEndpoint = cfg.get<string>('testnetEndpoint', 'https://testnet.toncenter.com/api/v2/jsonRPC');
      const apiKey = await this.ctx.secrets.get(SECRET.apiKey);
      if (apiKey) {
        this.redactor.add(apiKey);
        config.apiKey = apiKey;
      }
    }
    return config;
  }

  /** The key of this network: an imported mnemonic, a key folder, or a seed (created once for sandbox/devnet). */
  private async keyFor(network: NetworkKind): Promise<NodeConfig['key']> {
    const words = await this.ctx.secrets.get(SECRET.mnemonic(network));
    if (words) {
      const mnemonic = JSON.parse(words) as string[];
      this.redactor.add(mnemonic.join(' '));
      return { mnemonic };
    }
    const folder = this.ctx.globalState.get<string>(KEY_FOLDER(network));
    if (folder) return { keyFolder: folder };
    let seedHex = await this.ctx.secrets.get(SECRET.seed(network));
    if (!seedHex) {
      if (network === 'testnet') {
        throw new ExtensionError(
          'NO_KEY',
          'no key for testnet yet: run "SynChannel: Create Key", "Import Mnemonic" or "Import Key Folder" first, then fund the wallet',
        );
      }
      seedHex = randomBytes(32).toString('hex');
      await this.ctx.secrets.store(SECRET.seed(network), seedHex);
      this.log(`created a new ${network} key (kept in VS Code's secret storage)`);
    }
    this.redactor.add(seedHex);
    return { seed: Buffer.from(seedHex, 'hex') };
  }

  async storeMnemonic(network: NetworkKind, words: string[]): Promise<void> {
    this.redactor.add(words.join(' '));
    await this.ctx.secrets.store(SECRET.mnemonic(network), JSON.stringify(words));
    await this.ctx.globalState.update(KEY_FOLDER(network), undefined);
  }

  async storeKeyFolder(network: NetworkKind, folder: string): Promise<void> {
    await this.ctx.secrets.delete(SECRET.mnemonic(network));
    await this.ctx.globalState.update(KEY_FOLDER(network), folder);
  }

  async storeApiKey(key: string): Promise<void> {
    if (key) {
      this.redactor.add(key);
      await this.ctx.secrets.store(SECRET.apiKey, key);
    } else await this.ctx.secrets.delete(SECRET.apiKey);
  }

  // ---- devnet ---------------------------------------------------------------------------------------------------

  get devnetServer(): DevnetServer | null {
    return this.devnet;
  }

  async startDevnet(port: number): Promise<DevnetServer> {
    if (this.devnet) return this.devnet;
    this.devnet = await factory.startDevnet({ port, dataDir: join(this.ctx.globalStorageUri.fsPath, 'devnet-chain'), log: this.logFor('devnet') });
    this.log(`devnet serving at ${this.devnet.url}`);
    this.fireChanged();
    return this.devnet;
  }

  async stopDevnet(): Promise<boolean> {
    const d = this.devnet;
    if (!d) return false;
    this.devnet = null;
    await d.stop();
    this.log('devnet stopped');
    this.fireChanged();
    return true;
  }

  // ---- the teaching demo ----------------------------------------------------------------------------------------

  get teachingDemo(): TeachingDemo | null {
    return this.demo?.demo ?? null;
  }

  demoDone(id: string): boolean {
    return this.demo?.done.has(id) ?? false;
  }

  async startDemo(): Promise<TeachingDemo> {
    await this.stopDemo();
    const dataDir = join(this.ctx.globalStorageUri.fsPath, 'demo', `${Date.now()}-${randomBytes(3).toString('hex')}`);
    const demo = await factory.createTeachingDemo({ dataDir, log: this.logFor('demo') });
    const alice: HostedNode = { id: 'alice', label: 'Alice', api: demo.alice, served: null };
    const bob: HostedNode = { id: 'bob', label: 'Bob', api: demo.bob, served: null };
    this.attach(alice);
    this.attach(bob);
    this.demo = { demo, alice, bob, done: new Set() };
    this.log(`teaching demo started (data: ${dataDir})`);
    this.fireChanged();
    return demo;
  }

  async runDemoStep(id: string): Promise<string> {
    const d = this.demo;
    if (!d) throw new ExtensionError('NO_DEMO', 'the teaching demo is not running: run "SynChannel: Open Teaching Demo" first');
    const step = d.demo.steps.find((s) => s.id === id);
    if (!step) throw new ExtensionError('BAD_INPUT', `no demo step "${id}"; steps: ${d.demo.steps.map((s) => s.id).join(', ')}`);
    const result = await step.run();
    d.done.add(id);
    this.log(`[demo] ${step.title}: ${result}`);
    this.fireChanged();
    return result;
  }

  async stopDemo(): Promise<void> {
    const d = this.demo;
    if (!d) return;
    this.demo = null;
    this.detach(d.alice);
    this.detach(d.bob);
    try {
      await d.demo.stop();
    } catch (e) {
      this.log(`stopping the demo: ${errorMessage(e)}`, 'warn');
    }
    this.fireChanged();
  }

  // ---- events ---------------------------------------------------------------------------------------------------

  private readonly subs = new Map<HostedNode, () => void>();

  private attach(node: HostedNode): void {
    const off = node.api.on((event) => {
      if (event.type === 'log') {
        this.log(`[${node.label}] ${event.message}`, event.level);
        return;
      }
      if (event.type === 'served') node.served = { lan: event.lan, wan: event.wan };
      if (event.type === 'error') this.log(`[${node.label}] [${event.code}] ${event.message}`, 'error');
      this.nodeEvents.fire({ node, event });
      this.fireChanged();
    });
    this.subs.set(node, off);
  }

  private detach(node: HostedNode): void {
    this.subs.get(node)?.();
    this.subs.delete(node);
  }

  private setStatus(s: NodeStatus): void {
    this._status = s;
    this.fireChanged();
  }

  fireChanged(): void {
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = null;
      this.changed.fire();
    }, 25);
  }

  /** Finds a channel by id on a hosted node (or the node's current channel). */
  channel(node: HostedNode, channelId?: string): ChannelView | null {
    if (channelId) return node.api.channels().find((c) => c.id === channelId) ?? null;
    return node.api.currentChannel();
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([this.stopNode(), this.stopDemo(), this.stopDevnet()]);
    for (const off of this.subs.values()) off();
    this.subs.clear();
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changed.dispose();
    this.nodeEvents.dispose();
  }
}
