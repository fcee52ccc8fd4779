// After a start a channel is unsynced until the partner's resync answer (unsynced.ts): a payment of the partner's
// countersigned meanwhile gets no automatic pass then (nothing of ours leaves). Once the answer is in, the pass
// the payee owes in automatic mode (docs/architecture.md, One payment, step 3) goes: the turn is not kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createNode } from '../../src/node/index.js';
import type { NodeContext } from '../../src/node/context.js';
import { payOne } from '../helpers/reads.js';
import { latch } from '../helpers/running-import.js';
import { TON, closePair, connect, fund, latest, openPair, until } from '../helpers/nodes.js';

test("a partner's payment countersigned before the resync answer after a start gets its automatic pass once the answer is in", async () => {
  const p = await openPair();
  try {
    await fund(p, { a: '5' });
    await payOne(p); // step 3, Bob's pass: Alice's turn
    await p.bob.stop();
    p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
    // Alice's answer to Bob's resync request is held: Bob stays unsynced while her payment comes
    const { ctx } = p.alice.node as unknown as { ctx: NodeContext };
    const answer = latch();
    const sendAcked = ctx.sendAcked.bind(ctx);
    let held = 0;
    ctx.sendAcked = async (ctl, msg) => {
      if (msg.type === 'resync.response') {
        held++;
        await answer.wait;
      }
      return sendAcked(ctl, msg);
    };
    await connect(p.alice, p.bob);
    await until("Alice's answer is held", () => held > 0);
    const paid = await p.alice.send(TON('1'));
    await until('Bob countersigned her payment', () => latest(p.bob).step === paid.step);
    assert.equal(latest(p.alice).step, paid.step, 'no pass yet: Bob has not had her answer');
    answer.open();
    await until("Bob's automatic pass after her answer", () => latest(p.alice).step === paid.step + 1n);
    assert.equal(latest(p.alice).balanceA, latest(p.bob).balanceA);
    assert.equal(latest(p.alice).balanceA, paid.balanceA, 'an empty state: the pass');
  } finally {
    await closePair(p);
  }
});
