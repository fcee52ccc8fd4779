// Every SynChannel command, registered from one table built by the command groups (channel, setup, demo,
// devnet, lifecycle). Each resolves its target node and channel, asks for missing inputs (prompts.ts), shows progress
// with cancellation on chain waits, and answers clearly when it cannot act; failures are shown by errors.ts.
//
// Argument convention (palette: none; tree: the element; tests/links: explicit):
//   synchannel.<cmd>(target?, ...inputs)   target = a tree element or { party?: 'me'|'alice'|'bob', channel?: string }
import * as vscode from 'vscode';
import type { Action, ChannelView, NetworkKind } from '../node/types.js';
import { Acting } from './acting.js';
import { levelOf, type ErrorCode } from '../core/errors.js';
import type { BalancesPanel } from './balancesPanel.js';
import { channelCommands } from './channelCommands.js';
import { demoCommands } from './demoCommands.js';
import { showFailure, type FailureContext, type ShownFailure } from './errors.js';
import { channelsFor, failureLevel, keyTarget } from './guards.js';
import type { NodeHost } from './host.js';
import type { HostedNode } from './hosted.js';
import { lifecycleCommands } from './lifecycleCommands.js';
import type { ModelBuilder } from './model.js';
import type { PickItem, Prompts } from './prompts.js';
import { RecentFailures } from './sameCause.js';
import { setupCommands } from './setupCommands.js';
import { devnetCommands } from './devnetCommands.js';
import type { UnderWay } from './underWay.js';
import type { ChannelTreeProvider, TreeElement } from './tree.js';
import { TypedAmounts, isTarget, requireAction, targetChannel, targetParty, type TargetArg } from './ui.js';
import { awayFrom, otherNetworkWords } from './targets.js';
import { ExtensionError, errorCode, errorMessage, shortAddress } from './util.js';
import { channelDescription, partnerName } from './words.js';

const showLog = () => void vscode.commands.executeCommand('synchannel.showLog');

export const EXTENSION_ID = 'synchannel.synchannel';
export const WALKTHROUGH_ID = `${EXTENSION_ID}#synchannel.teachingDemo`;

