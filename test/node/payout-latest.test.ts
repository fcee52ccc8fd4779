// What a payout's view says about the latest state both signed when this node does not hold it (restored from an
// older backup): it cannot tell, and says so; it never says the payout matched. Two real nodes on a SandboxChain.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { PERIOD, payOne, withPair } from '../helpers/reads.js';
import { TON, fund, latest, until, type Pair } from '../helpers/nodes.js';
import type { PayoutView } from '../../src/node/types.js';

/**
 * Bob loses his channels; Alice closes with `step` and finishes the close; Bob starts again, imports `backup` and
 * reads the payout: its view.
 */
async function staleCloseAfterLoss(p: Pair, step: bigint, backup: string): Promise<PayoutView> {
  await p.bob.stop();
  await rm(join(p.dir, 'bob', 'channels'), { recursive: true, force: true });
  await p.alice.withdraw({ step, mode: 'unilateral', confirmStale: true });
  const paid = waitForEvent(p.alice, 'closed', () => true, 30_000);
  p.chain.advanceTime(PERIOD + 5);
  await paid;
  await p.alice.stop();
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await p.bob.importBackup(backup);
  return until('Bob reads the payout', () => p.bob.currentChannel()?.payout, 30_000);
}

withPair('a payout by a stale state newer than a restored backup is not told as matching the latest state both signed', async (p) => {
  await fund(p);
  await payOne(p);
  const backup = join(p.dir, 'bob.backup');
  await p.bob.exportBackup(backup); // step 3
  for (const step of [5n, 7n]) {
    const back = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === step);
    await p.alice.send(TON('0.5'));
    await back;
  }
  await until('Bob holds step 7', () => latest(p.bob).step === 7n);
  // Bob loses his channels; Alice closes with step 5 (stale: 7 pays Bob 1 TON more) and finishes it.
  const v = await staleCloseAfterLoss(p, 5n, backup);
  assert.deepEqual([v.step, v.latestStep], [5n, 3n]);
  assert.equal(v.matchesLatest, null, 'step 7, which this node lost, was the latest both signed: it cannot tell');
});

withPair('a payout by a state newer than a restored backup is not told as matching, even when it pays what the backup pays', async (p) => {
  await fund(p);
  await payOne(p);
  const backup = join(p.dir, 'bob.backup');
  await p.bob.exportBackup(backup);
  const held = latest(p.bob);
  // After the backup: Bob gets 0.5 TON, gives it back (a state paying what the backup's does), then gets it again.
  await p.alice.send(TON('0.5'), { waitMs: 15_000 });
  await until('Bob holds the first payment', () => latest(p.bob).balanceB === held.balanceB + TON('0.5'));
  await p.bob.send(TON('0.5'), { waitMs: 15_000 });
  await until("both at the backup's balances again", () => [p.alice, p.bob].every((n) => latest(n).balanceB === held.balanceB && latest(n).step > held.step));
  const same = latest(p.alice).step;
  await p.alice.send(TON('0.5'), { waitMs: 15_000 });
  await until('Bob holds the last payment', () => latest(p.bob).balanceB === held.balanceB + TON('0.5') && latest(p.bob).step > same);
  // Bob loses his channels; Alice closes with the state that pays what the backup pays (stale: the last pays Bob more).
  const v = await staleCloseAfterLoss(p, same, backup);
  assert.deepEqual([v.step, v.latestStep, v.balanceB], [same, held.step, held.balanceB]);
  assert.equal(v.matchesLatest, null, 'a state newer than any this node holds paid: a later one, lost with the restore, was the latest both signed');
});
