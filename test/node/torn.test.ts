// The torn journal at the node: the node stops, the last bytes of its channel's journal are cut (a write torn
// by a crash), and it restarts. The channel is listed (nothing lost that the partner cannot give back), pays
// on, survives another restart, and is watched: a stale close on chain is challenged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { waitForEvent } from '../../src/node/index.js';
import { learn } from '../adversary/mallory.js';
import { TON } from '../adversary/scene.js';
import { World, assertSameHistory, until } from '../adversary/world.js';

/** Vic and Hal linked, with a channel of 5 TON each. */
async function pair(w: World) {
  const vic = await w.node('vic');
  const hal = await w.node('hal');
  await w.link(vic, hal);
  return { vic, hal, ch: (await w.open(hal, vic, TON('5'), TON('5'))).channelId };
}

test('a journal cut in its last record: listed, resynced, pays on, restarts, and is still watched', async () => {
  const w = await World.create();
  try {
    const s = await pair(w);
    let vic = s.vic;
    const { hal, ch } = s;
    for (let i = 0; i < 3; i++) await w.pay(i % 2 ? vic : hal, ch, TON('0.2'));
    await assertSameHistory(vic.node, hal.node, ch);
    const n = World.step(vic.node, ch);
    const old = (await learn(hal.node, ch)).states[0]!;
    await w.stop(vic);
    const journal = join(vic.dataDir, 'channels', ch, 'journal.bin');
    await truncate(journal, (await stat(journal)).size - 7);

    vic = await w.node('vic', { keyPair: vic.keyPair });
    const listed = vic.node.channel(ch);
    assert.ok(listed, 'the channel is listed');
    assert.deepEqual(vic.node.brokenChannels(), []);
    assert.ok(vic.events.some((e) => e.type === 'log' && /torn last record/.test(e.message)), 'the cut is reported');
    assert.equal(listed.latest!.step, n - 1n, 'the torn last state is gone from the disk');
    // The partner reconnects and gives it back; then payments go on.
    await until(() => World.step(vic.node, ch) === n, 'the resync to bring the cut state back');
    await w.pay(vic, ch, TON('0.1'));
    await assertSameHistory(vic.node, hal.node, ch);

    await w.stop(vic);
    vic = await w.node('vic', { keyPair: vic.keyPair });
    assert.equal(World.step(vic.node, ch), World.step(hal.node, ch), 'everything both signed survived the restart');
    await w.pay(hal, ch, TON('0.1'));

    // Watched: Hal submits step 0 (paid him more) on chain; Vic challenges with the latest.
    const challenged = waitForEvent(vic.node, 'challenged', (e) => e.byMe, 60_000);
    const wallet = await w.chain.openWallet(hal.keyPair);
    await w.chain.startClose(wallet, Address.parse(vic.node.channel(ch)!.contract), { state: old.state, sigA: old.sigA!, sigB: old.sigB! });
    assert.equal((await challenged).step, World.step(vic.node, ch));
  } finally {
    await w.close();
  }
});

test('a bit flipped in the last record of a journal is told as damage (the latest state may be lost), not as a torn write', async () => {
  const w = await World.create();
  try {
    const s = await pair(w);
    let vic = s.vic;
    const { hal, ch } = s;
    await w.pay(hal, ch, TON('0.2'));
    const n = World.step(vic.node, ch);
    await w.stop(vic);
    const journal = join(vic.dataDir, 'channels', ch, 'journal.bin');
    const bytes = await readFile(journal);
    bytes[bytes.length - 30]! ^= 0x01;
    await writeFile(journal, bytes);
    vic = await w.node('vic', { keyPair: vic.keyPair });
    const told = vic.events.find((e) => e.type === 'error' && e.code === 'JOURNAL_CORRUPT');
    assert.ok(told && told.type === 'error', 'told as an error');
    assert.match(told.message, /damaged on disk .*not a torn write.*If it held the latest state both signed, this node lost it: connect to your partner/);
    assert.ok(!vic.events.some((e) => e.type === 'log' && /nothing both signed was lost/.test(e.message)));
    await until(() => World.step(vic.node, ch) === n, 'the partner gives the state back');
  } finally {
    await w.close();
  }
});
