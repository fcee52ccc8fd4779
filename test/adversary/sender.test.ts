// Audit item 4: messages are checked against their sender. A third peer that names my channel with someone
// else gets UNKNOWN_CHANNEL for every message type, learns nothing, and changes nothing (no turn passed, no
// close, no states); the honest partner pays on.
import { test } from 'node:test';
import { foreignChannel } from './attacks.js';
import { runAttack } from './run.js';

test('a stranger sends every message type about my channel with another partner: each is answered UNKNOWN_CHANNEL, nothing changes', async (t) => {
  t.diagnostic(await runAttack(foreignChannel));
});
