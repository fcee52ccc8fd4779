// A cooperative close run from the window tells its payout itself: the node's 'closed' notice that comes while it
// runs is held, and dropped only if the close told the payout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PayoutHold, holdKey } from '../../src/extension/payoutHold.js';

test('a closed notice during a close that told the payout is dropped; one that did not tell it shows it then', () => {
  const h = new PayoutHold();
  const shown: string[] = [];
  const key = holdKey('me', '7');
  const told = h.hold(key);
  h.showOrHold(key, () => shown.push('closed 7'));
  h.showOrHold(holdKey('me', '8'), () => shown.push('closed 8')); // another channel: at once
  assert.deepEqual(shown, ['closed 8']);
  told(true);
  assert.deepEqual(shown, ['closed 8'], 'the close told it');
  const failed = h.hold(key);
  h.showOrHold(key, () => shown.push('closed 7 again'));
  failed(false);
  failed(false);
  assert.deepEqual(shown, ['closed 8', 'closed 7 again'], 'shown once, when the close did not tell it');
  h.showOrHold(key, () => shown.push('later'));
  assert.deepEqual(shown.at(-1), 'later', 'no hold once the close ended');
});

test('a second close of a held channel does not end the first one\'s hold', () => {
  const h = new PayoutHold();
  const shown: string[] = [];
  const first = h.hold('me:1');
  h.hold('me:1')(false); // refused at once (one close at a time)
  h.showOrHold('me:1', () => shown.push('closed'));
  assert.deepEqual(shown, []);
  first(true);
  assert.deepEqual(shown, []);
});
