// What the in-host tests share: the extension's API, polling for a condition, finding rows of the tree.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SynChannelApi } from '../../../src/extension/extension.js';
import type { SynChannelTestApi } from '../../../src/extension/testApi.js';
import type { TreeSnapshotItem } from '../../../src/extension/tree.js';

export const EXTENSION_ID = 'synchannel.synchannel';

export async function api(): Promise<SynChannelApi & { test: SynChannelTestApi }> {
  const ext = vscode.extensions.getExtension<SynChannelApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  const a = await ext.activate();
  assert.ok(a.test, 'the extension runs in test mode: its test API is there');
  // what an earlier file left under way (a network reset's restart) ends before this one starts
  await a.test.quiet();
  return a as SynChannelApi & { test: SynChannelTestApi };
}

/** Polls until fn gives something truthy; fails with `what` (and the last value) after timeoutMs. */
export async function until<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function nodeRow(tree: TreeSnapshotItem[], party: string): TreeSnapshotItem {
  const r = tree.find((t) => t.id === `net:${party}`);
  assert.ok(r, `no ${party} in the tree: ${tree.map((t) => t.id).join(', ')}`);
  return r;
}

export function channelRow(tree: TreeSnapshotItem[], party: string): TreeSnapshotItem {
  const ch = nodeRow(tree, party).children[0];
  assert.ok(ch, `${party} has no channel in the tree`);
  return ch;
}

/** The tree as lines (for assertion messages). */
export function treeText(tree: TreeSnapshotItem[], indent = ''): string {
  return tree.map((t) => `${indent}${t.label} | ${t.description}${t.decoration ? ` [${t.decoration}]` : ''}\n${treeText(t.children, `${indent}  `)}`).join('');
}

/** The notifications shown since the prompts were last cleared, as [level, message] pairs. */
export function notices(ext: { test: SynChannelTestApi }): { level: string; message: string; buttons: string[] }[] {
  return ext.test.prompts().flatMap((r) => (r.kind === 'notify' ? [{ level: r.level, message: r.message, buttons: r.buttons }] : []));
}

/** A new run of the teaching demo (a run another file left is started again), taken through `steps`. */
export async function demoThrough(ext: Awaited<ReturnType<typeof api>>, steps: readonly string[]): Promise<void> {
  if (ext.demoSteps().length) ext.test.answer({ confirm: 'Start Again' });
  assert.ok(await vscode.commands.executeCommand('synchannel.openTeachingDemo'), JSON.stringify(ext.lastFailure()));
  for (const id of steps) {
    assert.equal(typeof (await vscode.commands.executeCommand('synchannel.demoStep', id)), 'string', JSON.stringify(ext.lastFailure()));
  }
}
