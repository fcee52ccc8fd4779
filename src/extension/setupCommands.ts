// Getting set up: the node (start, stop), serving and connecting, addresses (copy, explorer), the network, keys,
// the testnet API key (the local devnet: devnetCommands.ts).
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import type { NetworkKind } from '../node/types.js';
import type { CommandContext, CommandName, Handler } from './commands.js';
import type { HostedNode } from './hosted.js';
import { NETWORKS, isNetwork } from '../core/networks.js';
import { TESTNET_GIVER } from './errors.js';
import { explorerLinks } from './hovers.js';
import { isChannelsKey, keyChange, restartQuestion, stopWarning } from './guards.js';
import { channelWallets } from './keys.js';
import { channelKeys, checkDialAddress, checkMnemonic, keyFolderKey, mnemonicKey, mnemonicNew, type KeyFacts } from './nodeFactory.js';
import { cancelled, isTarget, targetParty, walletRead, type TargetArg } from './ui.js';
import { isLoopback, offeredAddresses, serveNotice } from './serveWords.js';
import { keyImportedWords, keyWalletWords } from './words.js';
import { ExtensionError, errorCode, errorMessage } from './util.js';

async function serve(c: CommandContext, t: unknown, portArg?: unknown, hostArg?: unknown) {
  const [p, h] = c.inputs(t, [portArg, hostArg]);
  const node = await c.nodeFor(t, true);
  let port: number;
  // a port typed into a Serve that failed (the port in use) is offered again
  const typed = `serve ${node.id}`;
  if (p === undefined || p === null || p === '') {
    const text = await c.prompts.input({
      title: 'SynChannel: serve',
      prompt: 'Port to wait for your partner on (0 = any free port)',
      validate: (v) => (/^\d{1,5}$/.test(v.trim()) && Number(v) <= 65535 ? undefined : 'a port is a whole number from 0 to 65535'),
      ...c.amounts.value(typed, '3000'),
    });
    port = Number(c.amounts.typedText(typed, text.trim()));
  } else {
    port = Number(p);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ExtensionError('BAD_INPUT', `port ${String(p)}: a port is a whole number from 0 to 65535`);
  }
  const result = await node.api.serve(port, typeof h === 'string' ? h : undefined);
  c.amounts.done(typed);
  await c.host.setServed(node, result);
  c.host.log(`${result.already ? 'already serving' : 'serving'}: LAN ${result.lan.join(' ')}${result.wan.length ? ` WAN ${result.wan.join(' ')}` : ''}`);
  // a partner connected already (either way): the listener serves others too, as the CLI says
  const notice = serveNotice(result, node.api.partners().filter((x) => x.online).map((x) => x.address));
  if (notice) {
    void c.info(notice.text, 'Copy Connection Address').then((pick) => {
      if (pick) void vscode.env.clipboard.writeText(notice.address);
    });
  }
  return result;
}

async function connect(c: CommandContext, t: unknown, addrArg?: unknown) {
  const [a] = c.inputs(t, [addrArg]);
  // the node's own check (quotes and spaces of a paste, the peer id), as typed
  const check = async (v: string): Promise<string | undefined> => {
    try {
      await checkDialAddress(v);
      return undefined;
    } catch (e) {
      return errorMessage(e);
    }
  };
  let addr = typeof a === 'string' ? a.trim() : '';
  // an address typed into a Connect that failed (the partner not serving yet) is offered again
  const typed = 'connect';
  if (!addr) {
    const text = await c.prompts.input({ title: 'SynChannel: connect', prompt: "Your partner's address from their Serve", placeholder: '/ip4/192.168.1.2/tcp/3000/p2p/12D3KooW…', validate: check, ...c.amounts.value(typed) });
    addr = c.amounts.typedText(typed, text.trim());
  } else {
    const problem = await check(addr);
    if (problem) throw new ExtensionError('BAD_MULTIADDR', problem);
  }
  const node = await c.nodeFor(t, true);
  const partner = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'SynChannel: connecting…' }, () => node.api.connect(addr));
  c.amounts.done(typed);
  // "Partner signature" and "Partner address" go to the log once, from the partnerConnected event (notifications.ts).
  void c.info(`connected to ${partner.address} (its address proof checked)`);
  return partner;
}

