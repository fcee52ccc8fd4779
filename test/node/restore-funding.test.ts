// A node restored from a backup made while its channel was funding (before the lock and step 0), on an endpoint that
// lags behind the lock: its partner's answer brings the states both signed while the record still says funding.
// The channel must open with them, not end 'locked' once the lock is read (where it pays nothing and withdraw says
// no state is signed by both). Real nodes over loopback libp2p on one SandboxChain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForEvent } from '../../src/node/index.js';
import { TON } from '../adversary/scene.js';
import { World, until } from '../adversary/world.js';
import { laggingChain } from '../helpers/lagging.js';

test('a channel restored from a backup made while funding opens with the states its partner brings, also when the lock is read after them', async () => {
  const w = await World.create();
  try {
    let vic = await w.node('vic');
    const mal = await w.node('mal');
    await w.link(vic, mal);
    const proposed = waitForEvent(vic.node, 'channelProposed');
    const id = (await mal.node.open({ myDeposit: TON('2'), partnerDeposit: TON('1'), partner: vic.node.getAccount() })).channelId;
    await proposed;
    // Vic's deposit is held on its way to the chain while Vic backs up the funding channel
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const restore = w.slowWallet(vic, () => held);
    const signed = waitForEvent(mal.node, 'stateSigned', (e) => e.channel.channelId === id && e.state.step === 0n, 60_000);
    const deposited = vic.node.deposit(undefined, { channel: id });
    await until(() => vic.node.channel(id)?.phase === 'funding', "Mal's deployment seen by Vic");
    const backup = join(w.dir, 'vic.backup');
    await vic.node.exportBackup(backup);
    release();
    restore();
    await deposited;
    await signed;
    await w.pay(mal, id, TON('0.5'));

    // Vic loses its channels and imports the backup, on an endpoint that shows the contract still funding
    await w.stop(vic);
    await rm(join(vic.dataDir, 'channels'), { recursive: true, force: true });
    let lagging: ReturnType<typeof laggingChain> | undefined;
    vic = await w.node('vic', { keyPair: vic.keyPair, wrap: (c) => (lagging = laggingChain(c)).chain });
    await vic.node.importBackup(backup);
    await until(() => !vic.node.channel(id)!.restorePending && World.step(vic.node, id) === World.step(mal.node, id), "Mal's answer taken in");
    lagging!.catchUp();
    await until(() => vic.node.channel(id)!.phase === 'open', 'the channel open with the states signed by both');
    assert.equal(vic.node.channel(id)!.myBalance, TON('1.5'));
  } finally {
    await w.close();
  }
});
