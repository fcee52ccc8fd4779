// Times test/node/withdraw-together.test.ts's first test: both withdraw at once with closeTimeoutMs 4000; the test
// needs both to end cooperative and not fellBack. Prints how long each withdraw took against that 4 s bound.
import { test } from 'node:test';
import { closePair, fund, openPair } from '../../test/helpers/nodes.js';

test('both withdraw at once: durations', async () => {
  const p = await openPair({ closeTimeoutMs: 4000 });
  try {
    await fund(p);
    const t0 = Date.now();
    const timed = (x: Promise<{ mode: string; fellBack: boolean }>) => x.then((r) => `${r.mode}${r.fellBack ? ' FELL BACK' : ''} after ${Date.now() - t0} ms`, (e: Error & { code?: string }) => `FAILED ${e.code} after ${Date.now() - t0} ms`);
    const rs = await Promise.all([timed(p.alice.withdraw({})), timed(p.bob.withdraw({}))]);
    console.log(`WITHDRAW alice: ${rs[0]}; bob: ${rs[1]} (closeTimeoutMs 4000)`);
  } finally {
    await closePair(p);
  }
});
