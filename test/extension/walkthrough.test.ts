// The teaching demo's walkthrough in the manifest, as a teacher meets it: each link runs a command the extension
// contributes, and the story's end offers what comes next (its replay, a new run) as links, not only in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../vscode/common.js';

interface Manifest {
  contributes: { commands: { command: string }[]; walkthroughs: { steps: { id: string; description: string }[] }[] };
}
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
const steps = pkg.contributes.walkthroughs[0]!.steps;
const links = (text: string) => [...text.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]!);

test('every walkthrough link runs a contributed command', () => {
  const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
  for (const s of steps) for (const c of links(s.description)) assert.ok(contributed.has(c), `step ${s.id} links ${c}`);
});

test("the story's last step links its replay and a new run (its text names Replay)", () => {
  const last = steps.at(-1)!;
  assert.equal(last.id, 'finishClose');
  assert.deepEqual(links(last.description).slice(1), ['synchannel.demoReplay', 'synchannel.openTeachingDemo'], last.description);
});
