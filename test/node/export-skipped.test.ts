// A channel whose journal is damaged in the middle cannot be exported (its states cannot be checked). Export left it
// out without naming it, and replaced the older backup that held it: that channel's only good copy was gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createNode } from '../../src/node/index.js';
import { runLine, type Io } from '../../src/cli/repl.js';
import { TON, closePair, fund, openPair, until } from '../helpers/nodes.js';

function cli() {
  const said: string[] = [];
  const io: Io = { say: (t) => said.push(t), emit: () => undefined, ask: async () => null, json: false, interactive: false };
  return { io, said };
}

test('export keeps an older backup holding a channel it cannot read now, and names the channels it left out', async () => {
  const p = await openPair();
  try {
    await fund(p);
    for (let i = 0; i < 3; i++) await p.alice.pay(TON('0.1'));
    await until('both hold the last state', () => p.bob.currentChannel()!.latest!.step === p.alice.currentChannel()!.latest!.step && p.bob.currentChannel()!.latest!.step >= 3n);
    const file = join(p.dir, 'bob.backup');
    assert.equal((await p.bob.exportBackup(file)).channels, 1, 'a good backup, before the damage');
    await p.bob.stop();
    const channels = join(p.dir, 'bob', 'channels');
    const [id] = await readdir(channels);
    const journal = join(channels, id!, 'journal.bin');
    const bytes = await readFile(journal);
    bytes[100] = bytes[100]! ^ 0xff; // inside step 0, an early write
    await writeFile(journal, bytes);
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    const contract = p.bob.currentChannel()!.contract;
    // Over the older backup: refused, the older backup stays.
    const over = cli();
    await runLine(`export ${file}`, p.bob, over.io);
    assert.equal(over.io.failed, 1, over.said.join('\n'));
    assert.match(over.said.join('\n'), new RegExp(`^export failed: .* holds channel ${contract} \\(.*\\), which this export could not read here: it may be that channel's only good copy`));
    const fresh = await createNode({ ...p.common, dataDir: join(p.dir, 'bob-fresh'), key: { keyPair: p.keys.bob } });
    try {
      assert.deepEqual((await fresh.importBackup(file)).imported, [id], 'the older backup still restores the channel');
    } finally {
      await fresh.stop();
    }
    // To a new file: written, and the channel left out is named with why.
    const other = cli();
    await runLine(`export ${join(p.dir, 'new.backup')}`, p.bob, other.io);
    const text = other.said.join('\n');
    assert.match(text, /^Wrote 0 channel\(s\) to .*, but not 1: it does not hold every channel/);
    assert.match(text, new RegExp(`${contract} not exported \\[JOURNAL_CORRUPT\\]`));
  } finally {
    await closePair(p);
  }
});