async function copyMultiaddr(c: CommandContext, t: unknown) {
  const node = await c.nodeFor(t, false);
  const all = node.served ? offeredAddresses(node.served) : [];
  if (!all.length) throw new ExtensionError('BAD_INPUT', 'not serving yet: Serve first');
  const addr =
    all.length === 1
      ? all[0]!
      : await c.prompts.pick(
          all.map((a) => ({ label: a, description: isLoopback(a) ? 'this machine only' : '', value: a })),
          { title: 'SynChannel: which address to copy?' },
        );
  await vscode.env.clipboard.writeText(addr);
  void c.info(`copied ${addr}`);
  return addr;
}

function addressOf(c: CommandContext, node: HostedNode, t: unknown): string {
  if (!isTarget(t)) return node.api.getAccount();
  const what = 'kind' in t ? (t.kind === 'node' ? 'account' : 'contract') : ((t as TargetArg).what ?? (t.channel ? 'contract' : 'account'));
  if (what === 'account') return node.api.getAccount();
  const ch = c.channelFor(node, t);
  return what === 'partner' ? ch.partnerAddress : ch.contract;
}

/**
 * The network a key command speaks of when none is named: this window's, its running node's (the setting, changed by
 * another window, may name another; only Switch Network moves the node), else the one set. The menus follow it too.
 */
const windowNetwork = (c: CommandContext): NetworkKind => c.host.runningNetwork ?? c.host.network;

async function pickNetwork(c: CommandContext, n: unknown): Promise<NetworkKind> {
  if (n === undefined) {
    const current = windowNetwork(c);
    const detail: Record<NetworkKind, string> = {
      sandbox: 'an emulated chain inside VS Code: offline, funded from its treasury',
      devnet: 'a local chain shared by several windows or the CLI',
      testnet: 'TON testnet through toncenter (needs a funded key; an API key avoids rate limits)',
    };
    return c.prompts.pick(
      NETWORKS.map((x) => ({ label: x, description: x === current ? '(current)' : '', detail: detail[x], value: x })),
      { title: 'SynChannel: switch network' },
    );
  }
  if (isNetwork(n)) return n;
  throw new ExtensionError('BAD_INPUT', `unknown network ${String(n)}: use sandbox, devnet or testnet`);
}

async function restartIfOn(c: CommandContext, network: NetworkKind): Promise<void> {
  if (c.host.runningNetwork === network) {
    await c.host.stopNode();
    await c.host.ensureNode({ network });
  }
}

/**
 * Before a network's key is replaced: refused while its data folder holds channels that are not closed (they would
 * be unusable) unless `key` is the key they were made with; with a key already there, asked first in a modal (the
 * old key is not kept anywhere else).
 */
async function guardKeyChange(c: CommandContext, network: NetworkKind, key: KeyFacts | null): Promise<void> {
  const main = c.host.runningNetwork === network ? c.host.mainNode : null;
  const running = main ? main.api.channels() : null;
  const dir = c.host.dataDir(network);
  const list = running || !existsSync(dir) ? [] : await channelKeys(dir);
  const stored = list?.map((k) => k.phase) ?? null;
  const broken = main ? main.api.brokenChannels() : [];
  const sameKey = !!key && isChannelsKey(key, main?.api.getAccount() ?? null, list ?? [], c.host.keys.lastAccount(network));
  if (sameKey) c.host.log(`the key imported for ${network} (wallet ${key.account}) is the key its channels were made with`);
  const channelsKey = channelWallets(list ?? []);
  const verdict = keyChange({ network, running, stored, hasKey: await c.host.keys.hasStoredKey(network), broken, sameKey, channelsKey });
  if (!verdict.ok) throw new ExtensionError(verdict.code, verdict.why);
  if (!verdict.confirm) return;
  const ok = await c.prompts.confirm(
    `Replace the ${network} key?`,
    `${await walletWords(c, network)}The current ${network} key is kept nowhere else: its wallet and any closed channel's history stay reachable only if you wrote its 24 words down (or kept its key folder). The data folder holds no channel that is not closed.`,
    'Replace the Key',
  );
  if (!ok) throw cancelled();
}

