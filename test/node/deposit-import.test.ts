// A deposit whose wait failed without saying whether it went out may still land; an import that loads its channel
// again from an older record (one without its mark) must not let a second deposit go meanwhile (it would pay twice,
// or bounce off a contract the first locked: a wallet fee).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { WALLET_MESSAGE_TTL } from '../../src/chain/base.js';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import type { NodeContext } from '../../src/node/context.js';
import type { NodeHandle } from '../adversary/world.js';
import { aliceAloneIn, withPair } from '../helpers/reads.js';
import { until } from '../helpers/nodes.js';
import { loseRecord } from '../helpers/running-import.js';

withPair('a deposit that may still land as an import loads its channel again from an older record is not sent again', async (p) => {
  await aliceAloneIn(p);
  const ch = p.bob.currentChannel()!.channelId;
  const { ctx } = p.bob.node as unknown as { ctx: NodeContext };
  // Bob's deposit there failed (injected) and is taken as one that can no longer land: its mark goes
  const first = ctx.channels.get(ch)!;
  delete first.rec.depositPending;
  await first.run(() => first.saveRecord());
  const backup = join(p.dir, 'bob.backup');
  await p.bob.exportBackup(backup); // no mark of the deposit below
  const real = p.chain.deposit.bind(p.chain);
  let sent = 0;
  (p.chain as { deposit: Chain['deposit'] }).deposit = async (w, c, amount, o = {}) => {
    if (++sent > 1) return real(w, c, amount, o);
    await o.beforeSend?.({ validUntil: (await p.chain.now()) + WALLET_MESSAGE_TTL });
    throw new ChainError('TIMEOUT', 'injected: the deposit was not seen on chain in time', { sent: true });
  };
  await assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'TIMEOUT');
  // The backup is restored over the channel: its controller is dropped, and the channel loads again from it.
  const old = ctx.channels.get(ch)!;
  await loseRecord({ dataDir: join(p.dir, 'bob') } as NodeHandle, old, ch);
  await p.bob.importBackup(backup);
  assert.notEqual(ctx.channels.get(ch), old, 'loaded again');
  await until('Bob reads his channel again', () => p.bob.currentChannel()?.phase === 'funding');
  await assert.rejects(p.bob.deposit(), (e: { code?: string }) => e.code === 'DEPOSIT_UNDER_WAY');
  assert.equal(sent, 1, 'one deposit sent');
});
