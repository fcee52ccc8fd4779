// Mallory as B: Vic proposed their channel, deployed its contract and opened it; Mallory turns. Only the proposer
// deploys a contract: her claims of deploying one are refused without a chain read and without telling Vic's user
// about a contract to deposit in; her proposal reusing the channel's id changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { endScene, honestStillPays, scene } from './scene.js';
import { until, World } from './world.js';

test("a 'contract deployed' notice from the partner of a channel this node proposed is refused: nothing read, no contract told", async () => {
  const s = await scene({ payments: 1, vicProposes: true });
  try {
    const { vic, mallory: m, known: k } = s;
    assert.equal(k.me, 'B');
    await until(() => vic.node.channel(s.withMal)!.partnerOnline, 'Vic to see Mallory online');
    const from = vic.events.length;
    const reads = vic.counter.reads;
    const other = new Address(0, randomBytes(32)).toString();
    m.say({ type: 'channel.deployed', channelId: k.channelId, contract: other });
    await m.error('channel.deployed', 'UNKNOWN_CHANNEL');
    m.say({ type: 'channel.deployed', channelId: k.channelId, contract: k.contract });
    await until(() => m.errors('channel.deployed').length === 2, 'the second notice answered');
    assert.deepEqual(m.errors('channel.deployed'), ['UNKNOWN_CHANNEL', 'UNKNOWN_CHANNEL']);
    const told = vic.events.slice(from).filter((e) => e.type === 'error') as { code: string; message: string }[];
    assert.ok(told.length >= 1, 'the refusal is told');
    for (const e of told) {
      assert.equal(e.code, 'UNKNOWN_CHANNEL');
      assert.doesNotMatch(e.message, /deposit/, `no contract to deposit in is told: ${e.message}`);
    }
    assert.equal(vic.counter.reads, reads, 'no chain read for a notice that is not the partner\'s to send');
    assert.equal(vic.node.channel(s.withMal)!.phase, 'open');
    await honestStillPays(s);
  } finally {
    await endScene(s);
  }
});

test("a proposal reusing the id of the channel this node proposed to the partner is refused, in this side's words; nothing changes", async () => {
  const s = await scene({ payments: 1, vicProposes: true });
  try {
    const { vic, mallory: m, known: k } = s;
    const bytes = await World.journalBytes(vic, s.withMal);
    const from = vic.events.length;
    m.say({ type: 'channel.propose', channelId: k.channelId, challengePeriod: 600, expectedDepositA: 1n, expectedDepositB: 1n, addressA: m.address.toString(), addressB: vic.node.getAccount(), publicKeyA: m.keyPair.publicKey.toString('hex'), publicKeyB: vic.keyPair.publicKey.toString('hex') });
    await m.error('channel.propose', 'BAD_PROPOSAL');
    await until(() => vic.events.slice(from).some((e) => e.type === 'error'), 'the refusal told here');
    const e = vic.events.slice(from).find((x) => x.type === 'error') as { code: string; message: string };
    assert.equal(e.code, 'BAD_PROPOSAL');
    assert.match(e.message, /the id of a channel of yours with them: nothing changed/);
    assert.equal(vic.node.channels().length, 2, 'no channel added');
    assert.equal(vic.node.channel(s.withMal)!.me, 'A');
    assert.equal(await World.journalBytes(vic, s.withMal), bytes);
  } finally {
    await endScene(s);
  }
});
