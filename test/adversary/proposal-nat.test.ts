// A genuine proposer behind the same address as a flood (a NAT, or 127.0.0.1 here): the held proposals count per
// host, and a flood of fresh wallets, each proposing once, ties with the genuine proposer on every count but age.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { walletAddress } from '../../src/chain/wallets.js';
import { newKeyPair } from '../../src/core/signer.js';
import { MAX_PROPOSALS_HELD } from '../../src/node/incoming.js';
import { RawPeer } from './raw.js';
import { TON } from './scene.js';
import { World, until, type NodeHandle } from './world.js';

/** A fresh wallet on 127.0.0.1 that proposes one channel to `vic`; resolves once it is handled (held or answered). */
async function proposeOnce(vic: NodeHandle, addr: string, peers: RawPeer[]): Promise<RawPeer> {
  const key = newKeyPair();
  const wallet = walletAddress('v5r1', key.publicKey);
  const raw = await RawPeer.dial(addr, { localAddress: '127.0.0.1' });
  peers.push(raw);
  await raw.handshake(key, wallet);
  raw.resume();
  const channelId = BigInt('0x' + randomBytes(7).toString('hex'));
  const hex = key.publicKey.toString('hex');
  raw.data({ type: 'channel.propose', channelId, challengePeriod: 600, expectedDepositA: TON('1'), expectedDepositB: TON('1'), addressA: wallet.toRawString(), addressB: Address.parse(vic.node.getAccount()).toRawString(), publicKeyA: hex, publicKeyB: vic.keyPair.publicKey.toString('hex') });
  await until(() => raw.dataIn().length > 0 || vic.node.channel(channelId.toString()) !== null, 'the proposal handled');
  return raw;
}

test("a flood of fresh wallets from the genuine proposer's own host, each proposing once, does not drop its proposal", async () => {
  const world = await World.create();
  const peers: RawPeer[] = [];
  try {
    const vic = await world.node('vic');
    const sam = await world.node('sam');
    const addr = await world.link(vic, sam); // Sam dials from 127.0.0.1, the flood's host
    const from = vic.events.length;
    const sams = await sam.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: vic.node.getAccount() });
    await until(() => vic.node.channel(sams.channelId) !== null, "Sam's proposal held");
    for (let i = 0; i < MAX_PROPOSALS_HELD + 8; i++) await proposeOnce(vic, addr, peers);
    const held = vic.node.channels().filter((c) => c.phase === 'proposed');
    assert.ok(held.length <= MAX_PROPOSALS_HELD, `${held.length} proposals held`);
    assert.ok(held.some((c) => c.channelId === sams.channelId), "Sam's proposal was dropped for the flood from its own host");
    assert.equal(sam.node.channel(sams.channelId)?.phase, 'proposed', "Sam's node was told its proposal was dropped");
    assert.ok(vic.events.slice(from).some((e) => e.type === 'channelProposed' && e.channel.channelId === sams.channelId), "Sam's proposal announced");
    // the flood's newest are the ones refused, each told so (its proposer waits for no answer that never comes)
    const refused = peers.filter((p) => p.dataIn().some((m) => m.type === 'channel.reject' && /propose again/.test(m.reason)));
    assert.ok(refused.length >= 8, `${refused.length} flood proposals answered`);
  } finally {
    for (const p of peers) await p.stop();
    await world.close();
  }
});
