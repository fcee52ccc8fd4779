// A refund says what the contract sent back to the wallet, read from the chain: after years of storage fees the
// deposits have paid part of them, and "taking back your deposit of 3 TON" alone overstated it (a money audit).
// The last deposit to leave takes the fee reserve with it (contract v4): nothing stays on the address.
import assert from 'node:assert/strict';
import { Address, type Transaction } from '@ton/core';
import { formatTon } from '../../src/core/amounts.js';
import { proposedWithFailingDeposit, restartFaulty, withPair } from '../helpers/reads.js';
import { TON, connect, until } from '../helpers/nodes.js';
import { waitForEvent } from '../../src/node/index.js';

/** What the contract's latest transaction sent to `to`. */
async function sentBackTo(p: Parameters<Parameters<typeof withPair>[1]>[0], to: Address): Promise<bigint> {
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  const page = (p.chain as unknown as { transactionsPage(a: Address, n: number, b: null): Promise<Transaction[]> }).transactionsPage(contract, 5, null);
  const [last] = await page;
  let back = 0n;
  for (const m of last!.outMessages.values()) if (m.info.type === 'internal' && m.info.dest.equals(to)) back += m.info.value.coins;
  return back;
}

withPair('refund after years of storage fees says what the contract sent back, as the chain shows it', async (p) => {
  // Alice deploys with 3 TON; Bob's deposit never goes out: the channel stays funding.
  await proposedWithFailingDeposit(p);
  await p.bob.deposit().catch(() => undefined);
  await until('Alice deployed', () => p.alice.currentChannel()?.phase === 'funding');
  await p.chain.advanceTime(3 * 365 * 24 * 3600);
  const said: string[] = [];
  await p.alice.refund({ onProgress: (m) => void said.push(m) });
  // the chain's figure: what the refund's transaction sent to Alice's wallet
  const back = await sentBackTo(p, Address.parse(p.alice.getAccount()));
  assert.ok(back > 0n && back < TON('3'), `sent back ${back}`);
  assert.ok(said.some((m) => m.includes(`the contract sent ${formatTon(back)} TON back to your wallet`)), said.join('\n'));
});

withPair("the only deposit's refund takes the fee reserve with it: nothing stays on the contract's address", async (p) => {
  await proposedWithFailingDeposit(p);
  await p.bob.deposit().catch(() => undefined);
  await until('Alice deployed', () => p.alice.currentChannel()?.phase === 'funding');
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  const held = await p.chain.getBalance(contract);
  assert.ok(held > TON('3'), `the deployment left part of its fee in the reserve: ${held}`);
  const said: string[] = [];
  await p.alice.refund({ onProgress: (m) => void said.push(m) });
  const back = await sentBackTo(p, Address.parse(p.alice.getAccount()));
  assert.ok(back > held, `all the contract held and the rest of the refund's value: ${back} of ${held}`);
  assert.equal(await p.chain.getBalance(contract), 0n);
  assert.ok(said.some((m) => m.includes(`the contract sent ${formatTon(back)} TON back to your wallet: your deposit and the contract's whole fee reserve`)), said.join('\n'));
});

withPair("a refund's words follow the chain, not a record that has not seen the partner's refund yet: the last deposit out takes the whole reserve", async (p) => {
  await proposedWithFailingDeposit(p);
  await p.bob.deposit().catch(() => undefined);
  await until('Alice deployed', () => p.alice.currentChannel()?.phase === 'funding');
  // Alice's record still shows a deposit of Bob's that the chain no longer holds (his refund, not seen yet).
  const inner = p.alice.node as unknown as { ctx: { channels: Map<string, { rec: { depositB: bigint } }> } };
  inner.ctx.channels.get(p.alice.currentChannel()!.channelId)!.rec.depositB = TON('4');
  const said: string[] = [];
  await p.alice.refund({ onProgress: (m) => void said.push(m) });
  assert.ok(said.some((m) => m.includes("your deposit and the contract's whole fee reserve")), said.join('\n'));
});

withPair("B deposits nothing into a contract A took its deposit back from: PARTNER_REFUNDED, and nothing leaves B's wallet", async (p) => {
  const f = await restartFaulty(p, 'bob');
  await connect(p.alice, p.bob);
  f.inject({ method: 'deposit', error: 'INSUFFICIENT_FUNDS' }); // Bob's first deposit is refused before it leaves
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await p.bob.deposit().catch(() => undefined);
  await until('Alice deployed', () => p.alice.currentChannel()?.phase === 'funding');
  await p.alice.refund();
  const before = await p.bob.balanceTon();
  await assert.rejects(p.bob.deposit(), (e: Error & { code?: string }) => e.code === 'PARTNER_REFUNDED' && /nothing was deposited/.test(e.message));
  assert.equal(await p.bob.balanceTon(), before);
});
