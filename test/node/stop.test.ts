// A node stopped while payments flow (Ctrl+C, the extension's network switch) stops quietly: what it could not
// send or take in is resent by the partner, or to it, at the next start (resync), and is not an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closePair, fund, openPair, TON } from '../helpers/nodes.js';

test('a node stopped while payments flow logs no error or warning (a message that came in after its journal closed was "not sent: the journal could not be written")', async () => {
  const p = await openPair();
  try {
    await fund(p);
    const said: string[] = [];
    p.bob.on((e) => void (e.type === 'log' && e.level !== 'info' && said.push(`${e.level}: ${e.message}`)));
    // Bob pays (the turn is his after the initial state); Alice's answers are on their way when he stops
    for (let i = 0; i < 5; i++) void p.bob.send(TON('0.01')).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 3));
    await p.bob.stop();
    await new Promise((r) => setTimeout(r, 200)); // what a late message would log
    assert.deepEqual(said, []);
  } finally {
    await closePair(p);
  }
});
