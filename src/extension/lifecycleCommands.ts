// The catalogue's commands beyond the original set, in VS Code: open, refund, decline, faucet, leave (the exit),
// finish, channels, export/import of a backup, help and exit. What a channel allows comes from the node
// (ChannelView.actions); the words come from the catalogue (src/node/catalogue.ts).
import * as vscode from 'vscode';
import { CATALOGUE } from '../node/catalogue.js';
import type { Action, ChannelView } from '../node/types.js';
import type { Commands } from './commands.js';
import type { HostedNode, NodeHost } from './host.js';
import { amountArg, askAmount, cancelled, info, onChain } from './ui.js';
import { ExtensionError, formatTon, shortAddress } from './util.js';

/** Throws the node's reason when the channel does not allow `action` now. */
export function require(ch: ChannelView, action: Action): void {
  const can = ch.actions[action];
  if (!can.ok) throw new ExtensionError(can.code, can.why);
}

export class LifecycleCommands {
  constructor(
    private readonly c: Commands,
    private readonly host: NodeHost,
  ) {}

  private async channel(t: unknown, action: Action): Promise<{ node: HostedNode; ch: ChannelView }> {
    const node = await this.c.nodeFor(t, false);
    const ch = this.c.channelFor(node, t);
    require(ch, action);
    return { node, ch };
  }

  async open(t: unknown, mineArg?: unknown, theirsArg?: unknown) {
    const node = await this.c.nodeFor(t, true);
    if (node.api.partners().length === 0) throw new ExtensionError('NO_PARTNER', 'no partner yet: connect first ("SynChannel: Serve" on one side, "SynChannel: Connect" on the other)');
    const balance = await node.api.balanceTon().catch(() => null);
    const mine = amountArg(mineArg, 'your deposit') ?? (await askAmount(`Your deposit (your account balance now: ${balance === null ? '?' : formatTon(balance)} TON)`, { max: balance ?? undefined }));
    const theirs = amountArg(theirsArg, "partner's deposit") ?? (await askAmount("Your partner's deposit (0 if they only receive)", { value: '0', allowZero: true }));
    const ch = await onChain('proposing the channel…', (p) => node.api.open({ ...p, myDeposit: mine, partnerDeposit: theirs }));
    void info(`proposed a channel: you deposit ${formatTon(mine)} TON, your partner ${formatTon(theirs)} TON. It is deployed once they accept.`);
    return ch;
  }

  async refund(t: unknown) {
    const { node, ch } = await this.channel(t, 'refund');
    const mine = ch.me === 'A' ? ch.depositA : ch.depositB;
    const ok = await vscode.window.showWarningMessage(`Take your deposit of ${formatTon(mine)} TON back from the contract?`, { modal: true }, 'Refund');
    if (!ok) throw cancelled();
    const r = await onChain('taking your deposit back…', (p) => node.api.refund({ ...p, channel: ch.id }));
    void info(`refunded: your deposit is back in your wallet`);
    return r;
  }

  async decline(t: unknown) {
    const { node, ch } = await this.channel(t, 'decline');
    return node.api.decline({ channel: ch.id });
  }

  async faucet(t: unknown, amountArgValue?: unknown) {
    const node = await this.c.nodeFor(t, true);
    const amount = amountArg(amountArgValue, 'amount') ?? 100_000_000_000n;
    const b = await onChain(`getting ${formatTon(amount)} test TON…`, () => node.api.faucet(amount));
    void info(`your account balance now: ${formatTon(b)} TON`);
    return b;
  }

  async leave(t: unknown) {
    const { node, ch } = await this.channel(t, 'exit');
    const ok = await vscode.window.showWarningMessage(
      `Leave the channel with the deposits? The contract pays A ${formatTon(ch.depositA)} TON and B ${formatTon(ch.depositB)} TON after the challenge window (${ch.challengePeriod} s); your partner can still challenge with a state both signed.`,
      { modal: true },
      'Leave',
    );
    if (!ok) throw cancelled();
    const r = await onChain('starting the exit…', (p) => node.api.exit({ ...p, channel: ch.id }));
    void info(`exit started: the node pays out after ${new Date(r.deadline * 1000).toLocaleTimeString()}`);
    return r;
  }

  async challenge(t: unknown) {
    const { node, ch } = await this.channel(t, 'challenge');
    return onChain('challenging the close with your latest state…', (p) => node.api.challenge({ ...p, channel: ch.id }));
  }

  async finish(t: unknown) {
    const { node, ch } = await this.channel(t, 'finish');
    return onChain('finishing the close…', (p) => node.api.finish({ ...p, channel: ch.id }));
  }

  async channels(t: unknown) {
    const node = await this.c.nodeFor(t, false);
    const all = node.api.channels();
    if (!all.length) throw new ExtensionError('NO_CHANNEL', 'no channel yet: connect to a partner, then open a channel');
    const pick = await vscode.window.showQuickPick(
      all.map((c) => ({ label: `${shortAddress(c.partnerAddress)} · ${c.phase}`, description: `you ${formatTon(c.myBalance)} TON · ${shortAddress(c.contract)}`, c })),
      { title: 'SynChannel: your channels', ignoreFocusOut: true },
    );
    if (pick) await vscode.commands.executeCommand('synchannel.openBalances', { party: node.id, channel: pick.c.id });
    return all;
  }

  async exportBackup(t: unknown, fileArg?: unknown) {
    const node = await this.c.nodeFor(t, false);
    const file = typeof fileArg === 'string' ? fileArg : (await vscode.window.showSaveDialog({ title: 'SynChannel: export a backup', filters: { Backup: ['synchannel'] } }))?.fsPath;
    if (!file) throw cancelled();
    const r = await node.api.exportBackup(file);
    void info(`wrote ${r.channels} channel(s) to ${file}: keep it safe, it holds every state both signed`);
    return r;
  }

  async importBackup(t: unknown, fileArg?: unknown) {
    const node = await this.c.nodeFor(t, true);
    const file = typeof fileArg === 'string' ? fileArg : (await vscode.window.showOpenDialog({ title: 'SynChannel: import a backup', canSelectMany: false }))?.[0]?.fsPath;
    if (!file) throw cancelled();
    const r = await node.api.importBackup(file);
    void info(`restored ${r.imported.length} channel(s); they wait for your partner before signing anything`);
    return r;
  }

  async help() {
    const pick = await vscode.window.showQuickPick(
      CATALOGUE.filter((c) => c.hosts.includes('vscode')).map((c) => ({ label: c.title, description: c.usage, detail: c.help, name: c.name })),
      { title: 'SynChannel: all commands', matchOnDetail: true },
    );
    if (pick) await vscode.commands.executeCommand(`synchannel.${pick.name}`);
    return pick?.name ?? null;
  }

  async exit() {
    await this.host.stopNode();
    return true;
  }
}
