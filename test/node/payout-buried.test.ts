// A contract that paid out while this node was stopped, its payout transaction buried under more later messages
// than the node looks through (the depth, lowered here through the sandbox's payoutDepth): the channel ends as
// closed by the contract's closed record, saying plainly that the payout transaction was not found and where to
// look; never "not found yet" for ever, never a share it did not read.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address, type Transaction } from '@ton/core';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { createNode, type NodeEvent } from '../../src/node/index.js';
import { bobAfterBuriedPayout, paidOutWhileBobDown, withPair } from '../helpers/reads.js';
import { TON, until } from '../helpers/nodes.js';

withPair('a payout buried beyond the depth ends the channel as closed by the contract record, not "not found yet" for ever', async (p) => {
  const shallow = await bobAfterBuriedPayout(p); // step 3: A 2 TON, B 5 TON
  const events: NodeEvent[] = [];
  p.bob.on((e) => void events.push(e));
  try {
    await until('Bob ended the channel', () => p.bob.currentChannel()?.phase === 'closed', 30_000);
    const v = p.bob.currentChannel()!;
    assert.equal(v.payoutA, TON('2'));
    assert.equal(v.payoutB, TON('5'));
    assert.equal(v.payout?.step, 3n);
    assert.equal(v.payout?.paidA, null, 'no share that was not read');
    assert.equal(v.payout?.txHash, null);
    const closed = await until('closed told', () => events.find((e) => e.type === 'closed'));
    assert.ok(closed && closed.type === 'closed' && closed.payoutA === TON('2') && closed.payoutB === TON('5'), 'closed told with the record');
    await until('the record told', () => events.some((e) => e.type === 'log' && /closed record/.test(e.message)));
    const said = events.filter((e) => (e.type === 'log' || e.type === 'error') && /payout transaction/.test(e.message)).map((e) => (e as { message: string }).message);
    assert.ok(said.some((m) => /payout transaction itself was not found/.test(m) && m.includes(v.contract)), said.join(' | '));
    assert.ok(!said.some((m) => /not found yet/.test(m)), said.join(' | '));
    // kept as it is: after a restart the channel is closed by the same record, and no share appears
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, chain: shallow, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    const again = p.bob.currentChannel()!;
    assert.equal(again.phase, 'closed');
    assert.deepEqual([again.payoutA, again.payoutB, again.payout?.paidA, again.payout?.paidB], [TON('2'), TON('5'), null, null]);
  } finally {
    await p.bob.stop();
    await shallow.close();
  }
});

withPair('a payout missing from a history that ends early at the endpoint is said so (what to do), not "not found yet"', async (p) => {
  const contract = await paidOutWhileBobDown(p);
  for (let i = 0; i < 3; i++) await p.chain.fund(contract, TON('0.001')); // three later transactions
  // An endpoint that keeps only an account's two newest transactions: asked for 20, it answers 2, the older gone.
  const short = await SandboxChain.create({ blockchain: p.chain.blockchain });
  type Paging = { transactionsPage(a: Address, limit: number, before: unknown, s?: AbortSignal): Promise<Transaction[]> };
  const paging = short as unknown as Paging;
  const page = paging.transactionsPage.bind(short);
  paging.transactionsPage = async (a, limit, before, s) => (before === null ? (await page(a, limit, before, s)).slice(0, 2) : []);
  const events: NodeEvent[] = [];
  p.bob = await createNode({ ...p.common, chain: short, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  p.bob.on((e) => void events.push(e));
  try {
    await until('Bob ended the channel by the closed record', () => p.bob.currentChannel()?.phase === 'closed', 30_000);
    assert.equal(p.bob.currentChannel()!.payout?.paidA, null, 'no share that was not read');
    const said = () => events.filter((e) => (e.type === 'log' || e.type === 'error') && /payout transaction/.test(e.message)).map((e) => (e as { message: string }).message);
    await until('the incomplete history told', () => said().some((m) => /history .*ends .*endpoint/.test(m) && /archival|explorer/.test(m)));
    assert.ok(!said().some((m) => /not found yet/.test(m)), said().join(' | '));
  } finally {
    await p.bob.stop();
    await short.close();
  }
});

withPair('a payout read from an endpoint whose history of the contract comes back empty says so and what to do, not only "not found yet"', async (p) => {
  const contract = await paidOutWhileBobDown(p);
  assert.ok(contract);
  // An endpoint that answers every history with nothing (one that keeps none, or an indexer behind the state).
  const empty = await SandboxChain.create({ blockchain: p.chain.blockchain });
  (empty as unknown as { transactionsPage: () => Promise<Transaction[]> }).transactionsPage = async () => [];
  const events: NodeEvent[] = [];
  p.bob = await createNode({ ...p.common, chain: empty, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  p.bob.on((e) => void events.push(e));
  try {
    const said = () => events.filter((e) => (e.type === 'log' || e.type === 'error') && /paid out/.test(e.message)).map((e) => (e as { message: string }).message);
    await until('the empty history told', () => said().some((m) => /no transaction of the contract/.test(m)));
    const m = said().find((x) => /no transaction of the contract/.test(x))!;
    assert.match(m, /behind the contract's state/, m);
    assert.match(m, /keeps none/, m);
    assert.match(m, /the node keeps looking/, m);
    assert.match(m, /explorer/, m);
    assert.notEqual(p.bob.currentChannel()?.phase, 'closed', 'its shares may still show: not ended by the closed record yet');
  } finally {
    await p.bob.stop();
    await empty.close();
  }
});
