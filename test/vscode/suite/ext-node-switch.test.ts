// In-host: switching network restarts the user's node on the other chain with its own data dir (channels of each
// network kept apart); a network setting changed elsewhere (another window, the Settings editor) leaves the node
// where it runs, and says so. The node's start and the commands around it are ext-network.test.ts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import { api, notices, until } from './helpers.js';

describe('SynChannel network switch', function () {
  this.timeout(120_000);
  let ext: Awaited<ReturnType<typeof api>>;
  let devnetUrl: string | undefined;

  before(async () => {
    ext = await api();
    // the node runs on sandbox (started on first use), as the switches below begin from it
    assert.ok(await vscode.commands.executeCommand('synchannel.getAccount'), JSON.stringify(ext.lastFailure()));
  });

  after(async () => {
    await vscode.workspace.getConfiguration('synchannel').update('network', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('synchannel.stopNode');
    if (devnetUrl) await vscode.commands.executeCommand('synchannel.stopDevnet');
  });

  it("a toast's button of a channel of the testnet node, clicked while the node runs on sandbox, is refused naming both networks, with Switch to testnet", async () => {
    assert.equal(ext.status().runningNetwork, 'sandbox');
    assert.equal(await vscode.commands.executeCommand('synchannel.sign', { party: 'me', channel: 'kQtestnetChannel', network: 'testnet' }), undefined);
    const f = ext.lastFailure();
    assert.equal(f?.code, 'OTHER_NETWORK', JSON.stringify(f));
    assert.equal(f.message, 'that channel is on testnet, and your node runs on sandbox now: switch to testnet to act on it');
    assert.deepEqual(f.shown?.buttons, ['Switch to testnet', 'Copy Details']);
    assert.equal(ext.status().runningNetwork, 'sandbox', 'nothing switched by itself');
  });

  it("a network change this window's Switch Network did not make (another window's, a Settings editor) leaves the idle node running here, and says so with a button to switch", async () => {
    assert.equal(ext.status().runningNetwork, 'sandbox');
    const account = await vscode.commands.executeCommand('synchannel.getAccount');
    const cfg = () => vscode.workspace.getConfiguration('synchannel');
    ext.test.clearPrompts();
    await cfg().update('network', 'devnet', vscode.ConfigurationTarget.Global);
    try {
      const said = await until('the notice', () => notices(ext).find((n) => /network setting changed to devnet/.test(n.message)));
      assert.equal(said.message, "SynChannel: the network setting changed to devnet, but this window's node stays on sandbox: only Switch Network in this window moves it (the setting is shared by every window). Switch to devnet moves the node there; or set synchannel.network back to sandbox.");
      assert.deepEqual(said.buttons, ['Switch to devnet']);
      await ext.test.quiet();
      assert.equal(ext.status().runningNetwork, 'sandbox', 'not restarted');
      assert.equal(await vscode.commands.executeCommand('synchannel.getAccount'), account, 'the same node answers');
    } finally {
      await cfg().update('network', 'sandbox', vscode.ConfigurationTarget.Global);
      await ext.test.quiet();
    }
    assert.equal(ext.status().runningNetwork, 'sandbox');
  });

  it("a network change this window's Switch Network did not make, coming while the node starts, leaves it on the network it starts on, said as for a running node", async () => {
    const cfg = () => vscode.workspace.getConfiguration('synchannel');
    await vscode.commands.executeCommand('synchannel.stopNode');
    await ext.test.quiet();
    assert.equal(ext.status().runningNetwork, null);
    ext.test.clearPrompts();
    // the start is held (status 'starting') until the setting's change has been taken in
    const release = ext.test.holdStart();
    const started = vscode.commands.executeCommand('synchannel.startNode');
    try {
      await until('the node starting', () => ext.status().node === 'starting');
      await cfg().update('network', 'devnet', vscode.ConfigurationTarget.Global);
      // this extension host reads the new value once its change event has been fired (the handlers run at once)
      await until('the new setting read here', () => cfg().get('network') === 'devnet');
      release();
      assert.ok(await started, JSON.stringify(ext.lastFailure()));
      assert.equal(ext.status().node, 'running');
      const said = await until('the notice', () => notices(ext).find((n) => /network setting changed to devnet/.test(n.message)));
      assert.match(said.message, /^SynChannel: the network setting changed to devnet, but this window's node stays on sandbox: /);
      assert.deepEqual(said.buttons, ['Switch to devnet']);
      await ext.test.quiet();
      assert.equal(ext.status().runningNetwork, 'sandbox', 'not moved to devnet by the change');
      assert.ok(ext.test.log().includes('the network setting changed to devnet while the node starts: it is judged once the node has started'), 'the change was taken in while the node started');
    } finally {
      release();
      await cfg().update('network', 'sandbox', vscode.ConfigurationTarget.Global);
      await ext.test.quiet();
    }
    assert.equal(ext.status().runningNetwork, 'sandbox');
  });

  it("the hasKey context key follows the node running (sandbox, with its key), not the network set (testnet, with none)", async () => {
    assert.equal(ext.status().runningNetwork, 'sandbox');
    const cfg = () => vscode.workspace.getConfiguration('synchannel');
    const words = await ext.test.replaceMnemonic('testnet', undefined);
    const seed = await ext.test.replaceSeed('testnet', undefined);
    try {
      await cfg().update('network', 'testnet', vscode.ConfigurationTarget.Global);
      await ext.test.quiet();
      assert.equal(ext.status().runningNetwork, 'sandbox', 'the node stays (a change not made by Switch Network)');
      // the keys are set together once the key is read: a change they follow (the demo's start) makes them current
      assert.ok(await vscode.commands.executeCommand('synchannel.openTeachingDemo'), JSON.stringify(ext.lastFailure()));
      await until('the context keys set after the change', () => ext.test.contextKey('demoRunning') === true);
      assert.equal(ext.test.contextKey('network'), 'sandbox');
      assert.equal(ext.test.contextKey('hasKey'), true, 'the sandbox node has its key');
    } finally {
      await vscode.commands.executeCommand('synchannel.stopTeachingDemo');
      await cfg().update('network', 'sandbox', vscode.ConfigurationTarget.Global);
      await ext.test.quiet();
      await ext.test.replaceMnemonic('testnet', words);
      await ext.test.replaceSeed('testnet', seed);
    }
  });

  it('with the network set elsewhere (testnet, no key), the node running here on sandbox restarts on sandbox (Restart the Node), and Show Key Words speaks of its key', async () => {
    const account = await vscode.commands.executeCommand('synchannel.startNode');
    assert.ok(account, JSON.stringify(ext.lastFailure()));
    assert.equal(ext.status().runningNetwork, 'sandbox');
    const cfg = () => vscode.workspace.getConfiguration('synchannel');
    const words = await ext.test.replaceMnemonic('testnet', undefined);
    const seed = await ext.test.replaceSeed('testnet', undefined);
    const starts = () => ext.test.log().filter((l) => /node started on|the node did not start/.test(l)).length;
    try {
      await cfg().update('network', 'testnet', vscode.ConfigurationTarget.Global);
      await ext.test.quiet();
      assert.equal(ext.status().runningNetwork, 'sandbox', 'the node stays (a change not made by Switch Network)');
      // the key commands act on the network this window shows (its node's), as its menus do
      assert.equal(await vscode.commands.executeCommand('synchannel.showKeyWords'), undefined);
      assert.equal(ext.lastFailure()?.code, 'NO_WORDS', JSON.stringify(ext.lastFailure()));
      assert.match(ext.lastFailure()?.message ?? '', /^the sandbox key /);
      // a setting that applies on a restart: Restart the Node restarts this node, on sandbox, not on the network set
      const before = starts();
      ext.test.clearPrompts();
      await cfg().update('autoPassTurn', false, vscode.ConfigurationTarget.Global);
      await until('the restart offer', () => ext.test.click(/applies when the node restarts/, 'Restart the Node'));
      await until('the restart', () => starts() > before);
      assert.equal(ext.status().runningNetwork, 'sandbox', ext.test.log().slice(-5).join('\n'));
      assert.equal(await vscode.commands.executeCommand('synchannel.getAccount'), account, 'the same wallet, on sandbox');
    } finally {
      await cfg().update('autoPassTurn', undefined, vscode.ConfigurationTarget.Global);
      await cfg().update('network', 'sandbox', vscode.ConfigurationTarget.Global);
      await ext.test.quiet();
      await ext.test.replaceMnemonic('testnet', words);
      await ext.test.replaceSeed('testnet', seed);
      if (!ext.status().runningNetwork) await vscode.commands.executeCommand('synchannel.startNode');
    }
    assert.equal(ext.status().runningNetwork, 'sandbox');
  });

  it('switching to devnet restarts the node on that chain with its own data dir and key, and back', async () => {
    const sandboxAccount = (await vscode.commands.executeCommand('synchannel.getAccount')) as string;
    const sandboxDir = ext.status().dataDir;
    devnetUrl = (await vscode.commands.executeCommand('synchannel.startDevnet', 0)) as string | undefined;
    assert.ok(devnetUrl, `startDevnet failed: ${JSON.stringify(ext.lastFailure())}`);
    assert.match(devnetUrl, /^http:\/\/127\.0\.0\.1:\d+/);

    const r = await vscode.commands.executeCommand('synchannel.switchNetwork', 'devnet');
    assert.equal(r, 'devnet', `switch failed: ${JSON.stringify(ext.lastFailure())}`);
    assert.equal(ext.status().runningNetwork, 'devnet');
    assert.match(ext.status().text, /SynChannel: devnet · running/);
    assert.match(ext.status().dataDir, /[\\/]devnet$/);
    assert.notEqual(ext.status().dataDir, sandboxDir);
    const devnetAccount = await vscode.commands.executeCommand('synchannel.getAccount');
    assert.ok(devnetAccount);
    assert.notEqual(devnetAccount, sandboxAccount, 'each network has its own key');

    const back = await vscode.commands.executeCommand('synchannel.switchNetwork', 'sandbox');
    assert.equal(back, 'sandbox', `switch back failed: ${JSON.stringify(ext.lastFailure())}`);
    assert.equal(ext.status().runningNetwork, 'sandbox');
    assert.equal(ext.status().dataDir, sandboxDir);
    assert.equal(await vscode.commands.executeCommand('synchannel.getAccount'), sandboxAccount, 'the sandbox key is kept across the switch');
  });

  it('Stop Devnet while the node runs on that devnet stops the node too, and says so; the status bar no longer says "running"', async () => {
    assert.equal(await vscode.commands.executeCommand('synchannel.switchNetwork', 'devnet'), 'devnet', JSON.stringify(ext.lastFailure()));
    assert.equal(ext.status().runningNetwork, 'devnet');
    ext.test.clearPrompts();
    assert.equal(await vscode.commands.executeCommand('synchannel.stopDevnet'), true);
    assert.equal(ext.status().runningNetwork, null);
    assert.doesNotMatch(ext.status().text, /running/);
    const said = notices(ext).find((n) => /devnet stopped/.test(n.message));
    assert.ok(said?.message.includes(`devnet stopped, and your node with it: it ran on that devnet (${devnetUrl}). Start the Devnet, then Start the Node, to go on`), JSON.stringify(notices(ext)));
    devnetUrl = (await vscode.commands.executeCommand('synchannel.startDevnet', 0)) as string | undefined;
    assert.equal(await vscode.commands.executeCommand('synchannel.switchNetwork', 'sandbox'), 'sandbox', JSON.stringify(ext.lastFailure()));
    assert.ok(await vscode.commands.executeCommand('synchannel.startNode'), JSON.stringify(ext.lastFailure()));
  });

  it('switching to testnet without a key stops the node and says to create or import one; back to sandbox restarts it', async () => {
    assert.equal(ext.status().runningNetwork, 'sandbox');
    const r = await vscode.commands.executeCommand('synchannel.switchNetwork', 'testnet');
    assert.equal(r, undefined);
    assert.equal(ext.lastFailure()?.code, 'NO_KEY');
    assert.match(ext.lastFailure()!.message, /no key for testnet yet: create a key or import one/);
    assert.deepEqual(ext.lastFailure()!.shown?.buttons, ['Create Key', 'Import Mnemonic', 'Import Key Folder', 'Copy Details']);
    assert.equal(ext.status().network, 'testnet');
    assert.equal(ext.status().runningNetwork, null, 'the sandbox node stopped');
    assert.match(ext.status().text, /SynChannel: testnet · no key/);
    assert.equal(ext.tree.snapshot().find((t) => t.id === 'net:me'), undefined);

    const back = await vscode.commands.executeCommand('synchannel.switchNetwork', 'sandbox');
    assert.equal(back, 'sandbox', `switch back failed: ${JSON.stringify(ext.lastFailure())}`);
    assert.equal(ext.status().runningNetwork, 'sandbox', 'the node was meant to run: it runs again on sandbox');
    assert.match(ext.status().text, /SynChannel: sandbox · running/);
  });

  it('testnet with toncenter unreachable and no API key: the error speaks of toncenter and the key, not of the devnet', async () => {
    const cfg = () => vscode.workspace.getConfiguration('synchannel');
    await cfg().update('testnetEndpoint', 'http://127.0.0.1:9/api/v2/jsonRPC', vscode.ConfigurationTarget.Global);
    try {
      assert.equal(await vscode.commands.executeCommand('synchannel.createKey', 'testnet'), true, JSON.stringify(ext.lastFailure()));
      // its words can be seen again (after a warning), not only once from a notification
      ext.test.answer({ confirm: 'Show the Words' }, { confirm: null });
      assert.equal(await vscode.commands.executeCommand('synchannel.showKeyWords', 'testnet'), 24, JSON.stringify(ext.lastFailure()));
      const shown = ext.test.prompts().filter((p) => p.kind === 'confirm').at(-1);
      assert.ok(shown?.kind === 'confirm' && /^1\. \w+\n2\. /.test(shown.detail) && shown.detail.split('\n').length === 24, JSON.stringify(shown));
      // a key made here for test TON (a seed) has no words
      const had = await ext.test.replaceSeed('devnet', 'ab'.repeat(32));
      try {
        assert.equal(await vscode.commands.executeCommand('synchannel.showKeyWords', 'devnet'), undefined);
        assert.equal(ext.lastFailure()?.code, 'NO_WORDS', JSON.stringify(ext.lastFailure()));
      } finally {
        await ext.test.replaceSeed('devnet', had);
      }
      ext.test.clearPrompts();
      await vscode.commands.executeCommand('synchannel.switchNetwork', 'testnet');
      await vscode.commands.executeCommand('synchannel.balanceTon');
      const f = ext.lastFailure();
      // the node's own read at its start fails the same way: one toast for both, with the next steps
      await until("the node's read at start failing", () => ext.test.log().some((l) => l.includes('[node] [ENDPOINT_UNREACHABLE]')));
      const toasts = notices(ext).filter((n) => n.message.includes('127.0.0.1:9'));
      assert.equal(toasts.length, 1, JSON.stringify(toasts));
      assert.deepEqual(toasts[0]!.buttons.slice(0, 2), ['Set Testnet API Key', 'Open Settings']);
      assert.ok(f && /ENDPOINT/.test(f.code), `a failure of the endpoint: ${JSON.stringify(f)}`);
      assert.ok(f.shown);
      assert.match(f.shown.text, /toncenter \(http:\/\/127\.0\.0\.1:9\/api\/v2\/jsonRPC\) cannot be reached/);
      // an endpoint that cannot be reached: not a matter of the API key
      assert.match(f.shown.text, /check your connection and the testnet endpoint setting/);
      assert.doesNotMatch(f.shown.text, /API key/);
      assert.doesNotMatch(f.shown.text, /devnet/i);
      assert.deepEqual(f.shown.buttons.slice(0, 2), ['Set Testnet API Key', 'Open Settings']);
    } finally {
      await cfg().update('testnetEndpoint', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('synchannel.switchNetwork', 'sandbox');
    }
  });
});
