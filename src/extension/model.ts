// One consistent picture of every hosted node for the views (tree, status bar, badge): each rebuild reads every
// channel's view and the last steps of its history (the node's history(), sized to that very view), then
// publishes them together. A view never mixes two reads: a channel row and its step rows always come from one
// rebuild (under load the tree showed a channel's old balance above its newer steps).
import * as vscode from 'vscode';
import type { BrokenChannelView, ChannelView, NetworkKind, PartnerView, ServeResult, StateView } from '../node/types.js';
import type { NodeHost } from './host.js';
import type { HostedNode } from './hosted.js';
import { errorMessage } from './util.js';
import { settling } from './words.js';

export interface StepEntry {
  state: StateView;
  /** the state before it (null for step 0, or when unknown) */
  previous: StateView | null;
}

export interface ChannelEntry {
  view: ChannelView;
  /** the last committed states, newest first */
  steps: StepEntry[];
  /** committed states older than the ones in steps */
  earlier: bigint;
}

export interface NodeEntry {
  node: HostedNode;
  account: string;
  network: NetworkKind;
  served: ServeResult | null;
  partners: PartnerView[];
  channels: ChannelEntry[];
  /** the channels the node could not load (they may hold money): shown with their code and next step */
  broken: BrokenChannelView[];
}

export interface Model {
  nodes: NodeEntry[];
  /** increases with every rebuild */
  version: number;
}

/** How many steps a channel shows at first, and how many more each "show earlier" adds. */
export const STEPS_PAGE = 10n;
/** How often a closing channel's countdown is read again. */
export const CLOSING_REFRESH_MS = 20_000;

export const channelKey = (party: string, channel: string) => `${party}:${channel}`;

export class ModelBuilder implements vscode.Disposable {
  private model: Model = { nodes: [], version: 0 };
  /** while a channel is closing: its countdown is read again every CLOSING_REFRESH_MS (node events may not come) */
  private tick: ReturnType<typeof setInterval> | null = null;
  private readonly shown = new Map<string, bigint>();
  private readonly emitter = new vscode.EventEmitter<Model>();
  /** Fires after each rebuild with the new picture. */
  readonly onDidUpdate = this.emitter.event;
  private running: Promise<void> | null = null;
  private again = false;
  private readonly sub: vscode.Disposable;

  constructor(private readonly host: NodeHost) {
    this.sub = host.onDidChange(() => void this.rebuild());
  }

  get current(): Model {
    return this.model;
  }

  /** Shows STEPS_PAGE more steps of a channel. */
  showEarlier(party: string, channel: string): Promise<void> {
    const key = channelKey(party, channel);
    this.shown.set(key, (this.shown.get(key) ?? STEPS_PAGE) + STEPS_PAGE);
    return this.rebuild();
  }

  /** Rebuilds now; calls during a rebuild run one more rebuild after it. Resolves when the picture is current. */
  rebuild(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let tries = 0;
      do {
        this.again = false;
        const nodes: NodeEntry[] = [];
        for (const node of this.host.nodes()) nodes.push(await this.read(node));
        if (nodes.some((n) => n.channels.some((c) => settling(c.view))) && tries++ < 40) {
          this.again = true;
          await new Promise((r) => setTimeout(r, 25));
          continue;
        }
        this.model = { nodes, version: this.model.version + 1 };
        this.countdown(nodes);
        this.emitter.fire(this.model);
      } while (this.again);
    })().finally(() => (this.running = null));
    return this.running;
  }

  /** Keeps a timer that rebuilds the picture while a channel is closing, and none otherwise. */
  private countdown(nodes: NodeEntry[]): void {
    const closing = nodes.some((n) => n.channels.some((c) => c.view.phase === 'closing'));
    if (closing && !this.tick) this.tick = setInterval(() => void this.rebuild(), CLOSING_REFRESH_MS);
    if (!closing && this.tick) {
      clearInterval(this.tick);
      this.tick = null;
    }
  }

  /** Whether the picture is read again on a timer (a channel is closing). */
  get counting(): boolean {
    return this.tick !== null;
  }

  private async read(node: HostedNode): Promise<NodeEntry> {
    const api = node.api;
    const channels: ChannelEntry[] = [];
    for (const view of api.channels()) channels.push(await this.channel(node, view));
    return { node, account: api.getAccount(), network: api.network, served: node.served, partners: api.partners(), channels, broken: api.brokenChannels() };
  }

  private async channel(node: HostedNode, view: ChannelView): Promise<ChannelEntry> {
    const count = view.count;
    const want = this.shown.get(channelKey(node.id, view.id)) ?? STEPS_PAGE;
    const from = count > want ? count - want : 0n;
    let states: StateView[] = [];
    try {
      // one more than shown: the step before the first shown tells what that step changed
      states = await node.api.history(view.id, from > 0n ? from - 1n : 0n, count);
    } catch (e) {
      this.host.log(`reading the steps of ${view.id}: ${errorMessage(e)}`, 'warn');
    }
    const steps: StepEntry[] = [];
    for (let i = states.length - 1; i >= 0; i--) {
      const s = states[i]!;
      if (s.step < from) break;
      steps.push({ state: s, previous: i > 0 ? states[i - 1]! : null });
    }
    return { view, steps, earlier: from };
  }

  dispose(): void {
    if (this.tick) clearInterval(this.tick);
    this.tick = null;
    this.sub.dispose();
    this.emitter.dispose();
  }
}
