// Whose the reserve is while funding: it pools what each deposit's gas left of DEPOSIT_FEE, and a refund while the
// other deposit stays takes half of it. Can the partner take the other's fees with a deposit of 1 nanoton and a refund?
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import { DEPOSIT_FEE } from '../../src/contract/index.js';
import { balance, expectOk, makeWorld, type World } from './helpers.js';

/** B deposits 1 nanoton (the channel does not lock) and takes it back at once: B's wallet's net change. */
async function cycleB(w: World): Promise<bigint> {
  const b0 = await balance(w, w.b.address);
  expectOk(await w.channel.sendDeposit(w.b.getSender(), { amount: 1n }), w.channel.address);
  assert.equal((await w.channel.getChannelData()).phase, 'funding');
  expectOk(await w.channel.sendRefund(w.b.getSender()), w.channel.address);
  return (await balance(w, w.b.address)) - b0;
}

describe('channel contract: the reserve while funding', () => {
  test("after A's one deposit, B's deposit of 1 nanoton and its refund cost B its fees: B takes none of A's", async () => {
    const w = await makeWorld({ expectedDepositA: toNano('5'), expectedDepositB: toNano('3') });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: toNano('5') + DEPOSIT_FEE, deposit: toNano('5') }), w.channel.address);
    const net = await cycleB(w);
    assert.ok(net < 0n, `B's cycle: ${net}`);
    assert.ok((await balance(w, w.channel.address)) >= toNano('5'), "A's deposit is all there");
  });

  // KNOWN ISSUE (reported, contract unchanged): the reserve does not record whose fees it holds. A that deposits in
  // parts leaves ~0.0087 TON per deposit in it; B's 1-nanoton deposit and refund take half of it. With A's 5 deposits
  // (reserve 0.0434 TON) B's first cycle nets +0.0101 TON of A's money, the second +0.0014; below a reserve of about
  // 0.0143 TON a cycle costs B more than it takes. After a lock the payout splits the reserve evenly, as documented.
  // This test pins the gain (bounded); it fails once a contract version fixes it (then assert B gains nothing).
  test("KNOWN LIMIT of v4: after A deposits in five parts, B's first deposit-and-refund cycle gains B at most ~0.011 TON of A's reserve", async () => {
    const w = await makeWorld({ expectedDepositA: toNano('5'), expectedDepositB: toNano('3') });
    expectOk(await w.channel.sendDeploy(w.a.getSender(), { value: toNano('1') + DEPOSIT_FEE, deposit: toNano('1') }), w.channel.address);
    for (let i = 0; i < 4; i++) expectOk(await w.channel.sendDeposit(w.a.getSender(), { amount: toNano('1') }), w.channel.address);
    const net = await cycleB(w);
    assert.ok(net > 0n && net <= toNano('0.011'), `B's cycle: ${net}`);
  });
});
