// The extension's challenge-period settings are kept across networks: what one network does not take is left out
// there, with the reason, so the node still starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { periodsFor } from '../../src/node/periods.js';

test('a period each network takes is kept; one below its minimum is left out and said', () => {
  assert.deepEqual(periodsFor('sandbox', 600, 0), { challengePeriod: 600, ignored: [] });
  assert.deepEqual(periodsFor('testnet', 7200, 0), { challengePeriod: 7200, ignored: [] });
  const t = periodsFor('testnet', 600, 0);
  assert.equal(t.challengePeriod, undefined);
  assert.deepEqual(t.ignored.length, 1);
  assert.match(t.ignored[0]!, /^synchannel\.challengePeriod \(600 s\) is shorter than the 3600 s testnet takes: .* default, 24 h \(set 0, or at least 3600\)$/);
  assert.deepEqual(periodsFor('testnet', 0, 0), { ignored: [] });
});

test('a minimum of your own raises the floor; one below the contract floor is left out', () => {
  assert.deepEqual(periodsFor('sandbox', 600, 900).challengePeriod, undefined);
  assert.deepEqual(periodsFor('sandbox', 600, 300), { challengePeriod: 600, minChallengePeriod: 300, ignored: [] });
  const low = periodsFor('devnet', 120, 30);
  assert.equal(low.minChallengePeriod, undefined);
  assert.equal(low.challengePeriod, 120);
  assert.match(low.ignored[0]!, /synchannel\.minChallengePeriod \(30 s\) is below the contract's floor of 60 s/);
});
