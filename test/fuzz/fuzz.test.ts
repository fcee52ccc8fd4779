// npm test's share of the fuzzing (fuzz.ts): a few thousand inputs per decoder, a fresh seed each run
// (a failure prints its seed: rerun with FUZZ_SEED=<seed>). FUZZ_RUNS raises the count.
import { test } from 'node:test';
import { FUZZ_TARGETS, runFuzz } from './fuzz.js';

const runs = Number(process.env.FUZZ_RUNS ?? 4_000);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

for (const target of FUZZ_TARGETS) {
  test(`fuzz ${target.name}: only its typed error, bounded, never hangs (${runs} inputs)`, () => {
    runFuzz({ runsPerDecoder: runs, only: [target.name], ...(seed === undefined ? {} : { seed }), log: (l) => console.log(l) });
  });
}
