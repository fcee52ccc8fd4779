// Audit item 1: one peer that withholds its acknowledgements (or never finishes the handshake) freezes no one:
// another partner connects, opens, deposits and pays meanwhile, and Hal's channel moves on.
import { test } from 'node:test';
import { silentHandshake, unackedResync, withheldAck } from './attacks.js';
import { runAttack } from './run.js';

for (const a of [withheldAck, unackedResync, silentHandshake]) {
  test(a.name, async (t) => {
    t.diagnostic(await runAttack(a));
  });
}
