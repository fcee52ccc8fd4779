// In-host: a data folder that holds channels with money (a copy of the teaching demo's Alice after the initial
// state, so an open channel) is never left unwatched in silence: a failed automatic start says so and the status
// bar keeps saying it.
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import { api, notices, until } from './helpers.js';

type Ext = Awaited<ReturnType<typeof api>>;

describe('SynChannel review: channels with money are never unwatched in silence', function () {
  this.timeout(240_000);
  let ext: Ext;
  let tmp = '';
  let aliceDir = '';
  const cfg = () => vscode.workspace.getConfiguration('synchannel');
  const stopMine = async () => {
    if (!ext.status().runningNetwork) return;
    if (ext.test.channels('me').some((c) => ['funding', 'locked', 'open', 'closing'].includes(c.phase))) ext.test.answer({ confirm: 'Stop the Node' });
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
    if (ext.demoSteps().length) ext.test.answer({ confirm: 'Start Again' });
    assert.ok(await vscode.commands.executeCommand('synchannel.openTeachingDemo'), JSON.stringify(ext.lastFailure()));
    for (const id of ['connect', 'deploy', 'deposit', 'signInitial']) {
      assert.equal(typeof (await vscode.commands.executeCommand('synchannel.demoStep', id)), 'string', JSON.stringify(ext.lastFailure()));
    }
    const started = ext.test.log().filter((l) => l.startsWith('teaching demo started (data: ')).at(-1);
    const demoDir = /\(data: (.*)\)$/.exec(started ?? '')?.[1];
    assert.ok(demoDir, 'the demo says where its data is');
    await vscode.commands.executeCommand('synchannel.stopTeachingDemo');
    aliceDir = join(demoDir, 'alice');
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
});
