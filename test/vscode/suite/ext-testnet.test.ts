// In-host: testnet has no faucet here. A lack of coins offers the testnet giver bot and Copy Wallet Address, never "Get Test
// Coins"; the faucet command refuses at once and is hidden from the palette there. A next step the message already
// says in other words is not repeated.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import { topUpHow } from '../../../src/core/networks.js';
import { SYNCHANNEL_VERSION } from '../../../src/core/version.js';
import { showFailure } from '../../../src/extension/errors.js';
import { Prompts } from '../../../src/extension/prompts.js';
import type { ChannelView } from '../../../src/node/types.js';
import { EXTENSION_ID, api, notices, until } from './helpers.js';

type Ext = Awaited<ReturnType<typeof api>>;

describe('SynChannel review: the faucet is for sandbox and devnet', function () {
  this.timeout(120_000);
  let ext: Ext;
  const cfg = () => vscode.workspace.getConfiguration('synchannel');
  const where = { apiKeySet: true, endpoint: 'http://127.0.0.1:9/api/v2/jsonRPC' };

  before(async () => {
    ext = await api();
  });

  after(async () => {
    await cfg().update('testnetEndpoint', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('synchannel.switchNetwork', 'sandbox');
    await vscode.commands.executeCommand('synchannel.stopNode');
    await cfg().update('network', undefined, vscode.ConfigurationTarget.Global);
  });

  it('a lack of coins offers the faucet on sandbox and devnet, the testnet giver bot and Copy Wallet Address on testnet; the palette hides the faucet on testnet', () => {
    const p = new Prompts(true);
    for (const code of ['INSUFFICIENT_FUNDS', 'CHALLENGE_FAILED'] as const) {
      const t = showFailure(p, code, 'your wallet has 0.1 TON, it needs 3 TON', { network: 'testnet', ...where }, () => {});
      assert.ok(t);
      assert.ok(!t.buttons.includes('Get Test Coins'), `${code} on testnet: ${t.buttons.join(', ')}`);
      assert.ok(t.buttons.includes('Copy Wallet Address'), `${code} on testnet: ${t.buttons.join(', ')}`);
      assert.match(t.text, /testnet giver bot \(@testgiver_ton_bot on Telegram\)/);
      for (const network of ['sandbox', 'devnet'] as const) {
        const s = showFailure(p, code, 'your wallet has 0.1 TON, it needs 3 TON', { network, ...where }, () => {});
        assert.ok(s?.buttons.includes('Get Test Coins'), `${code} on ${network}: ${s?.buttons.join(', ')}`);
      }
    }
    // the node's own message on testnet names the bot already: said once, with where the address is
    const nodeSaid = `your wallet has 0.1 TON, but this channel needs 3 TON: top it up first (${topUpHow('testnet')})`;
    const once = showFailure(p, 'INSUFFICIENT_FUNDS', nodeSaid, { network: 'testnet', ...where }, () => {});
    assert.equal(once?.text.match(/testgiver/g)?.length, 1, once?.text);
    assert.match(once?.text ?? '', /\. Next: Copy Wallet Address copies your wallet's address$/);
    assert.doesNotMatch(once?.text ?? '', /Get Test Coins|`/);
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { menus: { commandPalette: { command: string; when: string }[] } } };
    assert.equal(manifest.contributes.menus.commandPalette.find((m) => m.command === 'synchannel.faucet')?.when, 'synchannel.network != testnet');
  });

  it('a failure that leaves money unwatched is an error with Show Log whatever its code, and a failed start always offers Show Log', () => {
    const p = new Prompts(true);
    const also = '1 channel with money in it on sandbox is NOT watched';
    const unwatched = showFailure(p, 'DATA_DIR_LOCKED', 'another SynChannel node uses this data folder', { network: 'sandbox', ...where, also }, () => {});
    assert.equal(unwatched?.level, 'error');
    assert.ok(unwatched?.buttons.includes('Show Log'), unwatched?.buttons.join(', '));
    const start = showFailure(p, 'DATA_DIR_LOCKED', 'another SynChannel node uses this data folder', { network: 'sandbox', ...where, offerLog: true }, () => {});
    assert.equal(start?.level, 'warning');
    assert.ok(start?.buttons.includes('Show Log'), start?.buttons.join(', '));
    const plain = showFailure(p, 'DATA_DIR_LOCKED', 'another SynChannel node uses this data folder', { network: 'sandbox', ...where }, () => {});
    assert.ok(!plain?.buttons.includes('Show Log'), plain?.buttons.join(', '));
  });

  it('a next step the message already says in other words is not said twice', () => {
    const t = showFailure(new Prompts(true), 'ALREADY_CLOSING', 'a close is under way: the node finishes it after the challenge window', { network: 'sandbox', ...where }, () => {});
    assert.equal(t?.text.match(/after the challenge window/g)?.length, 1, t?.text);
  });

  it("a message that says what to do next gets no code hint beside it (it could contradict: nothing was deposited, so no refund)", () => {
    const said = 'the channel was declined by your partner before its contract was deployed: nothing was deposited; ask your partner to propose again if you still want a channel';
    const t = showFailure(new Prompts(true), 'PARTNER_DECLINED', said, { network: 'sandbox', ...where }, () => {});
    assert.equal(t?.text, `SynChannel: ${said}`);
  });

  it('a key folder that moved (KEY_FOLDER_MISSING) offers "Locate the Key Folder": the import that takes the channels\' own key', () => {
    const t = showFailure(new Prompts(true), 'KEY_FOLDER_MISSING', 'the key folder /old/keys is gone', { network: 'devnet', ...where }, () => {});
    assert.deepEqual(t?.buttons, ['Locate the Key Folder', 'Copy Details']);
  });

  it('on a testnet node the faucet refuses at once with the giver bot, and a failed challenge for lack of coins offers Copy Wallet Address', async () => {
    await cfg().update('testnetEndpoint', where.endpoint, vscode.ConfigurationTarget.Global);
    ext.test.clearPrompts();
    ext.test.answer({ confirm: 'Replace the Key' });
    assert.equal(await vscode.commands.executeCommand('synchannel.createKey', 'testnet'), true, JSON.stringify(ext.lastFailure()));
    // a new testnet wallet is empty: the next step is the giver bot, with the address to give it
    const made = notices(ext).find((n) => /a new testnet key was created/.test(n.message));
    assert.ok(made && /empty: get test coins from the testnet giver bot/.test(made.message) && made.buttons.includes('Copy Wallet Address'), JSON.stringify(notices(ext)));
    ext.test.clearPrompts();
    assert.equal(await vscode.commands.executeCommand('synchannel.switchNetwork', 'testnet'), 'testnet', JSON.stringify(ext.lastFailure()));
    await vscode.commands.executeCommand('synchannel.stopNode'); // a new key: no channel to ask about
    assert.equal(ext.status().runningNetwork, null);
    // Copy Wallet Address needs the node, which knows the wallet: it starts it
    const copied = await vscode.commands.executeCommand('synchannel.copyAddress');
    assert.match(String(copied), /^0Q/, JSON.stringify(ext.lastFailure()));
    assert.ok(await vscode.commands.executeCommand('synchannel.startNode'), JSON.stringify(ext.lastFailure()));
    assert.equal(ext.status().runningNetwork, 'testnet');

    assert.equal(await vscode.commands.executeCommand('synchannel.faucet'), undefined);
    const f = ext.lastFailure();
    assert.equal(f?.code, 'NO_FAUCET', JSON.stringify(f));
    assert.ok(f.shown, 'shown');
    assert.ok(f.shown.buttons.includes('Copy Wallet Address'), JSON.stringify(f.shown));
    assert.match(f.shown.text, /testnet has no faucet here: your wallet is 0Q.*testnet giver bot/);
    assert.doesNotMatch(f.shown.text, /check the value you entered/);

    ext.test.clearPrompts();
    const channel = { id: 'kQfake', contract: 'kQfake', network: 'testnet' } as unknown as ChannelView;
    ext.test.notify({ type: 'challengeFailed', channel, code: 'INSUFFICIENT_FUNDS', message: 'your wallet has 0.01 TON', secondsLeft: 300, nextRetryMs: 4000, stopped: null });
    const said = notices(ext).find((n) => /challenge of the close/.test(n.message));
    assert.ok(said, JSON.stringify(notices(ext)));
    assert.deepEqual(said.buttons, ['Retry Now', 'Copy Wallet Address']);
    assert.match(said.message, /testnet giver bot/);
  });

  it('a challenge period set for the sandbox does not keep the testnet node from starting: it is left out there, and said with Open Settings', async () => {
    await cfg().update('testnetEndpoint', where.endpoint, vscode.ConfigurationTarget.Global);
    await cfg().update('challengePeriod', 600, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('synchannel.stopNode');
      ext.test.clearPrompts();
      assert.equal(await vscode.commands.executeCommand('synchannel.switchNetwork', 'testnet'), 'testnet', JSON.stringify(ext.lastFailure()));
      assert.ok(await vscode.commands.executeCommand('synchannel.startNode'), JSON.stringify(ext.lastFailure()));
      assert.equal(ext.status().runningNetwork, 'testnet');
      const said = notices(ext).find((n) => /synchannel\.challengePeriod \(600 s\)/.test(n.message));
      assert.ok(said, JSON.stringify(notices(ext)));
      assert.equal(said.level, 'warning');
      assert.deepEqual(said.buttons, ['Open Settings']);
      assert.match(said.message, /3600 s testnet takes: channels you open here propose the network's default, 24 h/);
    } finally {
      await cfg().update('challengePeriod', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Set Testnet API Key while the testnet node runs asks before restarting it: Later keeps the key for the next start, Restart Now restarts', async () => {
    await cfg().update('testnetEndpoint', where.endpoint, vscode.ConfigurationTarget.Global);
    if (ext.status().runningNetwork !== 'testnet') {
      assert.equal(await vscode.commands.executeCommand('synchannel.switchNetwork', 'testnet'), 'testnet', JSON.stringify(ext.lastFailure()));
      if (!(await vscode.commands.executeCommand('synchannel.startNode'))) {
        // run alone: no testnet key yet
        assert.equal(ext.lastFailure()?.code, 'NO_KEY', JSON.stringify(ext.lastFailure()));
        assert.equal(await vscode.commands.executeCommand('synchannel.createKey', 'testnet'), true, JSON.stringify(ext.lastFailure()));
        if (ext.status().runningNetwork !== 'testnet') assert.ok(await vscode.commands.executeCommand('synchannel.startNode'), JSON.stringify(ext.lastFailure()));
      }
    }
    const starts = () => ext.test.log().filter((l) => /node started on testnet/.test(l)).length;
    const before = starts();
    // the log names the build (what a bug report quotes)
    assert.ok(ext.test.log().some((l) => l.includes(`node started on testnet`) && l.includes(`SynChannel ${SYNCHANNEL_VERSION}`)), JSON.stringify(ext.test.log().slice(-5)));
    ext.test.clearPrompts();
    ext.test.answer({ confirm: 'Later' });
    assert.equal(await vscode.commands.executeCommand('synchannel.setTestnetApiKey', 'key-one'), true, JSON.stringify(ext.lastFailure()));
    const asked = ext.test.prompts().find((p) => p.kind === 'confirm');
    assert.ok(asked?.kind === 'confirm', `no question before the restart: ${JSON.stringify(ext.test.prompts())}`);
    assert.match(asked.message, /^Restart the testnet node now to use the new API key\?$/);
    assert.deepEqual(asked.buttons, ['Restart Now', 'Later']);
    assert.equal(starts(), before, 'Later: the node was not restarted');
    assert.equal(ext.status().runningNetwork, 'testnet');
    assert.ok(notices(ext).some((n) => /API key saved .*: the testnet node uses it from its next start/.test(n.message)), JSON.stringify(notices(ext)));
    ext.test.answer({ confirm: 'Restart Now' });
    assert.equal(await vscode.commands.executeCommand('synchannel.setTestnetApiKey', 'key-two'), true, JSON.stringify(ext.lastFailure()));
    await until('the restart', () => starts() === before + 1 && ext.status().runningNetwork === 'testnet');
    // no key saved again for the tests after this one
    ext.test.answer({ confirm: 'Remove the Key' }, { confirm: 'Restart Now' });
    assert.equal(await vscode.commands.executeCommand('synchannel.setTestnetApiKey', ''), true, JSON.stringify(ext.lastFailure()));
    assert.deepEqual(ext.test.unanswered(), []);
  });

  it("a partner's proposal says the challenge window it commits to, beside the deposits", async () => {
    // the notices are the user's node's: it runs
    if (!ext.status().runningNetwork) assert.ok(await vscode.commands.executeCommand('synchannel.startNode'), JSON.stringify(ext.lastFailure()));
    ext.test.clearPrompts();
    const channel = { id: 'kQfake', contract: 'kQfake', me: 'B', partnerAddress: '0QfakePartner', expectedDepositA: 3_000_000_000n, expectedDepositB: 4_000_000_000n, challengePeriod: 86_400 } as unknown as ChannelView;
    ext.test.notify({ type: 'channelProposed', channel });
    // shown once the wallet is read (3 s at most): a proposal it cannot fund says so
    const said = await until('the notice', () => notices(ext).find((n) => /proposes a channel/.test(n.message)), 10_000);
    assert.match(said.message, /you deposit 4 TON, they deposit 3 TON\. Challenge window 24 h: once a close starts, your node must run within that time/);
    assert.deepEqual(said.buttons, ['Deposit', 'Decline']);
  });
});
