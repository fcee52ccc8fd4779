// (a) Strangers with fresh wallets evict an honest partner's unaccepted proposal (32 held in all), and the honest
//     proposer, still connected, never resends it.  (b) Each fresh stranger session gets its own report budget:
//     error events shown to the victim's user grow with the number of wallets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Address } from '@ton/core';
import { walletAddress } from '../../src/chain/wallets.js';
import { newKeyPair } from '../../src/core/signer.js';
import { waitForEvent } from '../../src/node/index.js';
import { MAX_PROPOSALS_HELD } from '../../src/node/negotiation.js';
import { Mallory } from '../../test/adversary/mallory.js';
import { TON } from '../../test/adversary/scene.js';
import { World, until } from '../../test/adversary/world.js';

async function stranger(addr: string): Promise<Mallory> {
  const key = newKeyPair();
  return Mallory.connect(key, walletAddress('v5r1', key.publicKey).toString(), addr);
}

test("strangers' proposals evict an honest proposal; the connected proposer never resends it", async (t) => {
  const world = await World.create();
  const eves: Mallory[] = [];
  try {
    const vic = await world.node('vic');
    const hal = await world.node('hal');
    const addr = await world.link(vic, hal);
    const proposed = waitForEvent(vic.node, 'channelProposed');
    const p = await hal.node.open({ myDeposit: TON('1'), partnerDeposit: TON('1'), partner: vic.node.getAccount() });
    await proposed;
    assert.ok(vic.node.channel(p.channelId), 'honest proposal held');
    const t0 = Date.now();
    const me = vic.node.getAccount();
    for (let i = 0; i < 11; i++) {
      const e = await stranger(addr);
      eves.push(e);
      for (let j = 0; j < 3; j++) {
        e.say({ type: 'channel.propose', channelId: BigInt('0x' + randomBytes(7).toString('hex')), challengePeriod: 600, expectedDepositA: TON('1'), expectedDepositB: TON('1'), addressA: e.address.toString(), addressB: me, publicKeyA: e.keyPair.publicKey.toString('hex'), publicKeyB: vic.keyPair.publicKey.toString('hex') });
      }
    }
    await until(() => !vic.node.channel(p.channelId), 'the honest proposal to be dropped', 20_000);
    t.diagnostic(`honest proposal dropped after ${Date.now() - t0} ms by 11 stranger wallets x 3 proposals (MAX ${MAX_PROPOSALS_HELD})`);
    await new Promise((r) => setTimeout(r, 10_000));
    const back = !!vic.node.channel(p.channelId);
    t.diagnostic(`10 s later, Hal still connected: proposal back on Vic: ${back}; Hal sees its channel as ${hal.node.channel(p.channelId)?.phase}`);
    const acc = await vic.node.deposit(undefined, { channel: p.channelId }).then(() => 'ok', (e: Error) => e.message);
    t.diagnostic(`Vic accepts Hal's proposal: ${acc}`);
  } finally {
    for (const e of eves) await e.stop();
    await world.close();
  }
});

test('error events shown to the user grow with the number of stranger wallets', async (t) => {
  const world = await World.create();
  const eves: Mallory[] = [];
  try {
    const vic = await world.node('vic');
    const addr = (await vic.node.serve(0, '127.0.0.1')).lan[0]!;
    const ev0 = vic.events.length;
    const t0 = Date.now();
    const W = 15;
    for (let i = 0; i < W; i++) {
      const e = await stranger(addr);
      eves.push(e);
      const fake = Address.parse(`0:${randomBytes(32).toString('hex')}`).toString();
      for (let j = 0; j < 25; j++) e.say({ type: 'deposit', contract: fake, party: 'A', amount: 1n });
    }
    await new Promise((r) => setTimeout(r, 2000));
    const errs = vic.events.slice(ev0).filter((e) => e.type === 'error').length;
    const conn = vic.events.slice(ev0).filter((e) => e.type === 'partnerConnected').length;
    t.diagnostic(`${W} stranger wallets x 25 bad messages in ${Date.now() - t0} ms -> ${errs} error events, ${conn} partnerConnected events on the victim`);
  } finally {
    for (const e of eves) await e.stop();
    await world.close();
  }
});
