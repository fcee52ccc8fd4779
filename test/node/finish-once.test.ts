// After the challenge window, one finish_close is sent when both nodes are online: the party that started the close
// sends it, the other only if the close is still not finished after a grace time. Both sending made the second
// bounce off the paid-out contract, its sender losing the fees (about 0.004 TON).
import assert from 'node:assert/strict';
import { Address } from '@ton/core';
import type { Chain } from '../../src/chain/types.js';
import { waitForEvent } from '../../src/node/index.js';
import { FINISH_GRACE_MS } from '../../src/node/policy.js';
import { withPair } from '../helpers/reads.js';
import { fund, until, type Pair } from '../helpers/nodes.js';

type Finish = Chain['finishClose'];

/** Counts finish_close sends; each reaches the chain `delayMs` after it is asked for (a slow endpoint). */
function countFinishes(p: Pair, delayMs: number): { who: string[] } {
  const real = p.chain.finishClose.bind(p.chain);
  const who: string[] = [];
  (p.chain as { finishClose: Finish }).finishClose = async (wallet, ...rest) => {
    who.push(wallet.address.equals(Address.parse(p.alice.getAccount())) ? 'alice' : 'bob');
    await new Promise((r) => setTimeout(r, delayMs));
    return real(wallet, ...rest);
  };
  return { who };
}

/** Funds the channel, counts finish_close sends (see countFinishes), and Bob starts a unilateral close that Alice sees. */
async function bobCloses(p: Pair, delayMs: number): Promise<{ who: string[] }> {
  await fund(p);
  const f = countFinishes(p, delayMs);
  const started = waitForEvent(p.alice, 'closeStarted', (e) => e.byPartner);
  await p.bob.withdraw({ mode: 'unilateral' });
  await started;
  return f;
}

withPair('both online after the window: only the one who started the close sends finish_close', async (p) => {
  const f = await bobCloses(p, 1_000);
  const closedA = waitForEvent(p.alice, 'closed', () => true, 30_000);
  const closedB = waitForEvent(p.bob, 'closed', () => true, 30_000);
  await p.chain.advanceTime(200);
  await Promise.all([closedA, closedB]);
  await new Promise((r) => setTimeout(r, FINISH_GRACE_MS.sandbox + 1_000)); // past the other's grace
  assert.deepEqual(f.who, ['bob']);
});

withPair('the one who started the close is offline after the window: the other finishes it after the grace', async (p) => {
  const f = await bobCloses(p, 0);
  await p.bob.stop();
  const closed = waitForEvent(p.alice, 'closed', () => true, 30_000);
  await p.chain.advanceTime(200);
  await closed;
  assert.deepEqual(f.who, ['alice']);
  await until('paid out', () => p.alice.currentChannel()?.phase === 'closed');
});
