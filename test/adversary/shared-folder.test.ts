// One data folder may hold channels of several networks (a node run with another --chain names them). A partner
// who knows the id of a channel there, proposing a channel with that id on the other network, had its proposal
// held, and accepting it wrote the new channel's record over that channel's files: the node on the first network
// then read it as the other network's and watched it no more, so a stale close of the partner's stood there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { Mallory } from './mallory.js';
import { TON } from './scene.js';
import { World, until } from './world.js';

test("a proposal on another network with the id of a channel in this data folder is refused: that channel's files stay its own", async () => {
  const world = await World.create();
  let eve: Mallory | undefined;
  try {
    const vic = await world.node('vic');
    const hal = await world.node('hal');
    await world.link(hal, vic);
    const { channelId } = await world.open(hal, vic, TON('2'), TON('1'));
    const recordFile = join(vic.dataDir, 'channels', channelId, 'record.json');
    // the victim runs a node on devnet with the same folder; the partner proposes the sandbox channel's id there
    await world.stop(vic);
    const before = await readFile(recordFile, 'utf8');
    const dev = await world.node('vic', { keyPair: vic.keyPair, network: 'devnet' });
    eve = await Mallory.connect(hal.keyPair, hal.node.getAccount(), (await dev.node.serve(0, '127.0.0.1')).lan[0]!);
    const id = BigInt(channelId);
    eve.say({ type: 'channel.propose', channelId: id, challengePeriod: 600, expectedDepositA: TON('1'), expectedDepositB: 0n, addressA: Address.parse(hal.node.getAccount()).toRawString(), addressB: Address.parse(dev.node.getAccount()).toRawString(), publicKeyA: hal.keyPair.publicKey.toString('hex'), publicKeyB: dev.keyPair.publicKey.toString('hex') });
    const no = await eve.nextOf('error', (m) => m.ref === 'channel.propose' && m.code === 'BAD_PROPOSAL');
    assert.match(no.message, new RegExp(`channel id ${channelId} is already used on their node, by a channel of yours with them on sandbox: propose again`));
    await until(() => dev.events.some((e) => e.type === 'error' && e.code === 'BAD_PROPOSAL'), 'the refusal told here');
    assert.equal(dev.node.channel(channelId), null, 'nothing held to accept');
    assert.equal(await readFile(recordFile, 'utf8'), before, "the sandbox channel's record is as it was");
  } finally {
    await eve?.stop();
    await world.close();
  }
});
