// B's deposit judges a partner's refund by the chain, not by its record: a record that has not yet seen A deposit
// again (a restart, a slow catch-up read) refused the deposit although the contract held A's.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { withPair } from '../helpers/reads.js';
import { TON } from '../helpers/nodes.js';

withPair('B deposits once A deposited again, even before its record has read it', async (p) => {
  // Bob's first deposit fails before it leaves (nothing of it may land)
  const real = p.chain.deposit.bind(p.chain);
  (p.chain as { deposit: Chain['deposit'] }).deposit = () => Promise.reject(Object.assign(new ChainError('ENDPOINT_UNREACHABLE', 'injected: nothing was sent'), { unsent: true }));
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const seen = waitForEvent(p.bob, 'depositSeen', (e) => e.party === 'A', 30_000);
  const bob = p.bob.deposit().catch(() => undefined);
  await seen;
  const refunded = waitForEvent(p.bob, 'refundSeen', (e) => e.party === 'A', 30_000);
  await p.alice.refund();
  await refunded;
  await bob;
  (p.chain as { deposit: Chain['deposit'] }).deposit = real;
  await p.bob.stop();
  // Alice deposits again while Bob's node is down
  await p.alice.deposit(TON('3'));
  const contract = p.alice.currentChannel()!.contract;
  assert.equal((await p.chain.getChannelData(Address.parse(contract)))?.depositA, TON('3'));
  // Bob starts (say `synchannel deposit` in one go) and deposits at once
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const r = await p.bob.deposit().then(
    (v) => `ok ${v.depositB}`,
    (e: { code?: string; message?: string }) => `${e.code}: ${e.message}`,
  );
  assert.equal(r, `ok ${TON('4')}`, r);
});
