// In-host: the teaching demo (Alice and Bob in this extension host, on the embedded sandbox, over loopback libp2p)
// produces a channel whose steps appear in the tree; send, sign and withdraw through the commands change the tree
// and the balances webview's data.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { after, before, describe, it } from 'mocha';
import type { SynChannelApi } from '../../../src/extension/extension.js';
import type { TreeSnapshotItem } from '../../../src/extension/tree.js';
import type { BalancesSnapshot } from '../../../webview/protocol.js';

const EXTENSION_ID = 'synchannel.synchannel';

async function api(): Promise<SynChannelApi> {
  const ext = vscode.extensions.getExtension<SynChannelApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

async function until<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function root(tree: TreeSnapshotItem[], party: 'alice' | 'bob'): TreeSnapshotItem {
  const r = tree.find((t) => t.id === `net:${party}`);
  assert.ok(r, `no ${party} in the tree: ${tree.map((t) => t.id).join(', ')}`);
  return r;
}

function channelOf(tree: TreeSnapshotItem[], party: 'alice' | 'bob'): TreeSnapshotItem {
  const ch = root(tree, party).children[0];
  assert.ok(ch, `${party} has no channel in the tree`);
  return ch;
}

async function webviewState(ext: SynChannelApi): Promise<BalancesSnapshot> {
  const snap = await ext.webview.refresh();
  const last = ext.webview.lastMessage();
  assert.ok(last && last.type === 'state', 'the webview got no state message');
  // a push on a node event may have followed ours: the webview holds ours or a newer one
  assert.ok(last.snapshot.generatedAt >= snap.generatedAt, 'the webview did not receive the latest snapshot');
  return last.snapshot;
}

describe('SynChannel teaching demo in the tree and the webview', function () {
  this.timeout(120_000);
  let ext: SynChannelApi;
  let channelId = '';

  before(async () => {
    ext = await api();
  });

  after(async () => {
    await vscode.commands.executeCommand('synchannel.stopTeachingDemo');
  });

  it('starts Alice and Bob; both appear in the tree', async () => {
    const steps = (await vscode.commands.executeCommand('synchannel.openTeachingDemo')) as string[] | undefined;
    assert.ok(steps, `openTeachingDemo failed: ${JSON.stringify(ext.lastFailure())}`);
    assert.deepEqual(steps, ['connect', 'deploy', 'deposit', 'signInitial', 'send', 'requestTurn', 'passTurn', 'staleClose', 'challenge', 'finishClose']);
    const tree = ext.tree.snapshot();
    assert.equal(root(tree, 'alice').label, 'sandbox');
    assert.match(root(tree, 'alice').description, /^Alice · /);
    assert.match(root(tree, 'bob').description, /^Bob · /);
  });

  it('the walkthrough steps open a channel whose Step 0 appears in the tree', async () => {
    for (const id of ['connect', 'deploy', 'deposit', 'signInitial']) {
      const text = await vscode.commands.executeCommand('synchannel.demoStep', id);
      assert.equal(typeof text, 'string', `step ${id} failed: ${JSON.stringify(ext.lastFailure())}`);
    }
    const tree = ext.tree.snapshot();
    const ch = channelOf(tree, 'alice');
    channelId = ch.id.split(':').slice(2).join(':');
    assert.match(ch.description, /^open · 3 TON/);
    assert.match(ch.contextValue, /\bhas-contract\b/);
    const step0 = ch.children.find((c) => c.label === 'Step 0');
    assert.ok(step0, `no Step 0 under the channel: ${ch.children.map((c) => c.label).join(', ')}`);
    assert.match(step0.description, /A \[3 4\] B/);
    assert.match(step0.description, /signed by A\+B/);
    assert.match(channelOf(tree, 'bob').description, /^open · 4 TON · your turn/);
  });

  it('send through the command: the pending state is highlighted for Alice; sign commits it; the webview follows', async () => {
    await vscode.commands.executeCommand('synchannel.openBalances', { party: 'alice', channel: channelId });
    await ext.webview.waitForReady();
    let snap = await webviewState(ext);
    assert.equal(snap.selected?.key, `alice:${channelId}`);
    assert.equal(snap.selected?.offchainA?.ton, '3');
    assert.equal(snap.selected?.offchainB?.ton, '4');
    assert.equal(snap.selected?.history.length, 1);
    assert.ok(snap.selected?.contractBalance, 'the contract balance is shown');

    const sent = (await vscode.commands.executeCommand('synchannel.send', { party: 'bob' }, '0.5')) as { step: bigint } | undefined;
    assert.ok(sent, `send failed: ${JSON.stringify(ext.lastFailure())}`);
    assert.equal(sent.step, 1n);

    const pending = await until('the pending Step 1 under Alice', () =>
      channelOf(ext.tree.snapshot(), 'alice').children.find((c) => c.label === 'Step 1' && /\bpending\b/.test(c.contextValue)),
    );
    assert.equal(pending.highlighted, true, 'the state awaiting Alice is highlighted');
    assert.match(pending.contextValue, /\bawaiting-me\b/);
    assert.match(pending.description, /^by B · A \[3.5 3.5\] B · signed by B · awaiting your signature/);
    assert.match(channelOf(ext.tree.snapshot(), 'alice').contextValue, /\bawaiting-me\b/);
    snap = await webviewState(ext);
    assert.equal(snap.selected?.pendingAwaitingMe, true);

    const signed = (await vscode.commands.executeCommand('synchannel.sign', { party: 'alice', channel: channelId })) as { step: bigint } | undefined;
    assert.ok(signed, `sign failed: ${JSON.stringify(ext.lastFailure())}`);
    const step1 = await until('Step 1 committed under Alice', () =>
      channelOf(ext.tree.snapshot(), 'alice').children.find((c) => c.label === 'Step 1' && /\bcommitted\b/.test(c.contextValue)),
    );
    assert.match(step1.description, /signed by A\+B/);
    assert.equal(step1.highlighted, false);
    snap = await webviewState(ext);
    assert.equal(snap.selected?.offchainA?.ton, '3.5');
    assert.equal(snap.selected?.offchainB?.ton, '3.5');
    assert.equal(snap.selected?.step, '1');
    assert.deepEqual(snap.selected?.history.map((p) => p.step), ['0', '1']);
    assert.equal(snap.selected?.pendingAwaitingMe, false);
  });

  it('sign with nothing to sign answers clearly', async () => {
    const r = await vscode.commands.executeCommand('synchannel.sign', { party: 'alice', channel: channelId });
    assert.equal(r, undefined);
    assert.equal(ext.lastFailure()?.code, 'NOTHING_TO_SIGN');
  });

  it('withdraw through the command starts the close: the tree and the webview show it closing', async () => {
    const r = (await vscode.commands.executeCommand('synchannel.withdraw', { party: 'alice', channel: channelId }, 'unilateral')) as
      | { mode: string; step: bigint; deadline: number | null }
      | undefined;
    assert.ok(r, `withdraw failed: ${JSON.stringify(ext.lastFailure())}`);
    assert.equal(r.mode, 'unilateral');
    assert.equal(r.step, 1n);
    assert.ok(r.deadline);
    await until('Alice\'s channel closing in the tree', () => /^closing · /.test(channelOf(ext.tree.snapshot(), 'alice').description));
    const snap = await webviewState(ext);
    assert.equal(snap.selected?.phase, 'closing');
    assert.equal(snap.selected?.deadline, r.deadline);
  });
});
