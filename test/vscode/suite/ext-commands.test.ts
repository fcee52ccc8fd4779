// In-host: the extension's commands, its clear answers when it cannot act, and the balances webview's
// ready handshake, before any node runs (these must not start one).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { before, describe, it } from 'mocha';
import { Prompts } from '../../../src/extension/prompts.js';
import { PromptWallet, askAmount } from '../../../src/extension/ui.js';
import { walletNote } from '../../../src/extension/words.js';
import { EXTENSION_ID, api, notices, until } from './helpers.js';

interface Contributed {
  command: string;
  title: string;
  category?: string;
}

describe('SynChannel commands (no node running)', () => {
  let ext: Awaited<ReturnType<typeof api>>;
  let pkg: { contributes: { commands: Contributed[]; menus: { commandPalette: { command: string; when: string }[] } } };

  before(async () => {
    ext = await api();
    pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as typeof pkg;
  });

  it('registers each of its commands, and contributes exactly those, all under the category "SynChannel"', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = ext.commands.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `not registered: ${missing.join(', ')}`);
    const contributed = pkg.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(contributed, [...ext.commands].sort(), 'contributes.commands and the registered commands differ');
    const offCategory = pkg.contributes.commands.filter((c) => c.category !== 'SynChannel').map((c) => c.command);
    assert.deepEqual(offCategory, []);
  });

  it('Show Log ("SynChannel: Show Log") reveals the output; the welcome view of a failed start offers it, and the Start again', async () => {
    assert.equal(pkg.contributes.commands.find((c) => c.command === 'synchannel.showLog')?.title, 'Show Log');
    assert.equal(await vscode.commands.executeCommand('synchannel.showLog'), true, JSON.stringify(ext.lastFailure()));
    const welcome = (pkg as unknown as { contributes: { viewsWelcome: { when: string; contents: string }[] } }).contributes.viewsWelcome;
    const failed = welcome.filter((w) => /(^|&& )synchannel\.nodeState == error( |$)/.test(w.when));
    assert.equal(failed.length, 1, JSON.stringify(welcome.map((w) => w.when)));
    assert.match(failed[0]!.contents, /\[Show Log\]\(command:synchannel\.showLog\)/);
    assert.match(failed[0]!.contents, /\[Start the Node\]\(command:synchannel\.startNode\)/);
    // the plain "not running" view is not shown beside it
    const stopped = welcome.find((w) => /^No SynChannel node is running/.test(w.contents));
    assert.match(stopped?.when ?? '', /synchannel\.nodeState != error/);
  });

  it('sets only context keys that a when clause of package.json reads (partnerCount gave way to partnersOnline)', async () => {
    const read = new Set([...JSON.stringify(pkg.contributes).matchAll(/synchannel\.(\w+)/g)].map((m) => m[1]));
    await until('the context keys', () => ext.test.contextKey('nodeState') !== undefined);
    const keys = ['nodeState', 'nodeRunning', 'network', 'hasKey', 'channelCount', 'serving', 'partnerCount', 'partnersOnline', 'demoRunning', 'demoStarting'];
    const unread = keys.filter((k) => ext.test.contextKey(k) !== undefined && !read.has(k));
    assert.deepEqual(unread, []);
  });

  it('offers the original command set and the extension commands in the palette', () => {
    const hidden = new Set(pkg.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command));
    const palette = ext.commands.filter((c) => !hidden.has(c)).map((c) => c.replace('synchannel.', ''));
    for (const name of [
      'serve', 'connect', 'deposit', 'send', 'sign', 'balanceContract', 'balanceChan', 'balanceTon', 'getAccount',
      'getPartnerAccount', 'getSmartContractAccount', 'getSeqno', 'createEmpty', 'requestEmpty', 'showAll', 'showLast',
      'withdraw', 'openBalances', 'switchNetwork', 'createKey', 'importMnemonic', 'importKeyFolder', 'startDevnet',
      'stopDevnet', 'openTeachingDemo',
    ]) {
      assert.ok(palette.includes(name), `synchannel.${name} is not in the palette`);
    }
  });

  it('answers "the node is not running" for a channel command, without starting a node', async () => {
    assert.equal(ext.status().node, 'stopped');
    const result = await vscode.commands.executeCommand('synchannel.send', '1');
    assert.equal(result, undefined);
    const failure = ext.lastFailure();
    assert.ok(failure);
    assert.equal(failure.command, 'send');
    assert.equal(failure.code, 'NODE_NOT_RUNNING');
    assert.match(failure.message, /the node is not running/);
    assert.equal(ext.status().node, 'stopped', 'a failed send must not start a node');
  });

  it('Exit (Stop the Node) with no node running says so (the palette offers it always)', async () => {
    assert.equal(ext.status().node, 'stopped');
    ext.test.clearPrompts();
    assert.equal(await vscode.commands.executeCommand('synchannel.exit'), false);
    assert.ok(notices(ext).some((n) => n.level === 'info' && /no node is running in this window: nothing to stop/.test(n.message)), JSON.stringify(notices(ext)));
  });

  it('rejects bad inputs with a typed answer', async () => {
    await vscode.commands.executeCommand('synchannel.switchNetwork', 'mainnet');
    assert.equal(ext.lastFailure()?.code, 'BAD_INPUT');
    assert.match(ext.lastFailure()!.message, /sandbox, devnet or testnet/);
    await vscode.commands.executeCommand('synchannel.importMnemonic', 'only three words', 'testnet');
    assert.equal(ext.lastFailure()?.code, 'BAD_MNEMONIC');
    assert.match(ext.lastFailure()!.message, /24 words/);
    await vscode.commands.executeCommand('synchannel.demoStep', 'deploy-everything');
    assert.equal(ext.lastFailure()?.code, 'BAD_INPUT');
    assert.match(ext.lastFailure()!.message, /unknown demo step/);
    assert.equal(ext.demoSteps().length, 0, 'an unknown step must not start the demo');
  });

  it('shows the status bar item with the network and the node status', () => {
    const s = ext.status();
    assert.equal(s.network, 'sandbox');
    assert.match(s.text, /SynChannel: sandbox · stopped/);
    assert.equal(s.badge, 0);
  });

  it('a failure offers its next step as buttons and "Copy Details"; a state conflict is a warning, not an error', async () => {
    const shown = ext.lastFailure()?.shown;
    assert.ok(shown, 'the last failure was shown');
    assert.equal(shown.level, 'warning');
    assert.ok(shown.buttons.includes('Copy Details'), `buttons: ${shown.buttons.join(', ')}`);
    await vscode.commands.executeCommand('synchannel.send', '1');
    const notRunning = ext.lastFailure()!;
    assert.equal(notRunning.code, 'NODE_NOT_RUNNING');
    assert.deepEqual(notRunning.shown?.buttons, ['Start the Node', 'Serve', 'Connect', 'Copy Details']);
  });

  it('opens the balances webview: ready handshake, then a state message with the empty-state hint', async () => {
    await vscode.commands.executeCommand('synchannel.openBalances');
    assert.equal(ext.webview.isOpen(), true);
    await ext.webview.waitForReady();
    const received = ext.webview.lastReceived();
    assert.ok(received);
    const msg = await until('the state message', () => {
      const m = ext.webview.lastMessage();
      return m?.type === 'state' ? m : null;
    });
    assert.equal(msg.snapshot.selected, null);
    assert.ok(msg.snapshot.hint && /not running|no channel/.test(msg.snapshot.hint), `hint: ${msg.snapshot.hint}`);
  });

  it('keeps its state across hide/show: the rebuilt webview renders the saved snapshot, then handshakes again', async () => {
    const column = ext.webview.viewColumn();
    assert.ok(column, 'the balances panel is open');
    // an existing file (never dirty: closing it cannot prompt) opened over the panel hides it
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'package.json'));
    await vscode.window.showTextDocument(doc, { viewColumn: column, preview: false });
    await until('the panel to be hidden', () => !ext.webview.isReady());
    await vscode.commands.executeCommand('synchannel.openBalances');
    // The rebuilt webview renders its saved snapshot and says so in its handshake.
    await until('the rebuilt webview to handshake', () => {
      const m = ext.webview.lastReceived() as { type?: string; restored?: boolean } | null;
      return m?.type === 'ready' && m.restored === true;
    });
    await ext.webview.waitForReady();
    assert.deepEqual(ext.webview.lastReceived(), { type: 'ready', version: 3, restored: true });
  });
});

describe('the deposit prompt read again on Enter', () => {
  it('says the wallet as read on Enter, not as read before the box opened', async () => {
    const TON = 1_000_000_000n;
    const before = { balance: 1n * TON, storageDue: 0n };
    // the person tops the wallet up while the box is open: the read on Enter finds 5 TON
    const wallet = new PromptWallet({ balanceTonDue: () => Promise.resolve({ balance: 5n * TON, storageDue: 0n }) }, before);
    const p = new Prompts(true);
    p.answer({ input: '2' });
    const amount = await askAmount(p, {
      title: 'SynChannel: deposit',
      prompt: () => `Your deposit${walletNote(wallet.now)}`,
      max: () => ({ nano: wallet.now?.balance ?? 0n, what: 'your wallet' }),
      fresh: () => wallet.again(),
    });
    assert.equal(amount, 2n * TON, 'judged by the fresh read: accepted');
    const asked = p.records().find((r) => r.kind === 'input');
    assert.ok(asked?.kind === 'input');
    assert.equal(asked.prompt, 'Your deposit (your wallet has 5 TON)', 'the line above the box says the fresh read');
  });
});
