// Replay of the teaching demo (a review): Bob's watcher challenges during the stale close's step, and the watchers
// may finish the close before its step; Replay filed those under the step before. Now each goes under the step
// that tells it, from a real run's events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoJournal } from '../../src/extension/demoJournal.js';
import { DEMO_CHALLENGE_PERIOD, createTeachingDemo } from '../../src/node/demo.js';

async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  for (const t0 = Date.now(); !cond(); await new Promise((r) => setTimeout(r, 100))) if (Date.now() - t0 > ms) assert.fail(`timed out: ${String(cond)}`);
}

test("Replay files Bob's challenge under the challenge step and the payout under the last one, though both came earlier", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-demo-'));
  const d = await createTeachingDemo({ dataDir: dir });
  const journal = new DemoJournal({ A: 'Alice', B: 'Bob' });
  const offs = [d.alice.on((e) => journal.add('Alice', e)), d.bob.on((e) => journal.add('Bob', e))];
  try {
    for (const s of d.steps) {
      journal.begin(s.id, s.title);
      journal.end(await d.runStep(s.id));
      if (s.id === 'staleClose') {
        // the class pauses past the window: the watchers finish the close by themselves
        await until(() => (d.bob.currentChannel()?.close?.step ?? 0n) > 1n);
        await d.advanceTime(DEMO_CHALLENGE_PERIOD + 5);
        await until(() => d.alice.currentChannel()?.phase === 'closed' && d.bob.currentChannel()?.phase === 'closed');
      }
    }
    const under = (step: string) => journal.list().find((e) => e.step === step)!.lines.map((l) => l.text).join('\n');
    // the last step reads the payout from the views; the 'closed' events follow once the records are saved
    await until(() => (under('finishClose').match(/paid out/g) ?? []).length >= 1);
    const entries = journal.list();
    assert.match(under('staleClose'), /Alice submitted Step 1/);
    assert.doesNotMatch(under('staleClose'), /challenged|paid out/);
    assert.match(under('challenge'), /Bob challenged the close with Step 4/);
    assert.match(under('finishClose'), /paid out by Step 4/);
    for (const e of entries) assert.equal(e.lines.filter((l) => /challenged the close/.test(l.text)).length, e.step === 'challenge' ? 1 : 0, `${e.step}: the challenge told once, in its step`);
  } finally {
    for (const off of offs) off();
    await d.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
