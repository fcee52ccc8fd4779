// In-host: the extension under development is loaded, activates, and registers what it contributes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { describe, it } from 'mocha';
import { recordMetric } from './metrics.js';

const EXTENSION_ID = 'synchannel.synchannel';

interface ContributedCommand {
  command: string;
  title: string;
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded: is extensionDevelopmentPath the repo root?`);
  return ext;
}

describe('SynChannel extension', () => {
  it('is loaded from the development path', () => {
    const ext = extension();
    assert.equal(ext.packageJSON.name, 'synchannel');
    assert.equal(ext.packageJSON.publisher, 'synchannel');
  });

  it('activates', async () => {
    const ext = extension();
    // The activation time as the extension host sees it from here: loading dist/extension.js plus activate().
    // Only when this call is what activates it (nothing activated it earlier in this window).
    const wasActive = ext.isActive;
    const t0 = performance.now();
    await ext.activate();
    if (!wasActive) recordMetric('activationMs', performance.now() - t0);
    assert.equal(ext.isActive, true);
  });

  it('registers every command in contributes.commands', async () => {
    const ext = extension();
    await ext.activate();
    const declared = ((ext.packageJSON.contributes?.commands ?? []) as ContributedCommand[]).map((c) => c.command);
    assert.equal(new Set(declared).size, declared.length, 'contributes.commands lists a command twice');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered on activation: ${missing.join(', ')}`);
  });
});
