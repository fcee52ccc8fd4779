// In-host: the user's node starts on first use and the status bar follows it; the commands around it that need no
// channel: Start Devnet (a port in use, a second start), Connect, the keys and the testnet API key. Switching network
// is ext-node-switch.test.ts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, notices, until } from './helpers.js';

/** A port on 127.0.0.1 that was free a moment ago: nothing listens there. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('SynChannel node start and its commands', function () {
  this.timeout(120_000);
  let ext: Awaited<ReturnType<typeof api>>;

  before(async () => {
    ext = await api();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('synchannel').update('network', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('synchannel.stopNode');
  });

  it('starts the node on first use (sandbox) and shows it in the tree and the status bar', async () => {
    const account = (await vscode.commands.executeCommand('synchannel.getAccount')) as string | undefined;
    assert.ok(account, `getAccount failed: ${JSON.stringify(ext.lastFailure())}`);
    const s = ext.status();
    assert.equal(s.runningNetwork, 'sandbox');
    assert.equal(s.node, 'running');
    assert.match(s.text, /SynChannel: sandbox · running/);
    assert.match(s.dataDir, /[\\/]sandbox$/);
    // No channel yet: the tree stays empty and its welcome view says what to do (Serve, Connect).
    assert.equal(ext.tree.snapshot().find((t) => t.id === 'net:me'), undefined);
    assert.match(s.tooltip, new RegExp(`node running as ${account}`));
    const again = await vscode.commands.executeCommand('synchannel.getAccount');
    assert.equal(again, account, 'the same node answers (the key of a network is kept)');
    // The embedded chain is kept in the network's data folder: a window reload finds its channels' contracts.
    assert.ok(await vscode.commands.executeCommand('synchannel.faucet', '5'), JSON.stringify(ext.lastFailure()));
    await until('the sandbox chain file', () => existsSync(join(s.dataDir, 'sandbox-chain.json')));
  });

  it('Start Devnet on a port another program holds says so in VS Code words (no --port, not a bug), with a free port as the next step', async () => {
    // another program on the port (a `synchannel devnet` in a terminal, on the default 8081, is the usual one)
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      ext.test.clearPrompts();
      assert.equal(await vscode.commands.executeCommand('synchannel.startDevnet', port), undefined);
      const f = ext.lastFailure();
      assert.equal(f?.command, 'startDevnet', JSON.stringify(f));
      assert.equal(f.code, 'DEVNET_LISTEN_FAILED', JSON.stringify(f));
      assert.ok(f.shown, 'shown');
      assert.equal(f.shown.level, 'warning', 'a port in use is the user\'s to fix, not a failure of SynChannel');
      assert.match(f.shown.text, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is in use`));
      assert.doesNotMatch(f.shown.text, /--port|--data|this is a bug/, f.shown.text);
      assert.equal(f.shown.buttons[0], 'Start Devnet on a Free Port', JSON.stringify(f.shown.buttons));
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it('Start Devnet run again while it starts joins that start: one devnet on its chain folder, at one address', async () => {
    // two clicks (the palette, a toast's button) before the first start has listened
    const [a, b] = await Promise.all([vscode.commands.executeCommand('synchannel.startDevnet', 0), vscode.commands.executeCommand('synchannel.startDevnet', 0)]);
    try {
      assert.ok(typeof a === 'string' && /^http:\/\/127\.0\.0\.1:\d+$/.test(a), JSON.stringify([a, ext.lastFailure()]));
      assert.equal(b, a, 'the second start is the first one');
    } finally {
      assert.equal(await vscode.commands.executeCommand('synchannel.stopDevnet'), true);
    }
  });

  it('Start Devnet on another port while one runs asks: Use It keeps the one running, Stop It starts the new one', async () => {
    const first = (await vscode.commands.executeCommand('synchannel.startDevnet', 0)) as string | undefined;
    assert.ok(first, JSON.stringify(ext.lastFailure()));
    const port = Number(new URL(first).port);
    const other = await freePort(); // for the second
    try {
      ext.test.clearPrompts();
      ext.test.answer({ confirm: 'Use It' });
      assert.equal(await vscode.commands.executeCommand('synchannel.startDevnet', other), first);
      const asked = ext.test.prompts().find((p) => p.kind === 'confirm');
      assert.ok(asked?.kind === 'confirm', JSON.stringify(ext.test.prompts()));
      assert.equal(asked.message, `A devnet already runs in this window, on port ${port}.`);
      assert.ok(asked.detail.startsWith(`It serves at ${first}.`), asked.detail);
      ext.test.answer({ confirm: `Stop It, Then Start on Port ${other}` });
      assert.equal(await vscode.commands.executeCommand('synchannel.startDevnet', other), `http://127.0.0.1:${other}`, JSON.stringify(ext.lastFailure()));
      assert.deepEqual(ext.test.unanswered(), []);
    } finally {
      assert.equal(await vscode.commands.executeCommand('synchannel.stopDevnet'), true);
    }
  });

  it('Start Devnet on a given port while a start on any free port is under way does not join it: it asks, and Stop It starts on the port asked for', async () => {
    const other = await freePort();
    try {
      ext.test.clearPrompts();
      ext.test.answer({ confirm: `Stop It, Then Start on Port ${other}` });
      const [a, b] = await Promise.all([vscode.commands.executeCommand('synchannel.startDevnet', 0), vscode.commands.executeCommand('synchannel.startDevnet', other)]);
      assert.ok(typeof a === 'string', JSON.stringify([a, ext.lastFailure()]));
      const asked = ext.test.prompts().find((p) => p.kind === 'confirm');
      assert.ok(asked?.kind === 'confirm', `not asked: ${JSON.stringify([a, b, ext.test.prompts()])}`);
      assert.equal(asked.message, `A devnet already runs in this window, on port ${new URL(a).port}.`);
      assert.equal(b, `http://127.0.0.1:${other}`, JSON.stringify(ext.lastFailure()));
      assert.deepEqual(ext.test.unanswered(), []);
    } finally {
      assert.equal(await vscode.commands.executeCommand('synchannel.stopDevnet'), true);
    }
  });

  it('an address typed into a Connect that failed is offered again the next time', async () => {
    const port = await freePort(); // the dial is refused
    const addr = `/ip4/127.0.0.1/tcp/${port}/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA`;
    ext.test.clearPrompts();
    ext.test.answer({ input: addr });
    assert.equal(await vscode.commands.executeCommand('synchannel.connect'), undefined);
    assert.equal(ext.lastFailure()?.code, 'CONNECTION_REFUSED', JSON.stringify(ext.lastFailure()));
    ext.test.answer({ input: addr });
    assert.equal(await vscode.commands.executeCommand('synchannel.connect'), undefined);
    const asked = ext.test.prompts().filter((p) => p.kind === 'input');
    assert.deepEqual(asked.map((p) => p.kind === 'input' && p.value), ['', addr], JSON.stringify(asked));
    assert.deepEqual(ext.test.unanswered(), []);
  });

  it('Create Key on a network that has a key (and no channel) asks first; No keeps the key', async () => {
    const account = await vscode.commands.executeCommand('synchannel.getAccount');
    ext.test.clearPrompts();
    ext.test.answer({ confirm: null });
    assert.equal(await vscode.commands.executeCommand('synchannel.createKey', 'sandbox'), undefined);
    const asked = ext.test.prompts().find((p) => p.kind === 'confirm');
    assert.ok(asked?.kind === 'confirm' && /Replace the sandbox key\?/.test(asked.message), JSON.stringify(ext.test.prompts()));
    // what the old key's wallet holds, read from the running node: the money a lost key would leave behind
    assert.match(asked.detail, new RegExp(`^Its wallet ${String(account)} holds [\\d.]+ TON\\. `), asked.detail);
    assert.equal(await vscode.commands.executeCommand('synchannel.getAccount'), account);
  });

  it('Import Key Folder checks the folder as the node does before anything is stored: only wallet.pk, or a wallet.addr of another wallet, is refused and the key kept', async () => {
    const account = await vscode.commands.executeCommand('synchannel.getAccount');
    const folder = mkdtempSync(join(tmpdir(), 'synchannel-keyfolder-'));
    writeFileSync(join(folder, 'wallet.pk'), Buffer.alloc(32, 5), { mode: 0o600 });
    try {
      for (const [code, problem] of [['KEY_FOLDER_MISSING', /wallet\.addr does not exist/], ['KEY_ADDRESS_MISMATCH', /no standard wallet of the key/]] as const) {
        if (code === 'KEY_ADDRESS_MISMATCH') writeFileSync(join(folder, 'wallet.addr'), Buffer.concat([Buffer.from(String(account), 'base64url').subarray(2, 34), Buffer.alloc(4)]));
        ext.test.clearPrompts();
        ext.test.answer({ confirm: 'Replace the Key' });
        assert.equal(await vscode.commands.executeCommand('synchannel.importKeyFolder', folder, 'sandbox'), undefined);
        const f = ext.lastFailure();
        assert.equal(f?.code, code, JSON.stringify(f));
        assert.match(f.message, problem);
        assert.match(f.message, /Nothing was imported: the sandbox key is kept as it was\. Pick the folder that holds both wallet\.pk and wallet\.addr of one wallet$/);
        assert.deepEqual(ext.test.prompts().filter((p) => p.kind === 'confirm'), [], 'refused before anything is asked');
        assert.equal(await vscode.commands.executeCommand('synchannel.getAccount'), account, 'the node runs with its key');
      }
    } finally {
      ext.test.clearPrompts();
      await ext.test.forgetKeyFolder('sandbox');
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('Set Testnet API Key: an empty answer with no key saved changes nothing; with one saved it asks before removing it', async () => {
    ext.test.clearPrompts();
    assert.equal(await vscode.commands.executeCommand('synchannel.setTestnetApiKey', ''), false, JSON.stringify(ext.lastFailure()));
    assert.ok(notices(ext).some((n) => /no testnet API key is saved: nothing changed/.test(n.message)), JSON.stringify(notices(ext)));
    assert.equal(await vscode.commands.executeCommand('synchannel.setTestnetApiKey', 'k-test'), true);
    try {
      ext.test.clearPrompts();
      ext.test.answer({ confirm: null });
      assert.equal(await vscode.commands.executeCommand('synchannel.setTestnetApiKey', ''), undefined);
      const asked = ext.test.prompts().find((p) => p.kind === 'confirm');
      assert.ok(asked?.kind === 'confirm' && /Remove the testnet API key\?/.test(asked.message), JSON.stringify(ext.test.prompts()));
    } finally {
      ext.test.answer({ confirm: 'Remove the Key' });
      assert.equal(await vscode.commands.executeCommand('synchannel.setTestnetApiKey', ''), true);
    }
  });

  it('answers "no channel yet" (with Serve and Connect) when the node runs but has no channel', async () => {
    const r = await vscode.commands.executeCommand('synchannel.send', '1');
    assert.equal(r, undefined);
    assert.equal(ext.lastFailure()?.code, 'NO_PARTNER');
    assert.match(ext.lastFailure()!.message, /no channel yet, and no partner: Serve on one side, Connect on the other/);
    assert.deepEqual(ext.lastFailure()!.shown?.buttons, ['Serve', 'Connect', 'Copy Details']);
    await vscode.commands.executeCommand('synchannel.send', { party: 'me' }, '1,5');
    assert.equal(ext.lastFailure()?.code, 'NO_PARTNER');
  });
});