/** The wallet a key replacement leaves behind, and what it holds (with the storage fee due) when the node runs on that network. */
async function walletWords(c: CommandContext, network: NetworkKind): Promise<string> {
  const main = c.host.runningNetwork === network ? c.host.mainNode : null;
  const account = main?.api.getAccount() ?? c.host.keys.lastAccount(network);
  return keyWalletWords(account, main ? await walletRead(main.api) : null);
}

async function importMnemonic(c: CommandContext, w: unknown, n: unknown) {
  const network = n === undefined ? windowNetwork(c) : await pickNetwork(c, n);
  // the node's check, on the words normalised as the node reads them (any case, spaces or commas, a trailing newline)
  const check = async (text: string): Promise<string | undefined> => (await checkMnemonic(text)).problem ?? undefined;
  let text = typeof w === 'string' ? w : Array.isArray(w) ? w.join(' ') : undefined;
  if (text === undefined) text = await c.prompts.input({ title: `SynChannel: import a ${network} mnemonic`, prompt: 'The 24 words, separated by spaces', password: true, validate: check });
  else {
    const problem = await check(text);
    if (problem) throw new ExtensionError('BAD_MNEMONIC', problem);
  }
  const { words } = await checkMnemonic(text);
  const key = await mnemonicKey(words);
  await guardKeyChange(c, network, key);
  await c.host.keys.storeMnemonic(network, words);
  void c.info(keyImportedWords(network, 'mnemonic', key.account));
  await restartIfOn(c, network);
  return true;
}

async function importKeyFolder(c: CommandContext, f: unknown, n: unknown) {
  const network = n === undefined ? windowNetwork(c) : await pickNetwork(c, n);
  let folder = typeof f === 'string' ? f : undefined;
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, title: 'The folder with wallet.pk and wallet.addr', openLabel: 'Import Key Folder' });
    if (!picked?.[0]) throw cancelled();
    folder = picked[0].fsPath;
  }
  // checked as the node checks it at its start, before anything is stored: a folder it cannot use changes nothing
  const key = await keyFolderKey(folder).catch((e: unknown) => {
    throw new ExtensionError(errorCode(e), `${errorMessage(e).replace(/\.$/, '')}. Nothing was imported: the ${network} key is kept as it was. Pick the folder that holds both wallet.pk and wallet.addr of one wallet`);
  });
  await guardKeyChange(c, network, key);
  await c.host.keys.storeKeyFolder(network, folder);
  void c.info(keyImportedWords(network, folder, key.account));
  await restartIfOn(c, network);
  return true;
}

async function copyAddress(c: CommandContext, t: unknown) {
  // your own wallet's address needs your node (it knows the wallet): started when it is not running
  const a = addressOf(c, await c.nodeFor(t, !isTarget(t) || targetParty(t) === 'me'), t);
  await vscode.env.clipboard.writeText(a);
  void c.info(`copied ${a}`);
  return a;
}

async function openInExplorer(c: CommandContext, t: unknown) {
  const node = await c.nodeFor(t, false);
  const a = addressOf(c, node, t);
  if (node.api.network !== 'testnet') {
    // sandbox and devnet have no public explorer: the balances panel is the local view
    await vscode.commands.executeCommand('synchannel.openBalances', isTarget(t) ? t : undefined);
    return a;
  }
  await vscode.env.openExternal(vscode.Uri.parse(explorerLinks(a)[0]!.url));
  return a;
}

