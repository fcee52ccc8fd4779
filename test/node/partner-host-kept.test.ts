// A wallet that becomes a partner while connected (its proposal accepted here, or ours to it stored) has the host it
// dialed in from kept at once (p2p/partner-hosts.json, read by the guard after a restart), not only at its next
// login or a clean stop: a kill -9 before either lost it. So does a channel with it restored by an import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PARTNER_HOSTS_FILE } from '../../src/p2p/partnerhosts.js';
import { TON } from '../adversary/scene.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { closePair, connect, fund, openPair, until, type Pair } from '../helpers/nodes.js';

/** The hosts kept in `side`'s data folder (the node's p2p folder), or null without the file. */
async function keptHosts(p: Pair, side: 'alice' | 'bob'): Promise<string[] | null> {
  const text = await readFile(join(p.dir, side, 'p2p', PARTNER_HOSTS_FILE), 'utf8').catch(() => null);
  return text === null ? null : (JSON.parse(text) as { hosts: string[] }).hosts;
}

const keptSoon = (p: Pair, what: string) => until(what, async () => (await keptHosts(p, 'alice'))?.includes('127.0.0.1') === true, 5_000);

// Alice serves; Bob dials in from 127.0.0.1. Neither is the other's partner when Bob logs in.
test("our proposal to a wallet that dialed in keeps its host at once", async () => {
  const p = await openPair();
  try {
    assert.equal(await keptHosts(p, 'alice'), null, 'no partner yet');
    await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    await keptSoon(p, "Bob's host kept by Alice before any stop");
  } finally {
    await closePair(p);
  }
});

test('a proposal accepted from a wallet that dialed in keeps its host at once', async () => {
  const p = await openPair();
  try {
    const proposed = waitForEvent(p.alice, 'channelProposed');
    await p.bob.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
    await proposed;
    assert.equal(await keptHosts(p, 'alice'), null, 'a proposal held in memory makes no partner');
    await p.alice.deposit();
    await keptSoon(p, "Bob's host kept by Alice once she accepted");
  } finally {
    await closePair(p);
  }
});

test('a channel restored by an import keeps the host of its partner connected then', async () => {
  const p = await openPair();
  try {
    await fund(p);
    const backup = join(p.dir, 'alice.backup');
    await p.alice.exportBackup(backup);
    // Alice's folder is lost; her new node has no channel, so Bob dials in as a guest
    await p.alice.stop();
    await rm(join(p.dir, 'alice'), { recursive: true, force: true });
    p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
    await connect(p.alice, p.bob);
    assert.equal(await keptHosts(p, 'alice'), null, 'no partner before the import');
    await p.alice.importBackup(backup);
    await keptSoon(p, "Bob's host kept by Alice once the import restored their channel");
  } finally {
    await closePair(p);
  }
});
