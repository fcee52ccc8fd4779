// A wallet send that fails before its message leaves (the endpoint refuses the wallet's read with a 429, say) sent
// nothing: the node does not hold the deposit or the deployment as one that "may still land" for minutes, and says
// what happened in the endpoint's words.
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { ChainError } from '../../src/chain/errors.js';
import { waitForEvent, type ChannelNodeApi } from '../../src/node/index.js';
import { withPair } from '../helpers/reads.js';
import { TON, type Pair } from '../helpers/nodes.js';

/** The `nth` wallet transfer the chain signs from now fails with the endpoint's 429 before it is signed; `calls` counts `node`'s. */
function rateLimitedOnce(p: Pair, nth = 1, node: ChannelNodeApi = p.alice): { calls: () => number } {
  const chain = p.chain as unknown as { signTransfer: (w: { address: Address }, ...a: unknown[]) => Promise<unknown> };
  const real = chain.signTransfer.bind(chain);
  const counted = Address.parse(node.getAccount());
  let all = 0;
  let calls = 0;
  chain.signTransfer = async (w, ...a) => {
    if (w.address.equals(counted)) calls++;
    if (++all === nth) throw new ChainError('RATE_LIMITED', 'injected: the endpoint answered 429 to the wallet read after every retry', { retryable: true });
    return real(w, ...a);
  };
  return { calls: () => calls };
}

withPair('a deposit whose wallet read got a 429 before it was signed can be sent again at once: nothing was sent', async (p) => {
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const r = rateLimitedOnce(p, 2, p.bob); // Bob's acceptance makes Alice deploy first
  await assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'RATE_LIMITED');
  const refund = p.bob.currentChannel()!.actions.refund;
  assert.ok(!refund.ok && !/may still land/.test(refund.why), 'no deposit of Bob is on its way');
  assert.equal((await p.bob.deposit()).depositB, TON('4'));
  assert.equal(r.calls(), 2, "Bob's refused deposit and the one that went");
});

withPair("a deployment whose wallet read got a 429 keeps the endpoint's code, says nothing was sent, and deploys again at once", async (p) => {
  const r = rateLimitedOnce(p);
  const failed = waitForEvent(p.alice, 'error', (e) => e.code !== undefined, 30_000);
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  void p.bob.deposit().catch(() => undefined);
  const e = await failed;
  assert.equal(e.code, 'RATE_LIMITED');
  assert.match(e.message, /Nothing was sent\. Run deposit to try again/);
  const v = await p.alice.deposit();
  assert.equal(v.depositA, TON('3'));
  assert.equal(r.calls(), 2, "Alice's refused deployment and the one that went");
});
