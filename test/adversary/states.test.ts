// Audit item 6 and forged states: every forgery is rejected with its code and changes nothing; equivocation is
// caught and kept as evidence; close.propose/close.accept are handled; a close state never passes as a payment.
import { test } from 'node:test';
import { closeAccepted, closeProposed, equivocation, forgedStates, shortPeriod, staleClose } from './attacks-states.js';
import { runAttack } from './run.js';

for (const a of [forgedStates, equivocation, closeProposed, closeAccepted, shortPeriod, staleClose]) {
  test(a.name, async (t) => {
    t.diagnostic(await runAttack(a));
  });
}