async function createKey(c: CommandContext, n: unknown) {
  const network = n === undefined ? windowNetwork(c) : await pickNetwork(c, n);
  await guardKeyChange(c, network, null);
  const words = await mnemonicNew(24);
  await c.host.keys.storeMnemonic(network, words);
  c.host.log(`created a new ${network} key (24 words, kept in VS Code's secret storage)`);
  // a new testnet wallet is empty, and testnet has no faucet here: the next step is the giver bot
  const fund = network === 'testnet' ? ` Its wallet is empty: ${TESTNET_GIVER}.` : '';
  const show = 'Show the 24 Words';
  const copy = 'Copy Wallet Address';
  void c.info(`a new ${network} key was created and kept in the secret storage. Write the 24 words down to keep access to its wallet (Show Key Words shows them again).${fund}`, show, ...(fund ? [copy] : [])).then((pick) => {
    if (pick === show) void vscode.commands.executeCommand('synchannel.showKeyWords', network);
    if (pick === copy) void vscode.commands.executeCommand('synchannel.copyAddress');
  });
  await restartIfOn(c, network);
  return true;
}

/** Show Key Words: the 24 words of a network's key, after a warning; a key without words says what to keep instead. */
async function showKeyWords(c: CommandContext, n: unknown): Promise<number | undefined> {
  const network = n === undefined ? windowNetwork(c) : await pickNetwork(c, n);
  const key = await c.host.keys.kind(network);
  if (key === null) throw new ExtensionError('NO_KEY', `no ${network} key yet: create one or import yours`);
  if (key === 'seed') throw new ExtensionError('NO_WORDS', `the ${network} key was made by SynChannel for test TON and has no words: it lives in VS Code's secret storage only`);
  if ('keyFolder' in key) throw new ExtensionError('NO_WORDS', `the ${network} key is the key folder ${key.keyFolder}: keep a copy of its wallet.pk, the key has no words here`);
  const sure = 'Show the Words';
  if ((await c.prompts.confirm(`Show the 24 words of your ${network} key?`, 'Anyone who sees them can take the money of its wallet and its channels: make sure no one watches your screen or shares it.', sure)) !== sure) throw cancelled();
  const copy = 'Copy the 24 Words';
  const numbered = key.words.map((w, i) => `${i + 1}. ${w}`).join('\n');
  if ((await c.prompts.confirm(`The 24 words of your ${network} key: write them down and keep them offline.`, numbered, copy)) === copy) await vscode.env.clipboard.writeText(key.words.join(' '));
  return key.words.length;
}

async function setTestnetApiKey(c: CommandContext, k: unknown) {
  const had = !!(await c.host.keys.apiKey());
  const typed = typeof k === 'string' ? k : await c.prompts.input({ title: 'SynChannel: testnet API key', prompt: had ? 'toncenter API key (empty to remove the one saved)' : 'toncenter API key', password: true });
  const key = typed.trim();
  // An empty answer removes a saved key only when asked twice; with none saved it changes nothing (no restart).
  if (!key && !had) {
    void c.info('no testnet API key is saved: nothing changed');
    return false;
  }
  if (!key && (await c.prompts.confirm('Remove the testnet API key?', 'Without a key toncenter allows about one request a second: the node on testnet reads and sends more slowly.', 'Remove the Key')) !== 'Remove the Key') throw cancelled();
  await c.host.keys.storeApiKey(key);
  const running = c.host.runningNetwork === 'testnet' ? c.host.mainNode : null;
  // a restart interrupts what the node waits for on chain: asked first; Later (or a dismissal) keeps the node as it is
  const q = running ? restartQuestion(running.api.channels(), 'testnet', key ? 'to use the new API key' : 'to go on without an API key') : null;
  const now = q && (await c.prompts.confirm(q.message, q.detail, 'Restart Now', 'Later')) === 'Restart Now';
  const saved = key ? 'testnet API key saved in the secret storage' : 'testnet API key removed';
  const later = key ? 'the testnet node uses it from its next start' : 'the testnet node goes without it from its next start';
  void c.info(q && !now ? `${saved}: ${later} (Stop the Node, then Start the Node, to restart it yourself)` : saved);
  if (now) await restartIfOn(c, 'testnet');
  return true;
}

