// At a terminal, `deposit` says the wallet's balance before it deposits: with the storage fee due when worth saying,
// as balanceTon says it (the bare balance let a wallet left idle look as if all of it could go in). Real nodes on a
// SandboxChain, aged ten years.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { runLine, type Io } from '../../src/cli/repl.js';
import { TON, closePair, openPair, proposedThenAged } from '../helpers/nodes.js';

test("deposit at a terminal says the wallet's storage fee due with its balance", { timeout: 120_000 }, async () => {
  const p = await openPair();
  try {
    await proposedThenAged(p);
    (await p.chain.blockchain.getContract(Address.parse(p.bob.getAccount()))).balance = TON('5');
    const said: string[] = [];
    const io: Io = { json: false, interactive: true, say: (t) => void said.push(t), emit: () => undefined, ask: async () => null };
    await runLine('deposit', p.bob, io);
    assert.match(said[0] ?? '', /^Your account balance now: 5 TON \([\d.]+ TON storage fee due\)$/, said.join('\n'));
  } finally {
    await closePair(p);
  }
});
