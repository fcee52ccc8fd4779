// In-host: a data folder that holds channels with money (a copy of the teaching demo's Alice after the initial
// state, so an open channel) is never left unwatched in silence: a failed automatic start says so and the status
// bar keeps saying it; a lost key is not replaced by a new one; channels the node cannot load are shown.
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mnemonicNew, mnemonicToPrivateKey } from '@ton/crypto';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import { EXTENSION_ID, api, demoThrough, notices, treeText, until } from './helpers.js';
import { Partner } from './partner.js';
import { itemMenus, type ItemMenu } from '../../helpers/menus.js';

type Ext = Awaited<ReturnType<typeof api>>;

describe('SynChannel review: channels with money are never unwatched in silence', function () {
  this.timeout(240_000);
  let ext: Ext;
  let tmp = '';
  let aliceDir = '';
  const cfg = () => vscode.workspace.getConfiguration('synchannel');
  const stopMine = async () => {
    if (!ext.status().runningNetwork) return;
    if (ext.test.channels('me').some((c) => ['locked', 'open', 'closing'].includes(c.phase)) || ext.test.broken('me').length) ext.test.answer({ confirm: 'Stop the Node' });
    await vscode.commands.executeCommand('synchannel.stopNode');
  };
  /** a data folder base whose sandbox folder holds Alice's open channel */
  const folderWithMoney = (name: string): string => {
    const base = join(tmp, name);
    cpSync(aliceDir, join(base, 'sandbox'), { recursive: true });
    return base;
  };

  before(async () => {
    ext = await api();
    tmp = mkdtempSync(join(tmpdir(), 'synchannel-watch-'));
    // this window's sandbox key exists (made on first use, in the default data folder)
    assert.ok(await vscode.commands.executeCommand('synchannel.getAccount'), JSON.stringify(ext.lastFailure()));
    await stopMine();
    await demoThrough(ext, ['connect', 'deploy', 'deposit', 'signInitial']);
    const started = ext.test.log().filter((l) => l.startsWith('teaching demo started (data: ')).at(-1);
    const demoDir = /\(data: (.*)\)$/.exec(started ?? '')?.[1];
    assert.ok(demoDir, 'the demo says where its data is');
    // Alice's folder is copied while the demo runs (a stopped demo removes its folder), without her node's lock
    await ext.test.settle();
    // her record on disk says open (its write may follow the view by a moment: the tests below name the phase)
    const records = join(demoDir, 'alice', 'channels');
    const record = () => readdirSync(records).map((id) => (existsSync(join(records, id, 'record.json')) ? readFileSync(join(records, id, 'record.json'), 'utf8') : '')).join('');
    await until("Alice's record on disk saying open", () => /"life":"open"/.test(record()));
    aliceDir = join(tmp, 'alice');
    cpSync(join(demoDir, 'alice'), aliceDir, { recursive: true });
    rmSync(join(aliceDir, 'synchannel.lock'), { force: true });
    await vscode.commands.executeCommand('synchannel.stopTeachingDemo');
  });

  after(async () => {
    await stopMine();
    await cfg().update('dataDir', undefined, vscode.ConfigurationTarget.Global);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a failed automatic start of a node whose folder holds channels with money says they are NOT watched; the status bar keeps saying so', async () => {
    await stopMine();
    assert.equal(ext.status().network, 'sandbox');
    const base = folderWithMoney('start-fails');
    // a damaged p2p identity: the node cannot start
    writeFileSync(join(base, 'sandbox', 'p2p', 'p2p-identity.key'), 'damaged');
    await cfg().update('dataDir', base, vscode.ConfigurationTarget.Global);
    ext.test.clearPrompts();
    assert.equal(await ext.test.startup(), 'failed');
    const said = await until('the failure shown', () => notices(ext).find((n) => /p2p identity/.test(n.message)), 10_000).catch(() => undefined);
    assert.ok(said, `nothing said: ${JSON.stringify(notices(ext))}`);
    assert.equal(said.level, 'error');
    assert.match(said.message, /1 channel with money in it on sandbox is NOT watched/);
    assert.ok(said.buttons.includes('Show Log'), said.buttons.join(', '));
    assert.match(ext.status().text, /NOT watched/);
    assert.match(ext.status().tooltip, /NOT watched/);
  });

  it("channels with money on another network's folder are said in the status bar while the node runs on this one", async () => {
    await stopMine();
    const base = join(tmp, 'elsewhere');
    cpSync(aliceDir, join(base, 'devnet'), { recursive: true });
    await cfg().update('dataDir', base, vscode.ConfigurationTarget.Global);
    assert.ok(await vscode.commands.executeCommand('synchannel.startNode'), JSON.stringify(ext.lastFailure()));
    assert.equal(ext.status().runningNetwork, 'sandbox');
    await until('the status bar says it', () => /devnet: 1 NOT watched/.test(ext.status().text), 20_000);
    assert.match(ext.status().tooltip, /1 channel with money on devnet is NOT watched while this window's node runs on sandbox/);
    await stopMine();
  });

  it('a lost key seed is not replaced by a new one while the data folder holds channels: the start says to import the key', async () => {
    await stopMine();
    const base = folderWithMoney('lost-seed');
    await cfg().update('dataDir', base, vscode.ConfigurationTarget.Global);
    const had = await ext.test.replaceSeed('sandbox', undefined);
    try {
      ext.test.clearPrompts();
      assert.equal(await ext.test.startup(), 'failed');
      const said = notices(ext).find((n) => /secret storage/.test(n.message));
      assert.ok(said, JSON.stringify(notices(ext)));
      assert.match(said.message, /holds 1 channel that is not closed \(open\), made with that key: a new key would not open it, so none was made\. Import that key/);
      assert.ok(said.buttons.includes('Import Mnemonic') && said.buttons.includes('Import Key Folder'), said.buttons.join(', '));
      assert.equal(await ext.test.replaceSeed('sandbox', undefined), undefined, 'no new seed was stored');
    } finally {
      await ext.test.replaceSeed('sandbox', had);
    }
  });

  it('a lost key seed is not replaced either while another process holds the data folder (it may hold channels of that key)', async () => {
    await stopMine();
    const base = join(tmp, 'held');
    await cfg().update('dataDir', base, vscode.ConfigurationTarget.Global);
    const holder = new Partner(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, ['--chain', 'sandbox', '--data', join(base, 'sandbox')]);
    const had = await ext.test.replaceSeed('sandbox', undefined);
    try {
      await holder.event('ready');
      assert.equal(await vscode.commands.executeCommand('synchannel.startNode'), undefined);
      const f = ext.lastFailure();
      assert.equal(f?.code, 'DATA_DIR_LOCKED', JSON.stringify(f));
      assert.match(f.message, /another window or process holds .*: no new key was made/);
      assert.equal(await ext.test.replaceSeed('sandbox', undefined), undefined, 'no new seed was stored');
    } finally {
      await holder.kill9();
      await ext.test.replaceSeed('sandbox', had);
    }
  });

  it('a data folder held by another process: once that process is gone, the window no longer says it is watched there', async () => {
    await stopMine();
    const base = join(tmp, 'held-then-free');
    await cfg().update('dataDir', base, vscode.ConfigurationTarget.Global);
    const holder = new Partner(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, ['--chain', 'sandbox', '--data', join(base, 'sandbox')]);
    try {
      await holder.event('ready');
      assert.equal(await ext.test.startup(), 'locked');
      assert.match(ext.status().text, /watched by another window/);
      // the balances panel says the same, not "Start the Node" (which cannot start here now)
      assert.match((await ext.webview.refresh()).hint ?? '', /^another VS Code window \(or a synchannel process\) holds this network's data folder/);
    } finally {
      await holder.kill9();
    }
    await until('the status to stop saying "watched by another window"', async () => {
      await ext.test.settle();
      return !/watched by another window/.test(ext.status().text);
    }, 30_000);
    assert.ok(ext.test.log().some((l) => /the sandbox data folder is free again/.test(l)), 'said in the log');
  });

  it('a command a window reload cut short is told by the next activation, once', async () => {
    ext.test.cutShort('withdraw');
    ext.test.clearPrompts();
    await ext.test.startup();
    const said = await until('told', () => notices(ext).find((n) => /reloaded or closed while a close \(withdraw\) was under way/.test(n.message)), 10_000);
    assert.equal(said.level, 'warning');
    assert.match(said.message, /look there before you run it again, since it may have gone through/);
    ext.test.clearPrompts();
    await ext.test.startup();
    assert.ok(!notices(ext).some((n) => /reloaded or closed while/.test(n.message)), 'told once');
  });

  it("a command cut short on another network's node names that network and offers the switch: this window's view does not show its channels", async () => {
    ext.test.cutShort('deposit', 'devnet');
    ext.test.clearPrompts();
    await ext.test.startup();
    const said = await until('told', () => notices(ext).find((n) => /reloaded or closed while a deposit on devnet was under way/.test(n.message)), 10_000);
    assert.match(said.message, /This window is on sandbox now: the SynChannel view shows your devnet channels once you Switch to devnet; look there before you run it again/);
    assert.deepEqual(said.buttons, ['Switch to devnet']);
  });

  it('channels the node cannot load are tree rows with their code and next step, counted in the status bar; Stop warns and Create Key is refused', async () => {
    await stopMine();
    // Alice's channel under this window's sandbox key: not the channel's key
    const base = folderWithMoney('wrong-key');
    await cfg().update('dataDir', base, vscode.ConfigurationTarget.Global);
    assert.ok(await vscode.commands.executeCommand('synchannel.startNode'), JSON.stringify(ext.lastFailure()));
    const broken = await until('a channel not loaded', () => ext.test.broken('me')[0]);
    await ext.test.settle();
    const me = ext.tree.snapshot().find((t) => t.id === 'net:me');
    assert.ok(me, `the node shows with its channel not loaded:\n${treeText(ext.tree.snapshot())}`);
    const row = me.children.find((r) => r.id === `broken:me:${broken.id}`);
    assert.ok(row, treeText(ext.tree.snapshot()));
    assert.match(row.label, / · not loaded$/);
    assert.ok(row.description.startsWith(broken.code), row.description);
    assert.ok(row.tooltip.includes(broken.message), row.tooltip);
    assert.match(row.tooltip, /Next: .+\./);
    // No channel action on it: each would fail (the node has no such channel loaded) or act on another channel.
    const menus = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { menus: Record<string, ItemMenu[]> } }).contributes.menus['view/item/context']!;
    assert.deepEqual(itemMenus(menus, row.contextValue).map((m) => m.command), [], `the row's context value: ${row.contextValue}`);
    assert.match(ext.status().text, /1 not loaded/);
    ext.test.clearPrompts();
    ext.test.answer({ confirm: null });
    assert.equal(await vscode.commands.executeCommand('synchannel.stopNode'), undefined);
    const asked = ext.test.prompts().find((p) => p.kind === 'confirm');
    assert.ok(asked?.kind === 'confirm' && /1 channel it could not load, which may hold money/.test(asked.message), JSON.stringify(asked));
    assert.equal(ext.status().runningNetwork, 'sandbox', 'No keeps the node');
    assert.equal(await vscode.commands.executeCommand('synchannel.createKey', 'sandbox'), undefined);
    assert.equal(ext.lastFailure()?.code, 'KEY_IN_USE', JSON.stringify(ext.lastFailure()));
    assert.match(ext.lastFailure()!.message, /not loaded/);
  });

  it('Stop while the node is still starting asks first, as for a running node that guards money', async () => {
    await stopMine();
    await cfg().update('dataDir', folderWithMoney('starting'), vscode.ConfigurationTarget.Global);
    const started = vscode.commands.executeCommand('synchannel.startNode');
    for (const end = Date.now() + 10_000; ext.status().node !== 'starting' && Date.now() < end; ) await new Promise((r) => setTimeout(r, 2));
    assert.equal(ext.status().node, 'starting');
    ext.test.clearPrompts();
    ext.test.answer({ confirm: null });
    assert.equal(await vscode.commands.executeCommand('synchannel.stopNode'), undefined);
    const asked = ext.test.prompts().find((p) => p.kind === 'confirm');
    assert.ok(asked?.kind === 'confirm' && /^Stop the node\? Your node (guards|holds) 1 channel/.test(asked.message), JSON.stringify(ext.test.prompts()));
    assert.ok(await started, JSON.stringify(ext.lastFailure()));
    assert.equal(ext.status().runningNetwork, 'sandbox', 'No keeps the node');
  });

  it('synchannel.dataDir "~/…" is a folder in the home folder; a relative one is refused at the start, saying to set a full path', async () => {
    await stopMine();
    try {
      await cfg().update('dataDir', '~/synchannel-tilde-test', vscode.ConfigurationTarget.Global);
      assert.equal(ext.status().dataDir, join(homedir(), 'synchannel-tilde-test', 'sandbox'));
      await cfg().update('dataDir', 'relative-folder', vscode.ConfigurationTarget.Global);
      assert.equal(await vscode.commands.executeCommand('synchannel.startNode'), undefined);
      const f = ext.lastFailure();
      assert.equal(f?.code, 'BAD_INPUT', JSON.stringify(f));
      assert.match(f.message, /^synchannel\.dataDir "relative-folder" is a relative path, .*: set a full path \(for example ~\/synchannel\)\. The node did not start$/);
      assert.equal(existsSync(join(process.cwd(), 'relative-folder')), false, 'nothing made in the working folder');
    } finally {
      // the failed start is cleared (a node that failed to start is restarted by a setting change)
      await vscode.commands.executeCommand('synchannel.stopNode');
      await cfg().update('dataDir', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('changing synchannel.dataDir: Restart the Node asks first (what the running node guards), and after the switch says the old folder is not watched', async () => {
    await stopMine();
    const old = folderWithMoney('old-folder');
    await cfg().update('dataDir', old, vscode.ConfigurationTarget.Global);
    assert.ok(await vscode.commands.executeCommand('synchannel.startNode'), JSON.stringify(ext.lastFailure()));
    await until('the channel of the old folder', () => ext.test.broken('me').length + ext.test.channels('me').length > 0);
    const fresh = join(tmp, 'new-folder');
    const restart = async (answer: string | null) => {
      ext.test.clearPrompts();
      ext.test.answer({ confirm: answer });
      await cfg().update('dataDir', fresh, vscode.ConfigurationTarget.Global);
      await until('the restart offer', () => ext.test.click(/applies when the node restarts/, 'Restart the Node'));
      return until('the question', () => ext.test.prompts().find((p) => p.kind === 'confirm'));
    };
    // No: the node keeps running on the old folder
    const asked = await restart(null);
    assert.ok(asked.kind === 'confirm' && /^Restart the node on .*new-folder.* \(nothing watches .*old-folder.* then\)\?/.test(asked.message), JSON.stringify(asked));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(ext.status().runningNetwork, 'sandbox');
    assert.equal(ext.status().dataDir, join(fresh, 'sandbox'), 'the setting says the new folder');
    assert.ok(ext.test.log().some((l) => /restart on the new data folder: cancelled/.test(l)), 'the node kept the old folder');
    // Restart: on the new folder, and the old one is said to be unwatched
    await cfg().update('dataDir', old, vscode.ConfigurationTarget.Global);
    await restart('Restart the Node');
    const said = await until('the warning about the old folder', () => notices(ext).find((n) => /still holds 1 channel with money in it, and nothing watches it now/.test(n.message)));
    assert.equal(said.level, 'warning');
    assert.ok(said.message.includes(join(old, 'sandbox')), said.message);
    assert.deepEqual(said.buttons, ['Open Settings']);
    assert.equal(ext.test.broken('me').length + ext.test.channels('me').length, 0, 'the node runs on the new, empty folder');
  });
});

describe('SynChannel review: a lost key while the data folder holds a channel (on a devnet, with a partner)', function () {
  this.timeout(240_000);
  let ext: Ext;
  let tmp = '';
  let partner: Partner | undefined;
  let account = '';
  let had: { words?: string[]; seed?: string } = {};
  const words = mnemonicNew(24);
  const cfg = () => vscode.workspace.getConfiguration('synchannel');
  /** a key folder of a key (wallet.pk, the raw seed; wallet.addr, the hash and workchain of `wallet`) */
  const keyFolder = (name: string, seed: Buffer, wallet: string | null) => {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'wallet.pk'), seed, { mode: 0o600 });
    if (wallet) writeFileSync(join(dir, 'wallet.addr'), Buffer.concat([Buffer.from(wallet, 'base64url').subarray(2, 34), Buffer.alloc(4)]));
    return dir;
  };

  before(async () => {
    ext = await api();
    if (ext.status().runningNetwork) await vscode.commands.executeCommand('synchannel.stopNode');
    tmp = mkdtempSync(join(tmpdir(), 'synchannel-lostkey-'));
    const url = (await vscode.commands.executeCommand('synchannel.startDevnet', 0)) as string | undefined;
    assert.ok(url, JSON.stringify(ext.lastFailure()));
    await cfg().update('dataDir', join(tmp, 'data'), vscode.ConfigurationTarget.Global);
    had = { words: await ext.test.replaceMnemonic('devnet', await words), seed: await ext.test.replaceSeed('devnet', undefined) };
    assert.equal(await vscode.commands.executeCommand('synchannel.switchNetwork', 'devnet'), 'devnet', JSON.stringify(ext.lastFailure()));
    account = (await vscode.commands.executeCommand('synchannel.startNode')) as string;
    assert.ok(account, JSON.stringify(ext.lastFailure()));
    assert.ok(await vscode.commands.executeCommand('synchannel.faucet', '5'), JSON.stringify(ext.lastFailure()));
    partner = new Partner(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, ['--chain', 'devnet', '--devnet-url', url, '--data', join(tmp, 'partner')]);
    await partner.event('ready');
    const served = await partner.run('serve 0 127.0.0.1');
    assert.ok(await vscode.commands.executeCommand('synchannel.connect', (served.lan as string[]).find((a) => a.startsWith('/ip4/127.0.0.1/'))), JSON.stringify(ext.lastFailure()));
    // a proposal is a channel that is not closed, made with this key
    assert.ok(await vscode.commands.executeCommand('synchannel.open', '1', '1'), JSON.stringify(ext.lastFailure()));
    await partner.event('channelProposed');
    ext.test.clearPrompts();
    ext.test.answer({ confirm: 'Stop the Node' });
    await vscode.commands.executeCommand('synchannel.stopNode');
    assert.equal(ext.status().runningNetwork, null, JSON.stringify(ext.test.prompts()));
    // the secret storage loses the key
    await ext.test.replaceMnemonic('devnet', undefined);
  });

  after(async () => {
    await partner?.kill9();
    await vscode.commands.executeCommand('synchannel.stopNode');
    await ext.test.forgetKeyFolder('devnet');
    await ext.test.replaceMnemonic('devnet', had.words);
    await ext.test.replaceSeed('devnet', had.seed);
    await cfg().update('dataDir', undefined, vscode.ConfigurationTarget.Global);
    await cfg().update('network', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('synchannel.stopDevnet');
    rmSync(tmp, { recursive: true, force: true });
  });

  it("the start names the channel's wallet; another key is refused naming it; Import Mnemonic of the channel's own 24 words is taken, and the node opens the channel", async () => {
    assert.equal(await vscode.commands.executeCommand('synchannel.startNode'), undefined);
    const start = ext.lastFailure();
    assert.equal(start?.code, 'NO_KEY', JSON.stringify(start));
    assert.ok(start.message.includes(`Import that key (Import Mnemonic, or Import Key Folder: the key of wallet ${account})`), start.message);
    // another key: Import Mnemonic of other words, and the Create Key of that error's buttons
    assert.equal(await vscode.commands.executeCommand('synchannel.importMnemonic', (await mnemonicNew(24)).join(' '), 'devnet'), undefined);
    for (const f of [ext.lastFailure(), (await vscode.commands.executeCommand('synchannel.createKey', 'devnet'), ext.lastFailure())]) {
      assert.equal(f?.code, 'KEY_IN_USE', JSON.stringify(f));
      assert.ok(f.message.includes(`made with the key of wallet ${account}: another key would not open it. Import that key (Import Mnemonic with its 24 words, or Import Key Folder)`), f.message);
    }
    ext.test.clearPrompts();
    // pasted as a person may: capitals, commas, extra spaces, a trailing newline (the node reads them so: the same check)
    const typed = `  ${(await words).map((w, i) => (i % 2 ? w.toUpperCase() : w)).join(',   ')} \n`;
    assert.equal(await vscode.commands.executeCommand('synchannel.importMnemonic', typed, 'devnet'), true, JSON.stringify(ext.lastFailure()));
    assert.deepEqual(ext.test.prompts().filter((p) => p.kind === 'confirm'), [], 'the same key: nothing to ask');
    // the toast names the wallet the node opens with the words (a wallet app may hold them in another)
    const told = ext.test.prompts().find((p) => p.kind === 'notify' && /mnemonic imported for devnet/.test(p.message));
    assert.ok(told?.kind === 'notify' && told.message.includes(`its wallet here is ${account} (a W5 wallet, v5r1)`), JSON.stringify(told));
    assert.equal(await vscode.commands.executeCommand('synchannel.startNode'), account, JSON.stringify(ext.lastFailure()));
    assert.equal(ext.test.channels('me')[0]?.phase, 'proposed', ext.test.channels('me').map((c) => c.phase).join(', '));
    await vscode.commands.executeCommand('synchannel.stopNode');
  });

  it("Import Key Folder with the channels' own key (a moved key folder) is taken; another key's is refused naming the wallet", async () => {
    const seed = Buffer.from((await mnemonicToPrivateKey(await words)).secretKey.subarray(0, 32));
    const other = Buffer.alloc(32, 3);
    const otherWallet = (await vscode.commands.executeCommand('synchannel.importKeyFolder', keyFolder('probe', other, account), 'devnet'), ext.lastFailure());
    assert.equal(otherWallet?.code, 'KEY_ADDRESS_MISMATCH', JSON.stringify(otherWallet));
    const m = /tried v5r1: (\S+?);/.exec(otherWallet.message);
    assert.ok(m, otherWallet.message);
    assert.equal(await vscode.commands.executeCommand('synchannel.importKeyFolder', keyFolder('other-key', other, m[1]!), 'devnet'), undefined);
    assert.equal(ext.lastFailure()?.code, 'KEY_IN_USE', JSON.stringify(ext.lastFailure()));
    assert.ok(ext.lastFailure()!.message.includes(`the key of wallet ${account}`), ext.lastFailure()!.message);
    ext.test.clearPrompts();
    assert.equal(await vscode.commands.executeCommand('synchannel.importKeyFolder', keyFolder('same-key', seed, account), 'devnet'), true, JSON.stringify(ext.lastFailure()));
    assert.deepEqual(ext.test.prompts().filter((p) => p.kind === 'confirm'), [], 'the same key: nothing to ask');
    assert.equal(await vscode.commands.executeCommand('synchannel.startNode'), account, JSON.stringify(ext.lastFailure()));
  });
});
