// A party that deposits nothing still pays the fees of leaving: a close, or a challenge of a stale close and the
// finish. Accepting with an empty wallet left what it received at risk until it funded the wallet. Real nodes on a
// SandboxChain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { formatTon } from '../../src/core/amounts.js';
import { waitForEvent } from '../../src/node/index.js';
import { EXIT_RESERVE } from '../../src/node/checks.js';
import { proposalNote } from '../../src/node/uiRules.js';
import { TON, closePair, openPair } from '../helpers/nodes.js';

test('a party that deposits nothing accepts only with what leaving and defending cost in its wallet', async () => {
  const p = await openPair();
  try {
    const bob = Address.parse(p.bob.getAccount());
    const bobWallet = await p.chain.blockchain.getContract(bob);
    bobWallet.balance = TON('0.01');
    const proposed = waitForEvent(p.bob, 'channelProposed');
    const ch = await p.alice.open({ myDeposit: TON('2'), partnerDeposit: 0n });
    await proposed;
    const aliceBefore = await p.alice.balanceTon();
    const needed = formatTon(EXIT_RESERVE);
    const note = await proposalNote(p.bob, p.bob.currentChannel()!);
    assert.ok(note?.includes(`${needed} TON`) && /deposit nothing/.test(note) && /`faucet`/.test(note), `the note with the proposal: ${note}`);
    await assert.rejects(p.bob.deposit(), (e: { code?: string; message: string }) => {
      assert.equal(e.code, 'INSUFFICIENT_FUNDS', e.message);
      assert.match(e.message, /you deposit nothing/);
      assert.ok(e.message.includes(`${needed} TON`), e.message);
      assert.match(e.message, /`faucet`/);
      return true;
    });
    await new Promise((r) => setTimeout(r, 500)); // where an acceptance would reach Alice
    assert.equal(p.alice.channels().find((c) => c.channelId === ch.channelId)!.phase, 'proposed', 'nothing accepted');
    assert.equal(await p.alice.balanceTon(), aliceBefore, 'nothing deployed');

    // Funded with that much (and a little for the storage fee): accepted, the channel locks with Alice's deposit.
    bobWallet.balance = EXIT_RESERVE + TON('0.001');
    assert.equal(await proposalNote(p.bob, p.bob.currentChannel()!), null);
    const initial = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 0n, 60_000);
    await p.bob.deposit();
    await initial;
  } finally {
    await closePair(p);
  }
});
