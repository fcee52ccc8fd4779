// An error the host posts to the balances panel after a failed action is followed at once by the same state: the
// error stays until the person acts again (a button, a selection, a copy, a replay step) or the state really changes.
// (webview/main.ts draws what ErrorNote keeps; the DOM is not here.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BalancesSnapshot } from '../../webview/protocol.js';
import { ErrorNote } from '../../webview/errorNote.js';

function snap(o: { balance?: string; generatedAt?: number; deadline?: number } = {}): BalancesSnapshot {
  const selected = {
    key: 'me:kQx',
    myBalance: o.balance ?? '3.5',
    close: { step: '2', deadline: o.deadline ?? 1_000, stale: false, onChain: 'Step 2 (close started by Bob)' },
  } as unknown as BalancesSnapshot['selected'];
  return { network: 'sandbox', nodeStatus: 'running', channels: [], selected, hint: null, replay: null, replayRequest: 0, generatedAt: o.generatedAt ?? 1 };
}

test('the state sent right after an error does not wipe it; a real change or the next action does', () => {
  const note = new ErrorNote();
  note.set('the channel is not open', snap());
  // the same state, built again a second later (its time and the countdown's end read again)
  note.state(snap({ generatedAt: 2, deadline: 1_001 }));
  assert.equal(note.text, 'the channel is not open');
  note.state(snap({ balance: '3' }));
  assert.equal(note.text, null, 'a real change clears it');

  note.set('the channel is not open', snap());
  note.acted();
  assert.equal(note.text, null, 'the next action clears it');
});

test('an error with no state shown yet stays until a state or an action', () => {
  const note = new ErrorNote();
  note.set('no node', null);
  assert.equal(note.text, 'no node');
  note.state(snap());
  assert.equal(note.text, null);
});