/**
 * Before this window stops its node (stop, exit, a network switch, the devnet under it): when the node guards
 * channels with money in them, a modal names them and how long the node may stay off. Throws CANCELLED on no.
 */
export async function confirmStop(c: CommandContext, what: string, button: string): Promise<void> {
  // A node still starting guards the same channels once it runs (the stop waits for it): asked about too.
  await c.host.startSettled();
  const main = c.host.mainNode;
  const w = main ? stopWarning(main.api.channels(), what, Date.now(), Date.now(), main.api.brokenChannels()) : null;
  if (!w) return;
  if ((await c.prompts.confirm(w.message, w.detail, button)) !== button) throw cancelled();
  c.host.log(`${what}: confirmed with channels to watch`);
}

/** Where synchannel.network is set above the user setting (a workspace wins over it), or null. */
function workspaceNetwork(): { value: unknown; where: string } | null {
  const i = vscode.workspace.getConfiguration('synchannel').inspect<string>('network');
  if (i?.workspaceFolderValue !== undefined) return { value: i.workspaceFolderValue, where: "this folder's settings" };
  if (i?.workspaceValue !== undefined) return { value: i.workspaceValue, where: "this workspace's settings" };
  return null;
}

/**
 * Switch Network: written to the user setting; this window's node restarts on it (asked first when it guards
 * channels). A workspace value that wins over the user setting is reported, not switched around.
 */
async function switchNetwork(c: CommandContext, n: unknown): Promise<NetworkKind | undefined> {
  const network = await pickNetwork(c, n);
  const over = workspaceNetwork();
  if (over && over.value !== network) {
    void c.prompts
      .notify('warning', `SynChannel: synchannel.network is set to ${String(over.value)} in ${over.where}, which wins over the user setting: change it there to switch to ${network}.`, 'Open Workspace Settings')
      .then((pick) => pick && void vscode.commands.executeCommand('workbench.action.openWorkspaceSettings', 'synchannel.network'));
    return undefined;
  }
  await c.host.startSettled();
  const running = c.host.runningNetwork;
  if (running && running !== network) await confirmStop(c, `Switch from ${running} to ${network} (its node stops)`, `Switch to ${network}`);
  c.host.ownNetworkWrite = network;
  try {
    await vscode.workspace.getConfiguration('synchannel').update('network', network, vscode.ConfigurationTarget.Global);
    await c.host.restartForNetwork();
  } finally {
    c.host.ownNetworkWrite = null; // the setting held it already (no change event), or the event has used it
  }
  return network;
}

export function setupCommands(c: CommandContext): Partial<Record<CommandName, Handler>> {
  return {
    serve: (t, port, host) => serve(c, t, port, host),
    connect: (t, addr) => connect(c, t, addr),
    copyMultiaddr: (t) => copyMultiaddr(c, t),
    copyAddress: (t) => copyAddress(c, t),
    openInExplorer: (t) => openInExplorer(c, t),
    switchNetwork: (n) => switchNetwork(c, n),
    createKey: (n) => createKey(c, n),
    importMnemonic: (w, n) => importMnemonic(c, w, n),
    importKeyFolder: (f, n) => importKeyFolder(c, f, n),
    setTestnetApiKey: (k) => setTestnetApiKey(c, k),
    showKeyWords: (n) => showKeyWords(c, n),
    startNode: async () => {
      const node = await c.host.ensureNode();
      void c.info(`your node runs on ${node.api.network} as ${node.api.getAccount()}`);
      return node.api.getAccount();
    },
    stopNode: async () => {
      await confirmStop(c, 'Stop the node', 'Stop the Node');
      await c.host.stopNode();
      return true;
    },
    refresh: async () => c.model.rebuild(),
    showLog: async () => {
      c.host.showLog();
      return true;
    },
    showEarlier: async (t) => {
      if (!isTarget(t) || !('kind' in t) || t.kind === 'node') throw new ExtensionError('BAD_INPUT', 'pick a channel in the SynChannel view');
      await c.model.showEarlier(targetParty(t), t.channelId);
      return true;
    },
  };
}
