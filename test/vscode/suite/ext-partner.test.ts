// In-host, with a real partner: this window serves a devnet, the user's node runs on it, and the partner is a
// `synchannel` CLI process on the same devnet. Serving (the address to give, a busy port), a channel opened
// through the commands, the wallets that connect (logged within a budget a minute), the node starting by itself
// after a reload when its data folder holds channels to watch, and a withdraw with the partner gone silent. What the partner's moves say (the notifications) is in
// ext-partner-notices.test.ts.
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import type { ChannelView } from '../../../src/node/types.js';
import { figureAmount } from '../../../webview/protocol.js';
import { EXTENSION_ID, api, notices, treeText, until } from './helpers.js';
import { devnetWithPartner, endDevnetPartner, type DevnetPartner } from './partner.js';

type Ext = Awaited<ReturnType<typeof api>>;

describe('SynChannel with a partner on a devnet (a CLI process)', function () {
  this.timeout(240_000);
  let d: DevnetPartner | undefined;
  let ext: Ext;
  let busy: Server | undefined;
  const channel = (): ChannelView => d!.channel();

  before(async () => {
    d = await devnetWithPartner();
    ext = d.ext;
  });

  after(async () => {
    busy?.close();
    await endDevnetPartner(d);
  });

  it('Serve on a busy port says so, with a button to serve on a free port', async () => {
    busy = createServer();
    const port = await new Promise<number>((r) => busy!.listen(0, '0.0.0.0', () => r((busy!.address() as { port: number }).port)));
    assert.equal(await vscode.commands.executeCommand('synchannel.serve', port), undefined);
    const f = ext.lastFailure();
    assert.ok(f?.shown, `a failure: ${JSON.stringify(f)}`);
    assert.match(f.message, new RegExp(`port ${port} is in use`));
    assert.doesNotMatch(f.message, /libp2p|EADDRINUSE|Error:/);
    assert.ok(f.shown.buttons.includes('Serve on a Free Port'), `buttons: ${f.shown.buttons.join(', ')}`);
    // a port typed into a Serve that failed is offered again the next time
    ext.test.clearPrompts();
    ext.test.answer({ input: String(port) });
    assert.equal(await vscode.commands.executeCommand('synchannel.serve'), undefined);
    assert.match(ext.lastFailure()?.message ?? '', new RegExp(`port ${port} is in use`));
    ext.test.answer({ input: String(port) });
    assert.equal(await vscode.commands.executeCommand('synchannel.serve'), undefined);
    const asked = ext.test.prompts().filter((p) => p.kind === 'input');
    assert.deepEqual(asked.map((p) => p.kind === 'input' && p.value), ['3000', String(port)], JSON.stringify(asked));
    assert.deepEqual(ext.test.unanswered(), []);
  });

  it('Serve offers the LAN address first (not the loopback), and Copy Multiaddr copies it', async () => {
    ext.test.clearPrompts();
    const r = (await vscode.commands.executeCommand('synchannel.serve', 0)) as { lan: string[]; wan: string[] } | undefined;
    assert.ok(r, JSON.stringify(ext.lastFailure()));
    const lan = [...r.lan, ...r.wan].filter((a) => !/^\/ip4\/127\.|^\/ip6\/::1\//.test(a));
    const said = notices(ext).find((n) => /Give them this address/.test(n.message));
    assert.ok(said, `the notifications: ${JSON.stringify(notices(ext))}`);
    if (lan.length) {
      assert.ok(said.message.endsWith(lan[0]!), `offered: ${said.message}; LAN addresses: ${lan.join(' ')}`);
      // no public address set: the toast says how a partner elsewhere reaches this machine
      assert.match(said.message, /your local network only: for a partner elsewhere, forward port \d+ to this machine and set synchannel\.announce/);
      if (r.lan.length + r.wan.length > 1) ext.test.answer({ pick: lan[0]! });
      const copied = await vscode.commands.executeCommand('synchannel.copyMultiaddr', { party: 'me' });
      assert.equal(copied, lan[0]);
    } else {
      assert.match(said.message, /this machine only/);
    }
  });

  it('synchannel.announce: Serve offers the public address first; a value that is not a multiaddr is left out, said, and the node starts', async () => {
    const settings = vscode.workspace.getConfiguration('synchannel');
    await settings.update('announce', ['/ip4/203.0.113.7/tcp/4001', 'my-router'], vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('synchannel.stopNode');
      ext.test.clearPrompts();
      const r = (await vscode.commands.executeCommand('synchannel.serve', 0)) as { lan: string[]; wan: string[] } | undefined;
      assert.ok(r, JSON.stringify(ext.lastFailure()));
      const wan = r.wan.find((a) => a.startsWith('/ip4/203.0.113.7/tcp/4001/p2p/'));
      assert.ok(wan, `WAN: ${r.wan.join(' ')}`);
      const offered = notices(ext).find((n) => /Give them this address/.test(n.message));
      assert.ok(offered, JSON.stringify(notices(ext)));
      assert.ok(offered.message.endsWith(`: ${wan}`), `offered: ${offered.message}`);
      assert.doesNotMatch(offered.message, /local network only/);
      const left = notices(ext).find((n) => /synchannel\.announce: "my-router" is not a TCP multiaddr/.test(n.message));
      assert.ok(left, JSON.stringify(notices(ext)));
      assert.deepEqual(left.buttons, ['Open Settings']);
    } finally {
      await settings.update('announce', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('synchannel.stopNode');
    }
  });

  it('connects and opens a channel; the partner accepts; "Partner signature" and "Partner address" are logged once', async () => {
    const served = await d!.partner.run('serve 0 127.0.0.1');
    const addr = (served.lan as string[]).find((a) => a.startsWith('/ip4/127.0.0.1/'))!;
    assert.ok(await vscode.commands.executeCommand('synchannel.connect', addr), JSON.stringify(ext.lastFailure()));
    // The welcome views follow the partners online (the serving side's changes once they connect)
    await until('partnersOnline set', async () => {
      await ext.test.settle();
      return ext.test.contextKey('partnersOnline') === 1;
    }, 10_000);
    const welcome = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { viewsWelcome: { when: string; contents: string }[] } }).contributes.viewsWelcome;
    const serving = welcome.filter((w) => /(^|&& )synchannel\.serving && synchannel\.partnersOnline > 0/.test(w.when));
    assert.equal(serving.length, 1, JSON.stringify(welcome.map((w) => w.when)));
    assert.match(serving[0]!.contents, /^Your partner's node is connected, with no channel yet\./);
    // Deposit before any proposal: says so, and proposes nothing of its own
    ext.test.clearPrompts();
    assert.equal(await vscode.commands.executeCommand('synchannel.deposit'), undefined);
    assert.equal(ext.lastFailure()?.code, 'NO_CHANNEL', JSON.stringify(ext.lastFailure()));
    assert.match(ext.lastFailure()!.message, /no proposal from your partner yet/);
    assert.deepEqual(ext.test.prompts().filter((p) => p.kind !== 'notify'), [], 'nothing asked');
    assert.ok(await vscode.commands.executeCommand('synchannel.open', '2', '1'), JSON.stringify(ext.lastFailure()));
    await d!.partner.event('channelProposed');
    await d!.partner.run('deposit');
    await until('the channel open on the user side', async () => {
      await ext.test.settle();
      return ext.test.channels('me')[0]?.phase === 'open' && ext.test.channels('me')[0]?.latest;
    }, 90_000);
    assert.equal(channel().challengePeriod, 120, 'the synchannel.challengePeriod setting reached the node');
    const log = ext.test.log();
    // this partner's lines (the window's log also holds the partners of the files before this one): the two once
    const at = log.flatMap((l, i) => (l === `Partner address: ${channel().partnerAddress}` ? [i] : []));
    assert.equal(at.length, 1, log.join('\n'));
    assert.equal(log.filter((l, i) => l.startsWith('Partner signature: ') && log[i + 1] === log[at[0]!]).length, 1, log.join('\n'));
    const row = ext.tree.snapshot().find((t) => t.id === 'net:me');
    assert.ok(row, treeText(ext.tree.snapshot()));
    assert.equal(row.label, 'You');
    assert.match(row.children[0]!.label, /^0Q.{4}….{4} · partner$/);
  });

  it('wallets with no channel here that connect: one toast a minute, and only a few go to the log', async () => {
    ext.test.clearPrompts();
    const before = ext.test.log().length;
    for (let i = 0; i < 300; i++) ext.test.notify({ type: 'partnerConnected', partner: { address: `0QStranger${i}`, signature: 'AB', peerId: `p${i}`, online: true } });
    const toasts = notices(ext).filter((n) => /partner connected/.test(n.message));
    assert.ok(toasts.length <= 1, `${toasts.length} toasts for 300 strangers`);
    const logged = ext.test.log().slice(before).filter((l) => /^Partner address: 0QStranger/.test(l));
    assert.ok(logged.length > 0 && logged.length <= 20, `${logged.length} strangers logged`);
  });

  it('the balances panel reads your wallet again after a command that moved it (Get Test Coins)', async () => {
    const wallet = async () => figureAmount((await ext.webview.refresh()).selected?.yourWallet)?.nano;
    const before = await wallet();
    assert.ok(before, 'the panel shows your wallet');
    assert.ok(await vscode.commands.executeCommand('synchannel.faucet', '1'), JSON.stringify(ext.lastFailure()));
    const after = await wallet();
    assert.ok(after && BigInt(after) > BigInt(before), `the wallet read again: ${before} then ${after}`);
  });

  it('Create Key on a network whose data folder holds a channel that is not closed is refused: the key stays', async () => {
    const account = ext.test.channels('me')[0]!.myAddress;
    assert.equal(await vscode.commands.executeCommand('synchannel.createKey', 'devnet'), undefined);
    const f = ext.lastFailure();
    assert.equal(f?.code, 'KEY_IN_USE', JSON.stringify(f));
    assert.match(f.message, /the devnet key is the key of 1 channel that is not closed .*open.*Close them first, or use another network or data folder/);
    assert.equal(ext.test.channels('me')[0]!.myAddress, account);
    assert.equal(await vscode.commands.executeCommand('synchannel.getAccount'), account, 'the node runs with the same key');
  });

  it('a network change made in the Settings (not by Switch Network) does not restart a node that guards channels: it says so, with a button to switch', async () => {
    ext.test.clearPrompts();
    const cfg = () => vscode.workspace.getConfiguration('synchannel');
    await cfg().update('network', 'sandbox', vscode.ConfigurationTarget.Global);
    try {
      const said = await until('the warning', () => notices(ext).find((n) => /network setting changed to sandbox, but this window's node stays on devnet: it guards 1 channel/.test(n.message)));
      assert.equal(said.level, 'warning');
      assert.doesNotMatch(said.message, /another window/, 'this window may have made the change (its Settings editor)');
      assert.match(said.message, /Switch to sandbox moves the node there \(it asks first\); or set synchannel\.network back to devnet\.$/);
      assert.deepEqual(said.buttons, ['Switch to sandbox']);
      assert.equal(ext.status().runningNetwork, 'devnet');
    } finally {
      await cfg().update('network', 'devnet', vscode.ConfigurationTarget.Global);
    }
    assert.equal(ext.status().runningNetwork, 'devnet');
  });

  it("this window's Switch Network asks first, naming the channel and how long the node may stay off; No keeps the node", async () => {
    ext.test.clearPrompts();
    ext.test.answer({ confirm: null });
    assert.equal(await vscode.commands.executeCommand('synchannel.switchNetwork', 'sandbox'), undefined);
    const asked = ext.test.prompts().find((p) => p.kind === 'confirm');
    assert.ok(asked?.kind === 'confirm', JSON.stringify(ext.test.prompts()));
    assert.match(asked.message, /Switch from devnet to sandbox .*\? Your node guards 1 channel with money in it/);
    assert.ok(asked.detail.includes(channel().contract), asked.detail);
    assert.match(asked.detail, /start it at least once every 2 min/);
    assert.equal(ext.status().runningNetwork, 'devnet');
    assert.equal(ext.status().network, 'devnet');
  });

  it('a long history shows its last steps, newest first, and a "Show earlier steps" row that shows more', async () => {
    const target = { party: 'me', channel: channel().id };
    // the partner's turn: automatic mode offers Send (it asks for the turn itself) beside Request the Turn
    await ext.test.settle();
    const row = () => ext.tree.snapshot().find((t) => t.id === 'net:me')!.children[0]!;
    assert.equal(channel().actions.send.ok, false);
    assert.match(row().contextValue, /\bcan-send\b.*\bcan-request\b/);
    assert.ok(await vscode.commands.executeCommand('synchannel.send', target, '0.01'), JSON.stringify(ext.lastFailure()));
    for (let i = 1; i < 5; i++) {
      await until('the turn back', () => channel().actions.send.ok);
      assert.ok(await vscode.commands.executeCommand('synchannel.send', target, '0.01'), JSON.stringify(ext.lastFailure()));
    }
    await until('12 states signed by both', () => channel().count === 12n && channel().actions.send.ok);
    await ext.test.settle();
    const rows = () => ext.tree.snapshot().find((t) => t.id === 'net:me')!.children[0]!.children;
    assert.deepEqual(rows().map((r) => r.label), [...[11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((n) => `Step ${n}`), 'Show earlier steps'], treeText(ext.tree.snapshot()));
    assert.equal(rows().at(-1)!.description, '2 more');
    assert.match(rows()[1]!.description, /^you pay 0\.01 TON · A \[1\.95 1\.05\] B$/);
    assert.match(rows()[0]!.description, /passes the turn/);
    await vscode.commands.executeCommand('synchannel.showEarlier', { kind: 'channel', party: 'me', channelId: channel().id });
    assert.deepEqual(rows().map((r) => r.label).slice(-2), ['Step 1', 'Step 0']);
  });

  it('Send right after a send waits for the partner to sign and pass the turn (the CLI\'s wait) instead of failing', async () => {
    const target = { party: 'me', channel: channel().id };
    await until('the turn back', () => channel().actions.send.ok);
    assert.ok(await vscode.commands.executeCommand('synchannel.send', target, '0.01'), JSON.stringify(ext.lastFailure()));
    assert.ok(await vscode.commands.executeCommand('synchannel.send', target, '0.01'), JSON.stringify(ext.lastFailure()));
    await until('the second payment signed by both', () => (channel().latest?.step ?? 0n) >= 14n);
  });

  it('after a window reload the node starts by itself when its data folder holds live channels: tree and status bar show them', async () => {
    // Stop asks first while the node guards the channel: No keeps it running
    ext.test.answer({ confirm: null }, { confirm: 'Stop the Node' });
    assert.equal(await vscode.commands.executeCommand('synchannel.stopNode'), undefined);
    assert.equal(ext.status().runningNetwork, 'devnet');
    await vscode.commands.executeCommand('synchannel.stopNode');
    await ext.test.settle();
    assert.equal(ext.tree.snapshot().length, 0);
    assert.match(ext.status().text, /devnet · stopped/);
    assert.equal(await ext.test.startup(), 'started');
    await ext.test.settle();
    const row = ext.tree.snapshot().find((t) => t.id === 'net:me');
    assert.ok(row?.children.length === 1, treeText(ext.tree.snapshot()));
    assert.match(ext.status().text, /devnet · watching 1 · 1\.93 TON/);
    await until('the partner back online', () => channel().partnerOnline, 60_000);
  });

  it('an amount typed into a Send that failed is offered again the next time', async () => {
    await d!.partner.kill9();
    await until('the partner offline', () => !channel().partnerOnline, 60_000);
    const target = { party: 'me', channel: channel().id };
    await until('the turn', () => channel().actions.send.ok);
    // delivered when the partner is back: a send after it waits for their signature, and they are offline
    assert.ok(await vscode.commands.executeCommand('synchannel.send', target, '0.01'), JSON.stringify(ext.lastFailure()));
    ext.test.clearPrompts();
    ext.test.answer({ input: '0.02' });
    assert.equal(await vscode.commands.executeCommand('synchannel.send', target), undefined);
    assert.equal(ext.lastFailure()?.code, 'PARTNER_OFFLINE', JSON.stringify(ext.lastFailure()));
    ext.test.answer({ input: '0.02' });
    assert.equal(await vscode.commands.executeCommand('synchannel.send', target), undefined);
    const asked = ext.test.prompts().filter((p) => p.kind === 'input');
    assert.deepEqual(asked.map((p) => p.kind === 'input' && p.value), ['', '0.02'], JSON.stringify(asked));
    assert.deepEqual(ext.test.unanswered(), []);
  });

  it('withdraw with the partner gone silent: the node refuses a cooperative close before anything is sent, and the close alone is offered; a fallback says so', async () => {
    await d!.partner.kill9();
    await until('the partner offline', () => !channel().partnerOnline, 60_000);
    const ch = channel();
    const target = { party: 'me', channel: ch.id };
    ext.test.clearPrompts();
    // the node decides (it gives the partner a moment to connect): the offer to close alone follows its refusal
    ext.test.answer({ pick: 'Cooperative close' }, { confirm: `Close with Step ${ch.latest!.step}` }, { confirm: null });
    assert.equal(await vscode.commands.executeCommand('synchannel.withdraw', target), undefined);
    const confirms = ext.test.prompts().filter((p) => p.kind === 'confirm');
    assert.deepEqual(confirms.map((p) => p.kind === 'confirm' && /^Close the channel with your partner\?$/.test(p.message)), [true, false], JSON.stringify(confirms));
    const asked = confirms.at(-1);
    assert.ok(asked?.kind === 'confirm' && /offline: a cooperative close needs their signature/.test(asked.message), JSON.stringify(asked));
    assert.equal(channel().phase, 'open', 'nothing was sent');

    ext.test.clearPrompts();
    ext.test.answer({ confirm: `Close with Step ${ch.latest!.step}` });
    const r = (await vscode.commands.executeCommand('synchannel.withdraw', target, 'auto')) as { fellBack: boolean } | undefined;
    assert.ok(r, JSON.stringify(ext.lastFailure()));
    const auto = ext.test.prompts().find((p) => p.kind === 'confirm');
    assert.ok(auto?.kind === 'confirm' && /Cooperative if .* answers .* else a close alone/.test(auto.detail), JSON.stringify(auto));
    assert.equal(r.fellBack, true);
    const warned = notices(ext).find((n) => n.level === 'warning' && /cooperative close was not possible \(.*\): a unilateral close started/.test(n.message));
    assert.ok(warned, JSON.stringify(notices(ext)));
    assert.match(warned.message, /[Tt]he node pays out in \d+ (min|s)/, 'in the chain\'s time, from the node\'s view');
    assert.deepEqual(ext.test.unanswered(), []);
    // closing: the countdown is read again on a timer, not only on node events
    await until('the channel closing', async () => (await ext.test.settle(), channel().phase === 'closing'));
    assert.equal(ext.test.countdown(), true);
  });

  it('after a switch away from a folder another process holds, the status no longer says "watched by another window"', async () => {
    const cfg = () => vscode.workspace.getConfiguration('synchannel');
    if (ext.status().runningNetwork) {
      if (ext.test.channels('me').some((c) => ['locked', 'open', 'closing'].includes(c.phase))) ext.test.answer({ confirm: 'Stop the Node' });
      await vscode.commands.executeCommand('synchannel.stopNode');
    }
    const base = join(d!.dir, 'base');
    await cfg().update('dataDir', base, vscode.ConfigurationTarget.Global);
    // another process (a CLI node) holds this window's devnet data folder
    const holder = d!.cli(join(base, 'devnet'));
    try {
      await holder.event('ready');
      assert.equal(await ext.test.startup(), 'locked');
      assert.match(ext.status().text, /devnet · watched by another window/);
      assert.equal(await vscode.commands.executeCommand('synchannel.switchNetwork', 'sandbox'), 'sandbox', JSON.stringify(ext.lastFailure()));
      await ext.test.settle();
      assert.match(ext.status().text, /SynChannel: sandbox · stopped/);
    } finally {
      await holder.kill9();
      await cfg().update('dataDir', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a data folder holding a key folder of another key (a command-line node ran on it) says so when the node starts, with Import Key Folder', async () => {
    const cfg = () => vscode.workspace.getConfiguration('synchannel');
    const base = join(d!.dir, 'cli-key');
    await cfg().update('dataDir', base, vscode.ConfigurationTarget.Global);
    // the command line on this window's devnet folder: it makes its own key there (wallet.pk, wallet.addr)
    const cli = d!.cli(join(base, 'devnet'));
    try {
      await cli.event('ready');
    } finally {
      await cli.kill9();
    }
    try {
      ext.test.clearPrompts();
      assert.equal(await vscode.commands.executeCommand('synchannel.switchNetwork', 'devnet'), 'devnet', JSON.stringify(ext.lastFailure()));
      if (!ext.status().runningNetwork) await vscode.commands.executeCommand('synchannel.startNode');
      await until('the notice of the other key', () => notices(ext).some((n) => /holds a key folder \(wallet\.pk\) of another key/.test(n.message)), 30_000);
      const said = notices(ext).filter((n) => /holds a key folder/.test(n.message));
      assert.equal(said.length, 1, JSON.stringify(said));
      assert.equal(said[0]!.level, 'warning');
      assert.deepEqual(said[0]!.buttons, ['Import Key Folder']);
      assert.match(said[0]!.message, /not this window's 0Q.*: channels opened there with that key .* are not this key's/);
    } finally {
      await vscode.commands.executeCommand('synchannel.stopNode');
      await cfg().update('dataDir', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
