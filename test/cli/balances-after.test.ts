// The balances the CLI prints after a close name the storage fee each account owes when it is worth saying, as
// balanceTon does: the bare balance let a wallet left idle look as if it could deposit all of it. Real nodes on a
// SandboxChain, aged ten years as the close is told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { printEvents, type StartedNode } from '../../src/cli/startup.js';
import type { Io } from '../../src/cli/repl.js';
import { waitForEvent } from '../../src/node/index.js';
import { closePair, fund, openPair, until } from '../helpers/nodes.js';

const YEAR = 365 * 86400;

test('the balances after a close say the storage fee due of a wallet left idle', { timeout: 120_000 }, async () => {
  const p = await openPair();
  try {
    await fund(p);
    const said: string[] = [];
    const io: Io = { json: false, interactive: false, say: (t) => void said.push(t), emit: () => undefined, ask: async () => null };
    printEvents(Object.assign(p.bob, { keyCreated: false }) as StartedNode, 'sandbox', p.dir, io);
    // the wallets sit idle for ten years after the payout, before the CLI reads them
    p.bob.on((e) => void (e.type === 'closed' && p.chain.advanceTime(10 * YEAR)));
    const closed = waitForEvent(p.bob, 'closed', () => true, 60_000);
    await p.alice.withdraw({ mode: 'cooperative' });
    await closed;
    await until('the contract line', () => said.find((l) => l.startsWith('Smart contract balance in workchain now')));
    const mine = said.find((l) => l.startsWith('Your balance in workchain now'));
    const theirs = said.find((l) => l.startsWith('Partner balance in workchain now'));
    const { storageDue: due } = await p.chain.getBalanceDue(Address.parse(p.bob.getAccount()));
    assert.ok(due !== null && due > 1_000_000n, `a fee is due after ten idle years (${due})`);
    assert.match(mine ?? '', /^Your balance in workchain now: [\d.]+ TON \([\d.]+ TON storage fee due\)$/, said.join('\n'));
    assert.match(theirs ?? '', /^Partner balance in workchain now: [\d.]+ TON \([\d.]+ TON storage fee due\)$/, said.join('\n'));
  } finally {
    await closePair(p);
  }
});
