// A data folder moved or deleted while its node runs (a careless operator): what the node writes next would be
// lost when it stops, yet it went on signing (and sent a close before its record write failed with a wrong hint).
// Now it tells at once (DATA_DIR_GONE), signs no new payment state, ours or the partner's, and once the folder is
// back, payments go on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TON } from '../adversary/scene.js';
import { World, until, type NodeHandle } from '../adversary/world.js';

/** Hal (A) and Vic (B) with a channel of 5 + 5 TON just opened: Vic has the turn. */
async function opened(body: (vic: NodeHandle, hal: NodeHandle, ch: string) => Promise<void>): Promise<void> {
  const w = await World.create();
  try {
    const vic = await w.node('vic');
    const hal = await w.node('hal');
    await w.link(vic, hal);
    const ch = (await w.open(hal, vic, TON('5'), TON('5'))).channelId;
    await body(vic, hal, ch);
  } finally {
    await w.close();
  }
}

test('a data folder moved away while the node runs: told at once, no payment state signed (ours or the partner\'s) until it is back', { timeout: 240_000 }, () =>
  opened(async (vic, hal, ch) => {
    await rename(vic.dataDir, `${vic.dataDir}-moved`);
    await until(() => vic.events.some((e) => e.type === 'error' && e.code === 'DATA_DIR_GONE'), 'the user to be told', 10_000);
    const told = vic.events.find((e) => e.type === 'error' && e.code === 'DATA_DIR_GONE') as { message: string };
    assert.match(told.message, /^the data folder .*vic was moved or deleted while the node runs: what the node writes now would be lost when it stops\. It signs no new payment state until the folder is back/);
    const k = World.step(vic.node, ch);
    await assert.rejects(vic.node.send(TON('1'), { channel: ch }), (e: Error & { code?: string }) => e.code === 'DATA_DIR_GONE');
    assert.equal(World.step(vic.node, ch), k);
    assert.equal(vic.node.channel(ch)!.pending, null, 'nothing staged');
    assert.equal(vic.events.filter((e) => e.type === 'error' && e.code === 'DATA_DIR_GONE').length, 1, 'told once');
    // back where it was: Vic pays again
    await rename(`${vic.dataDir}-moved`, vic.dataDir);
    await until(async () => (await vic.node.send(TON('1'), { channel: ch }).then(() => true, () => false)), 'a payment once the folder is back', 10_000);
    await until(() => World.step(hal.node, ch) >= k + 1n, 'Hal to sign it');
  }));

test('export while the data folder is gone says so (it said "this is a bug")', { timeout: 120_000 }, async () => {
  const w = await World.create();
  try {
    const vic = await w.node('vic');
    await rename(vic.dataDir, `${vic.dataDir}-moved`);
    await assert.rejects(vic.node.exportBackup(`${w.dir}/vic.backup`), (e: Error & { code?: string }) => e.code === 'DATA_DIR_GONE' && /is gone \(its data folder was moved or deleted while the node runs\): put it back, then export again$/.test(e.message));
    await rename(`${vic.dataDir}-moved`, vic.dataDir);
    await vic.node.exportBackup(`${w.dir}/vic.backup`);
  } finally {
    await w.close();
  }
});

test('a lock file removed alone (a /tmp cleaner) is no data folder gone: payments go on', { timeout: 120_000 }, () =>
  opened(async (vic, _hal, ch) => {
    await rm(join(vic.dataDir, 'synchannel.lock'));
    await new Promise((r) => setTimeout(r, 2_500)); // two reads of the disk
    await vic.node.send(TON('1'), { channel: ch });
    assert.ok(!vic.events.some((e) => e.type === 'error' && e.code === 'DATA_DIR_GONE'));
  }));
