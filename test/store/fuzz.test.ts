// A few hundred runs of the journal reader's fuzz (test/store/fuzz.ts runs 1e5 for the soak).
import { test } from 'node:test';
import { runJournalFuzz } from './fuzz.js';

test('the journal reader on arbitrary and mutated bytes: only StoreError, only entries whose checksum holds', async () => {
  await runJournalFuzz(300);
});
