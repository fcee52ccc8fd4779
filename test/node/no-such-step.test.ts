// A withdraw with a step the node holds no state both signed for (a typo, a step not reached yet) says what to do
// next, in the node's words, so the CLI and the extension say the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { givesNextStep } from '../../src/core/codes.js';
import { closePair, fund, latest, openPair } from '../helpers/nodes.js';

test('a withdraw with a step not both signed says to pick one showAll lists, or the latest', async () => {
  const p = await openPair();
  try {
    await fund(p);
    const last = latest(p.alice).step;
    const err = await p.alice.withdraw({ step: last + 5n, mode: 'unilateral', confirmStale: true }).then(
      () => assert.fail('withdrew with a step not signed'),
      (e: unknown) => e as { code?: string; message: string },
    );
    assert.equal(err.code, 'NO_SUCH_STEP');
    assert.ok(givesNextStep(err.message), err.message);
    assert.match(err.message, new RegExp(`latest \\(step ${last}\\)`));
  } finally {
    await closePair(p);
  }
});
