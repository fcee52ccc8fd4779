// Audit item 5 (amplification, unbounded storage) and floods of every message type: what a peer can make the
// victim read, write, answer and show is bounded, and another partner's whole flow still goes through.
import { test } from 'node:test';
import { depositFlood, farAheadFlood, proposalFlood, resyncFlood, typeFloods } from './attacks-floods.js';
import { runAttack } from './run.js';

for (const a of [resyncFlood, farAheadFlood, proposalFlood, depositFlood, typeFloods]) {
  test(a.name, async (t) => {
    t.diagnostic(await runAttack(a));
  });
}
