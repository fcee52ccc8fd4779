// A contract that paid out while this node was stopped, its payout transaction buried under more later messages
// than the node looks through (the depth, lowered here through the sandbox's payoutDepth): the channel ends as
// closed by the contract's closed record, saying plainly that the payout transaction was not found and where to
// look; never "not found yet" for ever, never a share it did not read.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { createNode, type NodeEvent } from '../../src/node/index.js';
import { PERIOD, payOne, withPair } from '../helpers/reads.js';
import { TON, fund, until } from '../helpers/nodes.js';

withPair('a payout buried beyond the depth ends the channel as closed by the contract record, not "not found yet" for ever', async (p) => {
  await fund(p);
  await payOne(p); // step 3: A 2 TON, B 5 TON
  await p.bob.stop();
  await p.alice.withdraw({ mode: 'unilateral' });
  p.chain.advanceTime(PERIOD + 5);
  await until('Alice finished the close', () => p.alice.currentChannel()?.phase === 'closed', 30_000);
  const contract = Address.parse(p.alice.currentChannel()!.contract);
  // Anyone may send the closed contract messages (each refused, each a transaction): 9 bury it beyond 4 and 8.
  for (let i = 0; i < 9; i++) await p.chain.fund(contract, TON('0.001'));
  const shallow = await SandboxChain.create({ blockchain: p.chain.blockchain, payoutDepth: { watch: 4, deep: 8 } });
  const events: NodeEvent[] = [];
  p.bob = await createNode({ ...p.common, chain: shallow, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
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
