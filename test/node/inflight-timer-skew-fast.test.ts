// The refresh of a view that shows a deposit as "may still land" follows the chain's clock as measured since: a
// timer armed with the skew known at the first view (before the read at start) kept refusing deposit until the old
// time by the local clock, long after the message expired on chain.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { WALLET_MESSAGE_TTL } from '../../src/chain/index.js';
import { withPair } from '../helpers/reads.js';
import { TON } from '../helpers/nodes.js';

type Deposit = Chain['deposit'];

withPair('after a restart with the chain ahead, the view offers deposit again when the chain says the lost deposit expired', async (p) => {
  const real = p.chain.deposit.bind(p.chain);
  let sent = 0;
  (p.chain as { deposit: Deposit }).deposit = async (...a) => {
    if (++sent > 1) return real(...a);
    await a[3]?.beforeSend?.({ validUntil: (await p.chain.now()) + WALLET_MESSAGE_TTL });
    throw new ChainError('TIMEOUT', 'injected: the deposit was not seen on chain in time', { sent: true });
  };
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('3'), partnerDeposit: TON('4') });
  await proposed;
  await assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'TIMEOUT');
  await p.bob.stop();
  // the chain's clock is ahead: by the chain, the lost deposit can land for ~8 s more (by the local clock, ~180 s)
  p.chain.advanceTime(WALLET_MESSAGE_TTL + 60 - 8);
  // the first view is computed before the chain's time is read: it may still land, for a time not known yet (the
  // local clock's ~180 s would be wrong)
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  const first = p.bob.currentChannel()!.actions.deposit;
  assert.equal(first.ok ? 'ok' : first.code, 'MAY_STILL_LAND');
  assert.doesNotMatch(first.ok ? '' : first.why, /\d+ s\b/, "no figure before the chain's time is read");
  // once read, the view says it by the chain's clock
  const byChain = (await waitForEvent(p.bob, 'channelUpdated', (e) => !e.channel.actions.deposit.ok && /about \d+ s/.test(e.channel.actions.deposit.why), 25_000)).channel.actions.deposit;
  assert.equal(byChain.ok ? 'ok' : byChain.code, 'MAY_STILL_LAND');
  assert.ok(Number(/about (\d+) s/.exec(byChain.ok ? '' : byChain.why)?.[1]) <= 10, `by the chain's clock: ${JSON.stringify(byChain)}`);
  // what the extension's tree and buttons follow: the node's events
  const offered = await waitForEvent(p.bob, 'channelUpdated', (e) => e.channel.actions.deposit.ok, 25_000).then(
    () => true,
    () => false,
  );
  const now = p.bob.currentChannel()!.actions.deposit;
  assert.equal(now.ok, true, 'a fresh view does offer deposit (the chain says the deposit expired)');
  assert.ok(offered, 'no event told the view that deposit is possible again (the refresh timer was armed with the old skew)');
});
