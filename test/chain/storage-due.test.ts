// The storage fee an account owes is what its next transaction takes first: the sandbox's figure is the chain's own
// (its storage stat and prices), so the transaction collects exactly that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import type { SandboxChain } from '../../src/chain/SandboxChain.js';
import { newKeyPair } from '../../src/core/signer.js';

const YEAR = 365 * 86400;

test("the storage fee due of a wallet idle for a year is what its next transaction collects", async () => {
  const heavy = await import('#heavy');
  const chain: SandboxChain = await heavy.SandboxChain.create();
  try {
    const wallet = await chain.openWallet(newKeyPair());
    // The chain's time held a year ahead: the read and the transaction see the same time.
    chain.blockchain.now = (await chain.now()) + YEAR;
    const { balance, storageDue } = await chain.getBalanceDue(wallet.address);
    assert.equal(balance, await chain.getBalance(wallet.address));
    assert.ok(storageDue !== null && storageDue > 0n);
    const treasury = await chain.blockchain.treasury('storage-due');
    const r = await treasury.send({ to: wallet.address, value: toNano('1') });
    const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === wallet.address.toString());
    const d = tx?.description;
    assert.ok(d?.type === 'generic');
    assert.equal(d.storagePhase?.storageFeesCollected, storageDue);
  } finally {
    await chain.close();
  }
});
