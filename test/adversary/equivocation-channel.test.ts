// A state the partner signed for another channel (here: the victim's channel with Hal), sent as a proposal for a
// step the channel already holds, is no equivocation in this channel: it is refused as another channel's state,
// and no evidence is kept or reported (each side would otherwise read that the other signed two states).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { decodeJournal } from '../../src/node/store/index.js';
import { rejected } from './attacks.js';
import { endScene, honestStillPays, scene } from './scene.js';

test("a state of another channel for a step this one holds is refused as another channel's, not kept as equivocation", async () => {
  const s = await scene();
  try {
    const { mallory: m, known: k } = s;
    const elsewhere = Address.parse(s.vic.node.channel(s.withHal)!.contract);
    const latest = m.latest(k).state;
    const past = k.states[2]!.state;
    await rejected(m, m.propose(k, { ...latest, channel: elsewhere }), 'WRONG_CHANNEL');
    await rejected(m, m.propose(k, { ...past, channel: elsewhere }), 'WRONG_CHANNEL');
    assert.deepEqual(s.vic.events.filter((e) => e.type === 'equivocation'), [], 'no equivocation reported');
    const journal = await decodeJournal(await readFile(join(s.vic.dataDir, 'channels', s.withMal, 'journal.bin')));
    assert.equal(journal.entries.filter((e) => e.entry.kind === 'evidence').length, 0, 'no evidence kept');
    await honestStillPays(s);
  } finally {
    await endScene(s);
  }
});