/** The commands contributed in package.json (the in-host test checks each is registered). */
export const COMMAND_NAMES = [
  'serve', 'connect', 'deposit', 'send', 'sign', 'balanceContract', 'balanceChan', 'balanceTon', 'getAccount',
  'getPartnerAccount', 'getSmartContractAccount', 'getSeqno', 'createEmpty', 'requestEmpty', 'showAll', 'showLast',
  'withdraw', 'withdrawStep', 'openBalances', 'switchNetwork', 'createKey', 'importMnemonic', 'importKeyFolder',
  'showKeyWords', 'setTestnetApiKey', 'startDevnet', 'stopDevnet', 'openTeachingDemo', 'demoStep', 'demoReplay', 'stopTeachingDemo',
  'startNode', 'stopNode', 'copyMultiaddr', 'copyAddress', 'openInExplorer', 'refresh', 'showEarlier', 'showLog', 'open',
  'refund', 'decline', 'faucet', 'leave', 'challenge', 'finish', 'channels', 'export', 'import', 'help', 'exit',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Commands that move the user's wallet: the balances panel reads the wallets again after them. */
const MOVES_WALLET: readonly string[] = ['faucet', 'deposit', 'refund', 'withdraw', 'withdrawStep', 'leave', 'challenge', 'finish'];
export type Handler = (...args: unknown[]) => Promise<unknown>;

export type { TargetArg } from './ui.js';

export interface CommandFailure {
  command: string;
  code: string;
  message: string;
  shown: ShownFailure | null;
}

export interface CommandDeps {
  host: NodeHost;
  prompts: Prompts;
  model: ModelBuilder;
  tree: ChannelTreeProvider;
  treeView: vscode.TreeView<TreeElement>;
  balances: BalancesPanel;
  /** notes the long commands while they run (a window reload cuts them short); default: none noted */
  underWay?: UnderWay;
}

/** What every command group gets: the extension's parts and the target helpers. */
export interface CommandContext extends CommandDeps {
  nodeFor(t: unknown, start: boolean): Promise<HostedNode>;
  channelFor(node: HostedNode, t: unknown): ChannelView;
  /**
   * The channel a command that does `action` acts on: its target's; without one, the one channel that allows it
   * or refuses it with one of `waitable` (the node waits for it to pass), a choice when several do, else the
   * current channel's reason (thrown).
   */
  channelForAction(node: HostedNode, t: unknown, action: Action, waitable?: readonly string[]): Promise<ChannelView>;
  /** an information message ("SynChannel: " + message) with buttons */
  info(message: string, ...buttons: string[]): Promise<string | undefined>;
  /** the inputs after the target: the palette passes none, links and tests may pass inputs without a target */
  inputs(t: unknown, rest: unknown[]): unknown[];
  /** amounts (and a Connect's address) typed into a command that failed, offered again */
  readonly amounts: TypedAmounts;
  /** the channels of the user's node a person's Challenge runs on: the node's events of its outcome are not toasted too */
  readonly challenging: Set<string>;
}

/** The channel a command acts on, noted as it runs (found or picked): Run Again reruns it there. */
interface Acted {
  resolved?: { party: HostedNode['id']; channel: string };
  /** the network of the user's node it acts on (a network switch may stop that node under it) */
  ranOn?: NetworkKind;
  /** notes that network (and a demo party) with the command under way (a window reopened on another network says it) */
  noteNetwork?: (network: NetworkKind, demo?: string) => void;
}

export class Commands implements CommandContext {
  private failures: CommandFailure[] = [];
  /** the failures shown lately, the node's own included: one cause, one toast */
  private readonly recent = new RecentFailures();
  readonly host: NodeHost;
  readonly prompts: Prompts;
  readonly model: ModelBuilder;
  readonly tree: ChannelTreeProvider;
  readonly treeView: vscode.TreeView<TreeElement>;
  readonly balances: BalancesPanel;
  readonly amounts = new TypedAmounts();
  readonly challenging = new Set<string>();
  /** what the running command acts on (each run its own: commands run side by side) */
  private readonly acting = new Acting<Acted>();
  private readonly noted: Pick<UnderWay, 'run'>;

  constructor(d: CommandDeps) {
    ({ host: this.host, prompts: this.prompts, model: this.model, tree: this.tree, treeView: this.treeView, balances: this.balances } = d);
    this.noted = d.underWay ?? { run: (_name, fn) => fn(() => undefined) };
  }

  get lastFailure(): CommandFailure | null {
    return this.failures.at(-1) ?? null;
  }

  register(context: vscode.ExtensionContext): void {
    const table = { ...channelCommands(this), ...setupCommands(this), ...devnetCommands(this), ...demoCommands(this), ...lifecycleCommands(this) } as Record<CommandName, Handler>;
    for (const name of COMMAND_NAMES) {
      const handler = table[name];
      if (!handler) throw new Error(`no handler for synchannel.${name}`);
      context.subscriptions.push(vscode.commands.registerCommand(`synchannel.${name}`, (...args: unknown[]) => this.run(name, handler, args)));
    }
  }

  private async run(name: string, handler: Handler, args: unknown[]): Promise<unknown> {
    // A key binding (not the palette) makes Send and Sign act on the row selected in the SynChannel view.
    args = keyTarget(name, args, this.treeView.selection[0]);
    const acted: Acted = {};
    try {
      const result = await this.acting.run(acted, () => this.noted.run(name, (on) => ((acted.noteNetwork = on), handler(...args))));
      if (MOVES_WALLET.includes(name)) this.balances.invalidateWallets();
      this.host.fireChanged();
      return result;
    } catch (e) {
      await this.report(name, e, args, acted);
      return undefined;
    }
  }

  /** Notes the channel the running command acts on (found or picked): Run Again acts on it without asking again. */
  private acts(node: HostedNode, ch: ChannelView): ChannelView {
    const run = this.acting.current();
    if (run && !run.resolved) run.resolved = { party: node.id, channel: ch.id };
    return ch;
  }

  /**
   * Shows a failure with its next step (and, while a failed start leaves channels with money unwatched, says so);
   * also for what the extension does by itself (the start-up, a restart after a setting changed). `args`: what the
   * command ran with (its target first), for a step on the same channel and for Run Again; `resolved`: the channel
   * it acted on, and the network of the user's node it ran on.
   */
  async report(name: string, e: unknown, args: readonly unknown[] = [], acted: Acted = {}): Promise<void> {
    const { resolved, ranOn } = acted;
    const targetArg = args[0];
    const code = errorCode(e);
    const message = errorMessage(e);
    const sent = code === 'CANCELLED' && failureLevel('cancelled', e) === 'warning';
    this.host.log(code === 'CANCELLED' ? `${name}: cancelled${sent ? `, after something was sent: ${message}` : ''}` : `${name} failed [${code}]: ${message}`, levelOf(code) === 'error' ? 'error' : sent ? 'warn' : 'info');
    const target = isTarget(targetArg) ? targetArg : undefined;
    const can = this.actionsOf(target);
    const failed = { command: name, args, ...(resolved ? { resolved } : {}) };
    const shown = showFailure(this.prompts, code, message, { ...(await this.failureContext()), target, can, failed, offerLog: name === 'startNode', ...(ranOn ? { ranOn } : {}) }, showLog, e);
    if (shown?.repeat) this.host.log(`${name}: not shown again (the same cause was shown just before)`);
    this.failures.push({ command: name, code, message, shown });
    if (this.failures.length > 50) this.failures.shift();
  }

  /** An error the user's node raised by itself, shown as a failed command is: its words and next steps. */
  async showNodeError(code: ErrorCode, message: string): Promise<void> {
    const shown = showFailure(this.prompts, code, message, await this.failureContext(), showLog);
    if (shown?.repeat) this.host.log(`[${code}] not shown again (the same cause was shown just before)`);
  }

  /** What a failure's words and next steps depend on: the network, its endpoint and API key, channels left unwatched. */
  private async failureContext(): Promise<FailureContext> {
    const network = this.host.runningNetwork ?? this.host.network;
    const cfg = vscode.workspace.getConfiguration('synchannel');
    // the endpoint the running node uses; else the one its next start would use
    const endpoint = this.host.runningEndpoint ?? (network === 'testnet' ? cfg.get<string>('testnetEndpoint', '') : (this.host.devnets.current?.url ?? cfg.get<string>('devnetUrl', '')));
    const apiKeySet = network === 'testnet' ? !!(await this.host.keys.apiKey()) : false;
    const also = this.host.unwatchedWords() ?? undefined;
    return { network, apiKeySet, endpoint, recent: this.recent, ...(also ? { also } : {}) };
  }

  /** What the node allows now on the channel a failed command acted on (its target's, or the node's current one). */
  private actionsOf(target: TreeElement | TargetArg | undefined): ((a: Action) => boolean) | undefined {
    const node = target ? this.host.node(targetParty(target)) : this.host.mainNode;
    const ch = node ? this.host.channel(node, targetChannel(target)) : null;
    return ch ? (a) => ch.actions[a].ok : undefined;
  }

  info(message: string, ...buttons: string[]): Promise<string | undefined> {
    return this.prompts.notify('info', `SynChannel: ${message}`, ...buttons);
  }

  inputs(t: unknown, rest: unknown[]): unknown[] {
    return isTarget(t) ? rest : [t, ...rest];
  }

  /** The node a command acts on. `start`: create the user's node on first use. */
  async nodeFor(t: unknown, start: boolean): Promise<HostedNode> {
    const node = await this.findNode(t, start);
    const run = this.acting.current();
    if (run && node.id === 'me') {
      run.ranOn ??= node.api.network;
      run.noteNetwork?.(run.ranOn);
    } else if (run) run.noteNetwork?.(node.api.network, node.label); // a demo party's: not the user's node (no ranOn)
    return node;
  }

  private async findNode(t: unknown, start: boolean): Promise<HostedNode> {
    const host = this.host;
    if (isTarget(t)) {
      // a toast's button of the user's node on another network (the window switched since): not this node's channel
      const away = awayFrom(t, host.runningNetwork ?? host.network);
      if (away) {
        const run = this.acting.current();
        if (run) run.ranOn = away;
        throw new ExtensionError('OTHER_NETWORK', otherNetworkWords(away, host.runningNetwork ?? host.network, !!host.runningNetwork));
      }
      const party = targetParty(t);
      const n = host.node(party);
      if (n) return n;
      if (party === 'me' && start) return host.ensureNode();
      throw new ExtensionError(
        party === 'me' ? 'NODE_NOT_RUNNING' : 'NO_DEMO',
        party === 'me' ? 'the node is not running: start it, or Serve / Connect (which start it)' : 'the teaching demo is not running: open it first',
      );
    }
    const demo = host.demos.session;
    const own = host.mainNode;
    // While the demo runs every command asks: Alice, Bob, or the user's own node (running, with its real channels,
    // or, when the command may start it, started only when picked): a demo command never reaches it unasked.
    if (demo) {
      const parties: PickItem<HostedNode | 'me'>[] = [demo.alice, demo.bob].map((n) => ({ label: n.label, description: shortAddress(n.api.getAccount()), value: n }));
      if (own) parties.push({ label: 'My own node', description: `your node on ${host.runningNetwork ?? host.network}, with your real channels`, value: own });
      else if (start) parties.push({ label: 'My own node', description: `starts your node on ${host.network}`, value: 'me' });
      const either = own || start;
      const who = await this.prompts.pick(parties, { title: either ? 'SynChannel: act as which party of the teaching demo, or your own node?' : 'SynChannel: act as which party of the teaching demo?' });
      return who === 'me' ? host.ensureNode() : who;
    }
    if (own) return own;
    if (start) return host.ensureNode();
    throw new ExtensionError('NODE_NOT_RUNNING', 'the node is not running: start it, or Serve / Connect (which start it)');
  }

  async channelForAction(node: HostedNode, t: unknown, action: Action, waitable: readonly string[] = []): Promise<ChannelView> {
    if (!(isTarget(t) && targetChannel(t))) {
      const choice = channelsFor(node.api.channels(), action, waitable);
      if (choice.kind === 'one') return this.acts(node, choice.ch);
      if (choice.kind === 'many') {
        const hosted = this.host.nodes().map((n) => ({ label: n.label, account: n.api.getAccount() }));
        const picked = await this.prompts.pick(
          choice.list.map((ch) => ({ label: partnerName(ch, hosted), description: channelDescription(ch), detail: ch.contract, value: ch })),
          { title: `SynChannel: ${action} in which channel? (${choice.list.length} allow it)` },
        );
        return this.acts(node, picked);
      }
    }
    const ch = this.channelFor(node, t);
    const can = ch.actions[action];
    if (!can.ok && waitable.includes(can.code)) return ch;
    requireAction(ch, action);
    return ch;
  }

  channelFor(node: HostedNode, t: unknown): ChannelView {
    const id = isTarget(t) ? targetChannel(t) : undefined;
    const ch = this.host.channel(node, id);
    if (ch) return this.acts(node, ch);
    if (id) throw new ExtensionError('UNKNOWN_CHANNEL', `no channel ${id} on ${node.label === 'you' ? 'your' : `${node.label}'s`} node: pick one in the SynChannel view`);
    if (node.api.partners().length === 0) throw new ExtensionError('NO_PARTNER', 'no channel yet, and no partner: Serve on one side, Connect on the other');
    throw new ExtensionError('NO_CHANNEL', 'no channel yet: open one with your partner');
  }
}
