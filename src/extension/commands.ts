// Every SynChannel command, built from one context (rust-analyzer style): each resolves its target node/channel,
// asks for missing inputs with validated InputBox/QuickPick, shows progress with cancellation on on-chain waits,
// and answers clearly when it cannot act ("no channel yet: connect first", "the node is not running: …").
//
// Argument convention (palette: none; tree: the element; tests/links: explicit):
//   synchannel.<cmd>(target?, ...inputs)   target = a tree element or { party?: 'me'|'alice'|'bob', channel?: string }
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChannelView, NetworkKind, StateView, WithdrawOptions } from '../node/types.js';
import { levelOf } from '../core/errors.js';
import type { BalancesPanel } from './balancesPanel.js';
import { showFailure } from './errors.js';
import { LifecycleCommands, require } from './lifecycleCommands.js';
import { amountArg, askAmount, cancelled, info, isTarget, onChain, targetChannel, targetStep } from './ui.js';
import { NETWORKS, isNetwork, type HostedNode, type NodeHost } from './host.js';
import type { ChannelTreeProvider, TreeElement } from './tree.js';
import { DEMO_STEP_IDS, explorerLink, mnemonicNew, mnemonicValidate, multiaddr } from './nodeFactory.js';
import {
  ExtensionError,
  describeState,
  errorCode,
  errorMessage,
  formatTon,
  shortAddress,
  stateLine,
} from './util.js';

export const EXTENSION_ID = 'synchannel.synchannel';
export const WALKTHROUGH_ID = `${EXTENSION_ID}#synchannel.teachingDemo`;

