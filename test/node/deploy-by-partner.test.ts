// A's deployment fails and the partner deploys the channel's contract itself (anyone can: a hostile B): A takes
// the contract as deployed, and says "with your deposit" only when the contract holds A's deposit.
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import { waitForEvent } from '../../src/node/index.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain, Wallet } from '../../src/chain/types.js';
import { restartFaulty, withPair } from '../helpers/reads.js';
import { TON, connect, until } from '../helpers/nodes.js';

withPair('a contract the partner deployed after our deployment failed is told as deployed, not "with your deposit"', async (p) => {
  const real = p.chain.deployChannel.bind(p.chain);
  const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Wallet } } }).ctx.o.wallet;
  // Alice's deployment never goes out; Bob's wallet deploys the same contract, with nothing of Alice's in it.
  (p.chain as { deployChannel: Chain['deployChannel'] }).deployChannel = async (_w, config) => {
    await real(bobWallet, config, 0n);
    throw new ChainError('ENDPOINT_UNREACHABLE', 'injected: the endpoint refused the deployment', { sent: false });
  };
  const lines: string[] = [];
  p.alice.on((e) => void (e.type === 'log' && lines.push(e.message)));
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const bob = p.bob.deposit().catch(() => undefined);
  await until('Alice took the contract as deployed', () => lines.find((l) => /is deployed/.test(l)));
  (p.chain as { deployChannel: Chain['deployChannel'] }).deployChannel = real;
  const data = await p.chain.getChannelData(Address.parse(p.alice.currentChannel()!.contract));
  assert.equal(data?.depositA, 0n, 'none of Alice is in the contract');
  const told = lines.find((l) => /is deployed/.test(l))!;
  assert.doesNotMatch(told, /with your deposit/, told);
  assert.match(told, /none of your deposit|not in it/, told);
  await bob;
});

withPair('decline after our failed deployment, the contract deployed by the partner with nothing of ours: declined, not "deployed with your deposit"', async (p) => {
  const f = await restartFaulty(p, 'alice');
  await connect(p.alice, p.bob);
  const real = p.chain.deployChannel.bind(p.chain);
  const bobWallet = (p.bob.node as unknown as { ctx: { o: { wallet: Wallet } } }).ctx.o.wallet;
  (p.chain as { deployChannel: Chain['deployChannel'] }).deployChannel = async (_w, config) => {
    await real(bobWallet, config, 0n);
    f.inject({ method: 'getChannelStatus', error: 'ENDPOINT_UNREACHABLE' }); // the read after the failure fails too
    tried = true;
    throw new ChainError('WALLET_REJECTED', 'injected: the wallet refused the deployment', { sent: false }); // never sent
  };
  let tried = false;
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  const bob = p.bob.deposit().catch(() => undefined);
  await until('Alice tried to deploy', () => tried);
  (p.chain as { deployChannel: Chain['deployChannel'] }).deployChannel = real;
  await until('Alice back in accepted', () => p.alice.currentChannel()?.phase === 'accepted');
  const r = await p.alice.decline().catch((e: Error) => e);
  assert.ok(!(r instanceof Error), `declined, not: ${r instanceof Error ? r.message : ''}`);
  assert.equal(r.phase, 'rejected');
  await bob;
});
