// `npm run demo`'s result (a review): "Paid out" printed the state's balances as what was paid, and "(latest state,
// step N)" without looking. Now it prints what the contract paid, checked here against the payout messages on chain,
// and says "the latest state both signed" only when it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address, type Cell, type Transaction } from '@ton/core';
import { parseTon } from '../../src/core/amounts.js';
import { paidOutLine, playDemo } from '../../src/cli/demo.js';
import { createTeachingDemo } from '../../src/node/demo.js';
import type { ChannelView, PayoutView } from '../../src/node/types.js';

const PAY_A = 0x70617941; // "payA", the contract's tag of a payout to A
const PAY_B = 0x70617942;

test("the demo's Result prints what the contract paid each wallet, by the latest state both signed", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-demo-'));
  const d = await createTeachingDemo({ dataDir: dir });
  try {
    for (const id of ['connect', 'deploy', 'deposit', 'signInitial', 'send', 'requestTurn', 'passTurn', 'staleClose', 'challenge'] as const) await d.runStep(id);
    const contract = Address.parse(d.alice.currentChannel()!.contract);
    const held = await d.chain.getBalance(contract); // all the contract pays out (less a few seconds of storage)
    const onChain = (await d.chain.getChannelData(contract))?.storedState?.step;
    const out: string[] = [];
    t.mock.method(console, 'log', (...a: unknown[]) => void out.push(a.join(' ')));
    await playDemo(d);
    t.mock.restoreAll();
    const line = out.find((l) => l.startsWith('Paid out'));
    const m = /^Paid out: A ([\d.]+) TON, B ([\d.]+) TON \(by step (\d+), the latest state both signed/.exec(line ?? '');
    assert.ok(m, `the Result says: ${line}`);
    const printed = { A: parseTon(m[1]!), B: parseTon(m[2]!) };
    // the payout transaction as the chain holds it: the share the contract sent tagged payA / payB (to the party
    // that did not send finish_close: the sender's share goes back with its change, untagged)
    const opOf = (c: Cell) => (c.bits.length >= 32 ? c.beginParse().preloadUint(32) : null);
    const page = (d.chain as unknown as { transactionsPage(a: Address, n: number, b: null): Promise<Transaction[]> }).transactionsPage(contract, 50, null);
    const tx = (await page).find((x) => [...x.outMessages.values()].some((msg) => [PAY_A, PAY_B].includes(opOf(msg.body) ?? 0)));
    assert.ok(tx, 'no payout transaction on chain');
    const tagged = [...tx.outMessages.values()].filter((msg) => msg.info.type === 'internal' && [PAY_A, PAY_B].includes(opOf(msg.body) ?? 0));
    assert.equal(tagged.length, 1, 'one party sent finish_close: the other one share is tagged');
    const msg = tagged[0]!;
    const other = opOf(msg.body) === PAY_A ? 'A' : 'B';
    assert.ok(msg.info.type === 'internal' && msg.info.dest.equals(Address.parse((other === 'A' ? d.alice : d.bob).getAccount()!)), 'the share goes to its wallet');
    assert.equal(printed[other], msg.info.type === 'internal' ? msg.info.value.coins : -1n, `${other}'s share as printed and as sent`);
    // the whole balance left the contract: the two shares printed add up to it
    const diff = held - (printed.A + printed.B);
    assert.ok(diff >= 0n && diff < 10_000n, `what the contract held (${held}) is what it paid (${printed.A + printed.B})`);
    // "latest": the state on chain is the latest both nodes hold as signed by both
    const step = BigInt(m[3]!);
    assert.equal(onChain, step, 'the state the contract held when the window passed');
    assert.equal(d.alice.currentChannel()!.latest!.step, step);
    assert.equal(d.bob.currentChannel()!.latest!.step, step);
  } finally {
    t.mock.restoreAll();
    await d.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a stale close that stood is not called the latest state', () => {
  const payout: PayoutView = { step: 1n, balanceA: 4n, balanceB: 3n, paidA: 5n, paidB: 4n, latestStep: 4n, latestBalanceA: 2n, latestBalanceB: 5n, matchesLatest: false, txHash: null };
  const view = (latest: bigint) => ({ phase: 'closed', payout, latest: { step: latest } }) as unknown as ChannelView;
  const line = paidOutLine(view(4n), view(4n));
  assert.doesNotMatch(line, /the latest state both signed[;)]/);
  assert.match(line, /not the latest state both signed \(step 4\)/);
  assert.match(paidOutLine(view(1n), view(1n)), /not the latest/, 'matchesLatest false: not the latest, whatever the views');
});
