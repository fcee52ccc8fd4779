// Until a node's first read of the chain's time its views have no estimate of it. A devnet's clock moved ahead
// (advanceTime) while the node was down: judged by the local clock, our close lost before the stop was said to
// land for about an hour more, so a withdraw typed right after the start was refused for that moment with that
// wrong figure. Until that read the time is not known: said without a figure, then by the chain's clock.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ChainError } from '../../src/chain/errors.js';
import type { Chain } from '../../src/chain/types.js';
import { WALLET_MESSAGE_TTL } from '../../src/chain/index.js';
import { createNode } from '../../src/node/index.js';
import { withPair } from '../helpers/reads.js';
import { faultyChain } from '../helpers/faults.js';
import { fund, until } from '../helpers/nodes.js';

type StartClose = Chain['startClose'];

withPair("before the node's first read of the chain's time, a close of ours lost before a restart is not judged by the local clock (no figure of it); once read, withdraw is offered and goes", async (p) => {
  await fund(p);
  p.chain.advanceTime(3600);
  const real = p.chain as { startClose: StartClose };
  real.startClose = async (...a) => {
    await a[3]?.beforeSend?.({ validUntil: (await p.chain.now()) + WALLET_MESSAGE_TTL });
    throw new ChainError('TIMEOUT', 'injected: the close was not seen on chain in time', { sent: true });
  };
  await assert.rejects(p.alice.withdraw({ mode: 'unilateral' }), (e: { code?: string }) => e.code === 'TIMEOUT');
  await p.alice.stop();
  delete (real as Partial<typeof real>).startClose; // the chain's own again
  // While Alice is down the chain's clock moves on past the close's expiry; her reads of its time wait.
  p.chain.advanceTime(3600);
  let open: () => void = () => undefined;
  const hold = new Promise<void>((r) => (open = r));
  const f = faultyChain(p.chain, [{ method: 'now', times: 1_000_000, hold }]);
  p.alice = await createNode({ ...p.common, chain: f.chain, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  await until("Alice's node asked the chain's time", () => (f.calls.get('now') ?? 0) > 0);
  const before = p.alice.currentChannel()!.actions.withdraw;
  assert.ok(before.ok || !/\d+ s\b/.test(before.why), `withdraw before the chain's time is read: ${JSON.stringify(before)}`);
  assert.ok(!before.ok && /may still land: for how long is not known yet/.test(before.why), `withdraw before the chain's time is read says the time is not known: ${JSON.stringify(before)}`);

  open();
  await until('the view by the chain time read', () => f.injected.get('now') === f.calls.get('now') && p.alice.currentChannel()!.actions.withdraw.ok);
  const r = await p.alice.withdraw({ mode: 'unilateral' });
  assert.deepEqual([r.mode, r.step], ['unilateral', 0n]);
  await until('the close is on chain', () => p.alice.currentChannel()?.phase === 'closing');
});

withPair("before the node's first read of the chain's time, a closing channel's time left is not known (no figure of the local clock); once read, it is the chain's", async (p) => {
  await fund(p);
  await p.alice.withdraw({ mode: 'unilateral' });
  await until('the close is on chain', () => p.alice.currentChannel()?.phase === 'closing');
  await p.alice.stop();
  // While Alice is down the chain's clock moves on (a devnet's advanceTime): 60 s of the window's 120 are left.
  p.chain.advanceTime(60);
  let open: () => void = () => undefined;
  const hold = new Promise<void>((r) => (open = r));
  // (held on the chain itself: the watch of a closing channel reads its time too)
  const chain = p.chain as { now: Chain['now'] };
  const realNow = chain.now.bind(chain);
  let asked = 0;
  chain.now = async (...a) => {
    asked++;
    await hold;
    return realNow(...a);
  };
  p.alice = await createNode({ ...p.common, dataDir: join(p.dir, 'alice'), key: { keyPair: p.keys.alice } });
  await until("Alice's node asked the chain's time", () => asked > 0);
  assert.equal(p.alice.currentChannel()!.close?.secondsLeft, null, 'no figure before the read');

  open();
  await until('the time left by the chain time read', () => typeof p.alice.currentChannel()!.close?.secondsLeft === 'number');
  const left = p.alice.currentChannel()!.close!.secondsLeft!;
  assert.ok(left > 0 && left <= 61, `left ${left} s by the chain's clock`);
});
