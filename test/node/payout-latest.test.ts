// What a payout's view says about the latest state both signed when this node does not hold it (restored from an
// older backup): it cannot tell, and says so; it never says the payout matched. Two real nodes on a SandboxChain.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { PERIOD, payOne, withPair } from '../helpers/reads.js';
import { TON, fund, latest, until } from '../helpers/nodes.js';

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
  await p.bob.stop();
  await rm(join(p.dir, 'bob', 'channels'), { recursive: true, force: true });
  await p.alice.withdraw({ step: 5n, mode: 'unilateral', confirmStale: true });
  const paid = waitForEvent(p.alice, 'closed', () => true, 30_000);
  p.chain.advanceTime(PERIOD + 5);
  await paid;
  await p.alice.stop();
  p.bob = await createNode({ ...p.common, dataDir: join(p.dir, 'bob'), key: { keyPair: p.keys.bob } });
  await p.bob.importBackup(backup);
  const v = await until('Bob reads the payout', () => p.bob.currentChannel()?.payout, 30_000);
  assert.deepEqual([v.step, v.latestStep], [5n, 3n]);
  assert.equal(v.matchesLatest, null, 'step 7, which this node lost, was the latest both signed: it cannot tell');
});
