// In-host: the SynChannel tree over a long channel. VS Code finds rows by object, so the tree keeps one object per
// row id; it keeps only the rows it shows (a streaming channel's past steps must not pile up in memory).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import type { TreeSnapshotItem } from '../../../src/extension/tree.js';
import { api, demoThrough, until } from './helpers.js';

type Ext = Awaited<ReturnType<typeof api>>;

const rows = (t: TreeSnapshotItem[]): number => t.reduce((k, r) => k + 1 + rows(r.children), 0);

describe('SynChannel tree: a long channel', function () {
  this.timeout(180_000);
  let ext: Ext;

  before(async () => {
    ext = await api();
    await demoThrough(ext, ['connect', 'deploy', 'deposit', 'signInitial']);
  });

  after(async () => {
    await vscode.commands.executeCommand('synchannel.stopTeachingDemo');
  });

  it('keeps only the rows it shows: the steps that scrolled out of a channel are not kept', async () => {
    const channel = ext.test.channels('alice')[0]!.id;
    // Bob has the turn after the initial state: each pays in turn, the other signs (the demo signs by hand)
    for (let step = 1n; step <= 14n; step++) {
      const [payer, payee] = step % 2n === 1n ? (['bob', 'alice'] as const) : (['alice', 'bob'] as const);
      assert.ok(await vscode.commands.executeCommand('synchannel.send', { party: payer, channel }, '0.01'), JSON.stringify(ext.lastFailure()));
      await until(`Step ${step} awaiting ${payee}`, () => ext.test.channels(payee)[0]?.actions.sign.ok);
      assert.ok(await vscode.commands.executeCommand('synchannel.sign', { party: payee, channel }), JSON.stringify(ext.lastFailure()));
      await until(`Step ${step} signed by both`, () => ext.test.channels(payer)[0]?.latest?.step === step);
      // the view draws each picture (VS Code reads the rows of a visible view after every change)
      await ext.test.settle();
      ext.tree.snapshot();
    }
    const shown = rows(ext.tree.snapshot());
    assert.ok(ext.test.treeRows() <= shown, `the tree keeps ${ext.test.treeRows()} rows, shows ${shown}`);
  });
});