/** The commands contributed in package.json (the in-host test checks each is registered). */
export const COMMAND_NAMES = [
  'serve',
  'connect',
  'deposit',
  'send',
  'sign',
  'balanceContract',
  'balanceChan',
  'balanceTon',
  'getAccount',
  'getPartnerAccount',
  'getSmartContractAccount',
  'getSeqno',
  'createEmpty',
  'requestEmpty',
  'showAll',
  'showLast',
  'withdraw',
  'withdrawStep',
  'openBalances',
  'switchNetwork',
  'createKey',
  'importMnemonic',
  'importKeyFolder',
  'setTestnetApiKey',
  'startDevnet',
  'stopDevnet',
  'openTeachingDemo',
  'demoStep',
  'stopTeachingDemo',
  'stopNode',
  'copyMultiaddr',
  'copyAddress',
  'openInExplorer',
  'refresh',
  'open',
  'refund',
  'decline',
  'faucet',
  'leave',
  'challenge',
  'finish',
  'channels',
  'export',
  'import',
  'help',
  'exit',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export type { TargetArg } from './ui.js';

export interface CommandFailure {
  command: string;
  code: string;
  message: string;
}

export interface CommandDeps {
  host: NodeHost;
  tree: ChannelTreeProvider;
  treeView: vscode.TreeView<TreeElement>;
  balances: BalancesPanel;
}

export async function explorerUrl(address: string): Promise<string> {
  const link = await explorerLink(address, 'testnet');
  if (!link) throw new ExtensionError('BAD_INPUT', `not a TON address: ${address}`);
  return link;
}

export class Commands {
  private failures: CommandFailure[] = [];

  private readonly more: LifecycleCommands;

  constructor(private readonly d: CommandDeps) {
    this.more = new LifecycleCommands(this, d.host);
  }

  get lastFailure(): CommandFailure | null {
    return this.failures.at(-1) ?? null;
  }

  register(context: vscode.ExtensionContext): void {
    const table: Record<CommandName, (...args: unknown[]) => Promise<unknown>> = {
      serve: (t, port, host) => this.serve(t, port, host),
      connect: (t, addr) => this.connect(t, addr),
      deposit: (t, a, b) => this.deposit(t, a, b),
      send: (t, a) => this.send(t, a),
      sign: (t) => this.sign(t),
      balanceContract: (t) => this.balanceContract(t),
      balanceChan: (t) => this.balanceChan(t),
      balanceTon: (t) => this.balanceTon(t),
      getAccount: (t) => this.getAccount(t),
      getPartnerAccount: (t) => this.getPartnerAccount(t),
      getSmartContractAccount: (t) => this.getSmartContractAccount(t),
      getSeqno: (t) => this.getSeqno(t),
      createEmpty: (t) => this.createEmpty(t),
      requestEmpty: (t) => this.requestEmpty(t),
      showAll: (t) => this.showAll(t),
      showLast: (t) => this.showLast(t),
      withdraw: (t, mode, opts) => this.withdraw(t, mode, opts),
      withdrawStep: (t, opts) => this.withdraw(t, 'auto', opts),
      openBalances: (t) => this.openBalances(t),
      switchNetwork: (n) => this.switchNetwork(n),
      createKey: (n) => this.createKey(n),
      importMnemonic: (w, n) => this.importMnemonic(w, n),
      importKeyFolder: (f, n) => this.importKeyFolder(f, n),
      setTestnetApiKey: (k) => this.setTestnetApiKey(k),
      startDevnet: (p) => this.startDevnet(p),
      stopDevnet: () => this.stopDevnet(),
      openTeachingDemo: () => this.openTeachingDemo(),
      demoStep: (id) => this.demoStep(id),
      stopTeachingDemo: () => this.stopTeachingDemo(),
      stopNode: () => this.stopNode(),
      copyMultiaddr: (t) => this.copyMultiaddr(t),
      copyAddress: (t) => this.copyAddress(t),
      openInExplorer: (t) => this.openInExplorer(t),
      refresh: async () => this.d.host.fireChanged(),
      open: (t, a, b) => this.more.open(t, a, b),
      refund: (t) => this.more.refund(t),
      decline: (t) => this.more.decline(t),
      faucet: (t, a) => this.more.faucet(t, a),
      leave: (t) => this.more.leave(t),
      challenge: (t) => this.more.challenge(t),
      finish: (t) => this.more.finish(t),
      channels: (t) => this.more.channels(t),
      export: (t, f) => this.more.exportBackup(t, f),
      import: (t, f) => this.more.importBackup(t, f),
      help: () => this.more.help(),
      exit: () => this.more.exit(),
    };
    for (const name of COMMAND_NAMES) {
      const handler = table[name];
      context.subscriptions.push(vscode.commands.registerCommand(`synchannel.${name}`, (...args: unknown[]) => this.run(name, handler, args)));
    }
  }

  private async run(name: string, handler: (...args: unknown[]) => Promise<unknown>, args: unknown[]): Promise<unknown> {
    try {
      const result = await handler(...args);
      this.d.host.fireChanged();
      return result;
    } catch (e) {
      const code = errorCode(e);
      const message = errorMessage(e);
      this.failures.push({ command: name, code, message });
      if (this.failures.length > 50) this.failures.shift();
      this.d.host.log(code === 'CANCELLED' ? `${name}: cancelled` : `${name} failed [${code}]: ${message}`, levelOf(code) === 'error' ? 'error' : 'info');
      showFailure(code, message, () => this.d.host.showLog());
      return undefined;
    }
  }

  // ---- targets --------------------------------------------------------------------------------------------------

  /** The node a command acts on. `start`: create the user's node on first use. */
  async nodeFor(t: unknown, start: boolean): Promise<HostedNode> {
    const host = this.d.host;
    if (isTarget(t)) {
      const party = 'kind' in t ? t.party : (t.party ?? 'me');
      const n = host.node(party);
      if (n) return n;
      if (party === 'me' && start) return host.ensureNode();
      throw new ExtensionError(
        party === 'me' ? 'NODE_NOT_RUNNING' : 'NO_DEMO',
        party === 'me'
          ? 'the node is not running: run "SynChannel: Serve" or "SynChannel: Connect" to start it'
          : 'the teaching demo is not running: run "SynChannel: Open Teaching Demo" first',
      );
    }
    if (host.mainNode) return host.mainNode;
    if (host.teachingDemo && !start) {
      const demoNodes = host.nodes().filter((n) => n.id !== 'me');
      const pick = await vscode.window.showQuickPick(
        demoNodes.map((n) => ({ label: n.label, description: shortAddress(n.api.getAccount()), node: n })),
        { title: 'SynChannel: act as which party of the teaching demo?', ignoreFocusOut: true },
      );
      if (!pick) throw cancelled();
      return pick.node;
    }
    if (start) return host.ensureNode();
    throw new ExtensionError('NODE_NOT_RUNNING', 'the node is not running: run "SynChannel: Serve" or "SynChannel: Connect" to start it');
  }

  channelFor(node: HostedNode, t: unknown): ChannelView {
    const id = isTarget(t) ? targetChannel(t) : undefined;
    const ch = this.d.host.channel(node, id);
    if (ch) return ch;
    if (id) throw new ExtensionError('NO_CHANNEL', `no channel ${id} on ${node.label}'s node: pick one in the SynChannel view`);
    if (node.api.partners().length === 0) throw new ExtensionError('NO_CHANNEL', 'no channel yet: connect first ("SynChannel: Serve" on one side, "SynChannel: Connect" on the other)');
    throw new ExtensionError('NO_CHANNEL', 'no channel yet: run "SynChannel: Deposit" to open one with your partner');
  }

  private inputs(t: unknown, rest: unknown[]): unknown[] {
    // The palette passes nothing; links and tests may pass inputs without a target.
    return isTarget(t) ? rest : [t, ...rest];
  }

  // ---- the original command set ----------------------------------------------------------------------------------

  async serve(t: unknown, portArg?: unknown, hostArg?: unknown) {
    const [p, h] = this.inputs(t, [portArg, hostArg]);
    const node = await this.nodeFor(t, true);
    let port: number;
    if (p === undefined || p === null || p === '') {
      const text = await vscode.window.showInputBox({
        title: 'SynChannel: Serve',
        prompt: 'Port to serve the connection on (0 = any free port)',
        value: '3000',
        ignoreFocusOut: true,
        validateInput: (v) => (/^\d{1,5}$/.test(v.trim()) && Number(v) <= 65535 ? undefined : 'a port is a whole number from 0 to 65535'),
      });
      if (text === undefined) throw cancelled();
      port = Number(text.trim());
    } else {
      port = Number(p);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ExtensionError('BAD_INPUT', `port ${String(p)}: a port is a whole number from 0 to 65535`);
    }
    const result = await node.api.serve(port, typeof h === 'string' ? h : undefined);
    await this.d.host.setServed(node, result);
    const first = result.lan[0] ?? result.wan[0];
    this.d.host.log(`serving: LAN ${result.lan.join(' ')}${result.wan.length ? ` WAN ${result.wan.join(' ')}` : ''}`);
    if (first) {
      void info(`waiting for a partner. Give them this address: ${first}`, 'Copy Address').then((pick) => {
        if (pick) void vscode.env.clipboard.writeText(first);
      });
    }
    return result;
  }

  async connect(t: unknown, addrArg?: unknown) {
    const [a] = this.inputs(t, [addrArg]);
    let addr = typeof a === 'string' ? a.trim() : '';
    const check = async (v: string): Promise<string | undefined> => {
      try {
        const m = await multiaddr(v.trim());
        return m.toString().includes('/p2p/') ? undefined : 'the address must end with /p2p/<peer id> (copy it from your partner\'s "Serve")';
      } catch (e) {
        return `not a multiaddr: ${errorMessage(e)}`;
      }
    };
    if (!addr) {
      const text = await vscode.window.showInputBox({
        title: 'SynChannel: Connect',
        prompt: "Your partner's address from their Serve",
        placeHolder: '/ip4/192.168.1.2/tcp/3000/p2p/12D3KooW…',
        ignoreFocusOut: true,
        validateInput: check,
      });
      if (text === undefined) throw cancelled();
      addr = text.trim();
    } else {
      const problem = await check(addr);
      if (problem) throw new ExtensionError('BAD_INPUT', problem);
    }
    const node = await this.nodeFor(t, true);
    const partner = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'SynChannel: connecting…' }, () => node.api.connect(addr));
    this.d.host.log(`Partner signature: ${partner.signature}`);
    this.d.host.log(`Partner address: ${partner.address}`);
    void info(`connected. Partner address: ${partner.address}`);
    return partner;
  }

  async deposit(t: unknown, aArg?: unknown, bArg?: unknown) {
    const [a, b] = this.inputs(t, [aArg, bArg]);
    const node = await this.nodeFor(t, true);
    const id = isTarget(t) ? targetChannel(t) : undefined;
    const ch = this.d.host.channel(node, id);
    if (!ch) {
      if (node.api.partners().length === 0) throw new ExtensionError('NO_PARTNER', 'no partner yet: connect first ("SynChannel: Serve" on one side, "SynChannel: Connect" on the other)');
      const balance = await node.api.balanceTon().catch(() => null);
      const mine = amountArg(a, 'your deposit') ?? (await askAmount(`Your deposit (your account balance now: ${balance === null ? '?' : formatTon(balance)} TON)`));
      const theirs = amountArg(b, "partner's deposit") ?? (await askAmount("Your partner's deposit (0 if they only receive)", { value: '0', allowZero: true }));
      return onChain('opening the channel (deploy + deposit)…', (p) => node.api.open({ ...p, myDeposit: mine, partnerDeposit: theirs }));
    }
    require(ch, 'deposit');
    const expected = ch.me === 'A' ? ch.expectedDepositA - ch.depositA : ch.expectedDepositB - ch.depositB;
    const amount = amountArg(a, 'deposit') ?? (await askAmount(`Deposit into the channel (expected: ${formatTon(expected)} TON)`, { value: formatTon(expected), allowZero: true }));
    return onChain('depositing…', (p) => node.api.deposit(amount, { ...p, channel: ch.id }));
  }

  async send(t: unknown, aArg?: unknown) {
    const [a] = this.inputs(t, [aArg]);
    const node = await this.nodeFor(t, false);
    const ch = this.channelFor(node, t);
    require(ch, 'send');
    const amount = amountArg(a, 'amount') ?? (await askAmount(`Amount to send (you have ${formatTon(ch.myBalance)} TON in the channel)`, { max: ch.myBalance }));
    const state = await node.api.send(amount, { channel: ch.id });
    void info(`sent ${formatTon(amount)} TON: Step ${state.step}, ${stateLine(state)}`);
    return state;
  }

  async sign(t: unknown) {
    const node = await this.nodeFor(t, false);
    const ch = this.channelFor(node, t);
    require(ch, 'sign');
    const state = await node.api.sign({ channel: ch.id });
    void info(`signed Step ${state.step}: ${stateLine(state)}`);
    return state;
  }

  async createEmpty(t: unknown) {
    const node = await this.nodeFor(t, false);
    const ch = this.channelFor(node, t);
    const state = await node.api.createEmpty({ channel: ch.id });
    void info(`passed the turn (empty Step ${state.step})`);
    return state;
  }

  async requestEmpty(t: unknown) {
    const node = await this.nodeFor(t, false);
    const ch = this.channelFor(node, t);
    await node.api.requestEmpty({ channel: ch.id });
    void info('asked your partner for the turn');
    return true;
  }

  async withdraw(t: unknown, modeArg?: unknown, optsArg?: unknown) {
    const node = await this.nodeFor(t, false);
    const ch = this.channelFor(node, t);
    require(ch, 'withdraw');
    if (!ch.latest) throw new ExtensionError('NOT_OPEN', 'no state both signed yet: sign the initial state first');
    const step = targetStep(isTarget(t) ? t : undefined) ?? ch.latest.step;
    let mode: WithdrawOptions['mode'];
    if (modeArg === 'auto' || modeArg === 'cooperative' || modeArg === 'unilateral') mode = modeArg;
    else if (modeArg === undefined && !isTarget(t)) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'auto', description: 'cooperative when your partner is online, else unilateral' },
          { label: 'cooperative', description: 'both sign a close state: paid out at once' },
          { label: 'unilateral', description: `start the close, finish after the challenge window (${ch.challengePeriod} s)` },
        ],
        { title: `SynChannel: withdraw with Step ${step}`, ignoreFocusOut: true },
      );
      if (!pick) throw cancelled();
      mode = pick.label as WithdrawOptions['mode'];
    } else mode = 'auto';
    let confirmStale = (optsArg as { confirmStale?: boolean } | undefined)?.confirmStale === true;
    if (step < ch.latest.step && !confirmStale) {
      const ok = await vscode.window.showWarningMessage(
        `Step ${step} is older than the latest Step ${ch.latest.step}. Your partner can challenge it with a later state. Submit it anyway?`,
        { modal: true },
        'Submit Step ' + step,
      );
      if (!ok) throw cancelled();
      confirmStale = true;
    }
    const result = await onChain(`withdrawing with Step ${step}…`, (p) => node.api.withdraw({ ...p, channel: ch.id, step, mode, confirmStale }));
    if (result.mode === 'cooperative' || result.payoutA !== null) {
      void info(`channel closed with Step ${result.step}: A gets ${formatTon(result.payoutA ?? 0n)} TON, B gets ${formatTon(result.payoutB ?? 0n)} TON`);
    } else {
      void info(`close started with Step ${result.step}; it can be finished after ${result.deadline ? new Date(result.deadline * 1000).toLocaleTimeString() : 'the challenge window'}`);
    }
    return result;
  }

  async balanceContract(t: unknown) {
    const node = await this.nodeFor(t, false);
    const ch = this.channelFor(node, t);
    if (!ch.contract) throw new ExtensionError('NO_CHANNEL', 'the contract is not deployed yet: run "SynChannel: Deposit" first');
    const v = await onChain('reading the contract balance…', () => node.api.balanceContract(ch.id));
    void info(`contract balance: ${formatTon(v)} TON`);
    return v;
  }

  async balanceChan(t: unknown) {
    const node = await this.nodeFor(t, false);
    const ch = this.channelFor(node, t);
    const b = node.api.balanceChan(ch.id);
    if (!b) throw new ExtensionError('NO_CHANNEL', 'no state both signed yet: sign the initial state first');
    void info(`Step ${b.step}: ${stateLine(b)}`);
    return b;
  }

  async balanceTon(t: unknown) {
    const node = await this.nodeFor(t, true);
    const v = await onChain('reading your balance…', () => node.api.balanceTon());
    void info(`your account balance: ${formatTon(v)} TON`);
    return v;
  }

  async getAccount(t: unknown) {
    const node = await this.nodeFor(t, true);
    const a = node.api.getAccount();
    this.offerCopy(`your account: ${a}`, a);
    return a;
  }

  async getPartnerAccount(t: unknown) {
    const node = await this.nodeFor(t, false);
    const id = isTarget(t) ? targetChannel(t) : undefined;
    const a = node.api.getPartnerAccount(id) ?? node.api.partners()[0]?.address ?? null;
    if (!a) throw new ExtensionError('NO_PARTNER', 'no partner yet: connect first');
    this.offerCopy(`partner account: ${a}`, a);
    return a;
  }

  async getSmartContractAccount(t: unknown) {
    const node = await this.nodeFor(t, false);
    const ch = this.channelFor(node, t);
    const a = node.api.getSmartContractAccount(ch.id);
    if (!a) throw new ExtensionError('NO_CHANNEL', 'the contract is not deployed yet: run "SynChannel: Deposit" first');
    this.offerCopy(`smart contract: ${a}`, a);
    return a;
  }

  async getSeqno(t: unknown) {
    const node = await this.nodeFor(t, true);
    const v = await onChain('reading your seqno…', () => node.api.getSeqno());
    void info(`seqno: ${v}`);
    return v;
  }

  async showAll(t: unknown) {
    const node = await this.nodeFor(t, false);
    const ch = this.channelFor(node, t);
    const states = await node.api.showAll(ch.id);
    this.d.host.log(`${node.label}: ${states.length} state(s) of channel ${ch.id}`);
    for (const s of states) this.d.host.log(`  ${describeState(s)}`);
    await this.d.treeView.reveal({ kind: 'channel', party: node.id, channelId: ch.id }, { expand: true, focus: true, select: true });
    return states;
  }

  async showLast(t: unknown) {
    const node = await this.nodeFor(t, false);
    const ch = this.channelFor(node, t);
    const pending = ch.pending;
    const last: StateView | null = pending ?? node.api.showLast(ch.id);
    if (!last) throw new ExtensionError('NO_CHANNEL', 'no state yet: deposit and sign the initial state first');
    const text = describeState(last) + (pending ? (pending.awaiting === 'me' ? ' · awaiting your signature' : ' · awaiting your partner') : '');
    if (pending?.awaiting === 'me') {
      void info(text, 'Sign').then((pick) => {
        if (pick) void vscode.commands.executeCommand('synchannel.sign', { party: node.id, channel: ch.id });
      });
    } else void info(text);
    return last;
  }

  // ---- extension commands ---------------------------------------------------------------------------------------

  async openBalances(t: unknown) {
    let key: string | undefined;
    if (isTarget(t)) {
      const party = 'kind' in t ? t.party : (t.party ?? 'me');
      const ch = targetChannel(t);
      if (ch) key = `${party}:${ch}`;
    }
    this.d.balances.show(key);
    return true;
  }

  async switchNetwork(n: unknown) {
    let network: NetworkKind;
    if (n === undefined) {
      const current = this.d.host.network;
      const pick = await vscode.window.showQuickPick(
        NETWORKS.map((x) => ({
          label: x,
          description: x === current ? '(current)' : '',
          detail:
            x === 'sandbox' ? 'an emulated chain inside VS Code: offline, funded from its treasury' : x === 'devnet' ? 'a local chain shared by several windows or the CLI' : 'TON testnet (needs a funded key)',
        })),
        { title: 'SynChannel: switch network', ignoreFocusOut: true },
      );
      if (!pick) throw cancelled();
      network = pick.label as NetworkKind;
    } else if (isNetwork(n)) network = n;
    else throw new ExtensionError('BAD_INPUT', `unknown network ${String(n)}: use sandbox, devnet or testnet`);
    await vscode.workspace.getConfiguration('synchannel').update('network', network, vscode.ConfigurationTarget.Global);
    await this.d.host.restartForNetwork();
    return network;
  }

  private async networkArg(n: unknown): Promise<NetworkKind> {
    if (n === undefined) return this.d.host.network;
    if (isNetwork(n)) return n;
    throw new ExtensionError('BAD_INPUT', `unknown network ${String(n)}: use sandbox, devnet or testnet`);
  }

  async createKey(n: unknown) {
    const network = await this.networkArg(n);
    const words = await mnemonicNew(24);
    await this.d.host.storeMnemonic(network, words);
    this.d.host.log(`created a new ${network} key (24 words, kept in VS Code's secret storage)`);
    void vscode.window
      .showInformationMessage(`SynChannel: a new ${network} key was created and kept in the secret storage. Write the 24 words down to keep access to its wallet.`, 'Copy the 24 Words')
      .then((pick) => {
        if (pick) void vscode.env.clipboard.writeText(words.join(' '));
      });
    await this.restartIfOn(network);
    return true;
  }

  async importMnemonic(w: unknown, n: unknown) {
    const network = await this.networkArg(n);
    const check = async (text: string): Promise<string | undefined> => {
      const words = text.trim().split(/\s+/).filter(Boolean);
      if (words.length !== 24) return `a TON mnemonic has 24 words (got ${words.length})`;
      return (await mnemonicValidate(words)) ? undefined : 'these 24 words are not a valid TON mnemonic (check the spelling)';
    };
    let text = typeof w === 'string' ? w : Array.isArray(w) ? w.join(' ') : undefined;
    if (text === undefined) {
      text = await vscode.window.showInputBox({ title: `SynChannel: import a ${network} mnemonic`, prompt: 'The 24 words, separated by spaces', password: true, ignoreFocusOut: true, validateInput: check });
      if (text === undefined) throw cancelled();
    } else {
      const problem = await check(text);
      if (problem) throw new ExtensionError('BAD_INPUT', problem);
    }
    await this.d.host.storeMnemonic(network, text.trim().split(/\s+/));
    void info(`mnemonic imported for ${network}`);
    await this.restartIfOn(network);
    return true;
  }

  async importKeyFolder(f: unknown, n: unknown) {
    const network = await this.networkArg(n);
    let folder = typeof f === 'string' ? f : undefined;
    if (!folder) {
      const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, title: 'The folder with wallet.pk and wallet.addr', openLabel: 'Import Key Folder' });
      if (!picked?.[0]) throw cancelled();
      folder = picked[0].fsPath;
    }
    const pk = await readFile(join(folder, 'wallet.pk')).catch(() => null);
    if (!pk || pk.length !== 32) throw new ExtensionError('BAD_INPUT', `${folder}/wallet.pk must hold a raw 32-byte private key`);
    const addr = await readFile(join(folder, 'wallet.addr')).catch(() => null);
    if (addr && addr.length !== 36) throw new ExtensionError('BAD_INPUT', `${folder}/wallet.addr must hold 36 bytes (32-byte hash + 4-byte workchain)`);
    await this.d.host.storeKeyFolder(network, folder);
    void info(`key folder imported for ${network}: ${folder}`);
    await this.restartIfOn(network);
    return true;
  }

  async setTestnetApiKey(k: unknown) {
    let key = typeof k === 'string' ? k : undefined;
    if (key === undefined) {
      key = await vscode.window.showInputBox({ title: 'SynChannel: testnet API key', prompt: 'toncenter API key (empty to remove)', password: true, ignoreFocusOut: true });
      if (key === undefined) throw cancelled();
    }
    await this.d.host.storeApiKey(key.trim());
    void info(key.trim() ? 'testnet API key saved in the secret storage' : 'testnet API key removed');
    await this.restartIfOn('testnet');
    return true;
  }

  private async restartIfOn(network: NetworkKind): Promise<void> {
    if (this.d.host.runningNetwork === network) {
      await this.d.host.stopNode();
      await this.d.host.ensureNode();
    }
  }

  async startDevnet(p: unknown) {
    let port = p === undefined ? undefined : Number(p);
    if (port === undefined) {
      const url = vscode.workspace.getConfiguration('synchannel').get<string>('devnetUrl', 'http://127.0.0.1:8081');
      try {
        port = Number(new URL(url).port || 80);
      } catch {
        throw new ExtensionError('BAD_INPUT', `synchannel.devnetUrl is not a URL: ${url}`);
      }
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ExtensionError('BAD_INPUT', `port ${String(p)}: a port is a whole number from 0 to 65535`);
    const server = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'SynChannel: starting the devnet…' }, () => this.d.host.startDevnet(port));
    void info(`devnet serving at ${server.url}`);
    return server.url;
  }

  async stopDevnet() {
    const stopped = await this.d.host.stopDevnet();
    void info(stopped ? 'devnet stopped' : 'the devnet was not running in this window');
    return stopped;
  }

  async openTeachingDemo() {
    const demo = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'SynChannel: starting Alice and Bob on the sandbox (loading the emulator)…' },
      () => this.d.host.startDemo(),
    );
    for (const id of DEMO_STEP_IDS) void vscode.commands.executeCommand('setContext', `synchannel.demo.${id}`, false);
    void vscode.commands.executeCommand('setContext', 'synchannel.demoRunning', true);
    void vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
    void vscode.commands.executeCommand('synchannel.tree.focus');
    return demo.steps.map((s) => s.id);
  }

  async demoStep(idArg: unknown) {
    let id = idArg;
    if (id === undefined) {
      // from the palette: pick the step (the next one not run yet first)
      if (!this.d.host.teachingDemo) await this.openTeachingDemo();
      const steps = this.d.host.teachingDemo?.steps ?? [];
      const next = steps.find((s) => !this.d.host.demoDone(s.id));
      const items = steps.map((s, i) => ({
        label: `${i + 1}. ${s.title}`,
        description: this.d.host.demoDone(s.id) ? 'done' : s === next ? 'next' : '',
        id: s.id,
      }));
      const pick = await vscode.window.showQuickPick(next ? [items[steps.indexOf(next)]!, ...items.filter((x) => x.id !== next.id)] : items, {
        title: 'SynChannel: run a teaching demo step',
        ignoreFocusOut: true,
      });
      if (!pick) throw cancelled();
      id = pick.id;
    }
    if (typeof id !== 'string' || !(DEMO_STEP_IDS as readonly string[]).includes(id)) {
      throw new ExtensionError('BAD_INPUT', `unknown demo step ${JSON.stringify(id)}: one of ${DEMO_STEP_IDS.join(', ')}`);
    }
    if (!this.d.host.teachingDemo) {
      await this.openTeachingDemo();
    }
    const title = this.d.host.teachingDemo?.steps.find((s) => s.id === id)?.title ?? id;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SynChannel demo: ${title}…` }, () => this.d.host.runDemoStep(id));
    void vscode.commands.executeCommand('setContext', `synchannel.demo.${id}`, true);
    void info(`${title}: ${result}`);
    return result;
  }

  async stopTeachingDemo() {
    await this.d.host.stopDemo();
    void vscode.commands.executeCommand('setContext', 'synchannel.demoRunning', false);
    return true;
  }

  async stopNode() {
    await this.d.host.stopNode();
    return true;
  }

  private offerCopy(message: string, value: string): void {
    void info(message, 'Copy').then((pick) => {
      if (pick) void vscode.env.clipboard.writeText(value);
    });
  }

  async copyMultiaddr(t: unknown) {
    const node = await this.nodeFor(t, false);
    const addr = node.served?.lan[0] ?? node.served?.wan[0];
    if (!addr) throw new ExtensionError('BAD_INPUT', 'not serving yet: run "SynChannel: Serve" first');
    await vscode.env.clipboard.writeText(addr);
    void info(`copied ${addr}`);
    return addr;
  }

  private addressOf(node: HostedNode, t: unknown): string {
    if (isTarget(t) && 'kind' in t && t.kind !== 'network') {
      const ch = this.channelFor(node, t);
      return ch.contract ?? ch.partnerAddress;
    }
    return node.api.getAccount();
  }

  async copyAddress(t: unknown) {
    const node = await this.nodeFor(t, false);
    const a = this.addressOf(node, t);
    await vscode.env.clipboard.writeText(a);
    void info(`copied ${a}`);
    return a;
  }

  async openInExplorer(t: unknown) {
    const node = await this.nodeFor(t, false);
    if (node.api.network !== 'testnet') throw new ExtensionError('BAD_INPUT', `the explorer shows testnet only; this node runs on ${node.api.network}`);
    const a = this.addressOf(node, t);
    await vscode.env.openExternal(vscode.Uri.parse(await explorerUrl(a)));
    return a;
  }
}
