// A channel restored from a backup defends its latest state both signed even when the backup kept a partner's
// payment awaiting this node's signature: the node may not sign that one (CHANNEL_RESTORED), so a stale close is
// challenged with the latest state both signed, not planned with the proposal and then never sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForEvent } from '../../src/node/index.js';
import { learn } from '../adversary/mallory.js';
import { TON } from '../adversary/scene.js';
import { World, until } from '../adversary/world.js';

test("a stale close of a restored channel is challenged with the latest state both signed when the backup kept a partner's payment unsigned", async () => {
  const w = await World.create();
  try {
    const vic = await w.node('vic', { autoMode: false }); // signs by hand: a partner's payment waits on disk
    const mal = await w.node('mal');
    await w.link(mal, vic); // Vic dials: it redials Mal after its restart
    const ch = (await w.open(vic, mal, TON('5'), TON('5'))).channelId;
    const got = (step: bigint) => waitForEvent(vic.node, 'stateReceived', (e) => e.channel.channelId === ch && e.state.step === step);
    // step 1: Mal pays Vic 1 TON, signed by hand; step 2: Vic passes the turn
    let received = got(1n);
    await mal.node.send(TON('1'), { channel: ch });
    await received;
    await vic.node.sign({ channel: ch });
    await vic.node.createEmpty({ channel: ch });
    await until(() => World.step(vic.node, ch) === 2n && World.step(mal.node, ch) === 2n, 'step 2 signed by both');
    // step 3: Mal pays Vic 0.5 TON, kept unsigned in Vic's journal, and so in its backup
    received = got(3n);
    await mal.node.send(TON('0.5'), { channel: ch });
    await received;
    const backup = join(w.dir, 'vic.backup');
    await vic.node.exportBackup(backup);
    const known = await learn(mal.node, ch);

    // Vic loses its channels and imports the backup; Mal answers its resync (nothing newer than step 2).
    await w.stop(vic);
    await rm(join(vic.dataDir, 'channels'), { recursive: true, force: true });
    const v = await w.node('vic', { keyPair: vic.keyPair });
    assert.equal((await v.node.importBackup(backup)).imported.length, 1);
    await until(() => !v.node.channel(ch)!.restorePending, 'the partner to answer the resync', 60_000);
    assert.deepEqual([World.step(v.node, ch), v.node.channel(ch)!.pending?.step], [2n, 3n]);
    await w.stop(mal);

    // Mal closes with step 0 (5 TON for her where step 2 gives 4).
    const failed: string[] = [];
    v.node.on((e) => void (e.type === 'challengeFailed' && failed.push(e.code)));
    const challenged = waitForEvent(v.node, 'challenged', (e) => e.channel.channelId === ch && e.byMe, 60_000);
    const old = known.states[0]!;
    await w.chain.startClose(await w.chain.openWallet(mal.keyPair), old.state.channel, { state: old.state, sigA: old.sigA!, sigB: old.sigB! });
    assert.equal((await challenged).step, 2n, 'challenged with the latest state both signed');
    assert.deepEqual(failed, []);
  } finally {
    await w.close();
  }
});
