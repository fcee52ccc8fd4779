// `npm run bench [-- --quick] [-- --only a,b]`: the node's figures, each beside its floor measured in the same
// run, as medians over several runs; writes bench/results.json and docs/performance.md and prints one table.
// --quick proves the harness works (CI): every section, few runs, small counts; its figures are not the record.
// Networking is 127.0.0.1 only; every wait is bounded.
import '../src/polyfill.js';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chainSection } from './chain.js';
import { cryptoSection } from './crypto.js';
import { extensionSection } from './extension.js';
import { NOTES } from './lib/notes.js';
import { machine, textTable, writeResults, type Results, type Row } from './lib/report.js';
import { roundAll } from './lib/stats.js';
import { paymentsSection } from './payments.js';
import { processesSection } from './processes.js';
import { profileSection } from './profile.js';
import { scaleSection } from './scale.js';

const ROOT = join(dirname(__filename), '..');

interface Options {
  quick: boolean;
  only: Set<string> | null;
}

function options(argv: string[]): Options {
  const i = argv.indexOf('--only');
  const only = i >= 0 ? new Set((argv[i + 1] ?? '').split(',').filter(Boolean)) : null;
  return { quick: argv.includes('--quick'), only };
}

type Section = (o: Options) => Promise<{ rows: Row[]; detail: unknown; notes?: string[] }>;

const SECTIONS: Record<string, Section> = {
  crypto: (o) => cryptoSection({ runs: o.quick ? 1 : 5 }),
  payments: (o) => paymentsSection(o.quick ? { runs: 1, n: 50, coalesced: 20_000, perTurn: 1000 } : { runs: 5, n: 400, coalesced: 200_000, perTurn: 1000 }),
  profile: (o) => profileSection({ n: o.quick ? 100 : 1000 }),
  processes: (o) => processesSection(o.quick ? { runs: 1, n: 50, coalesced: 20_000, cliN: 20 } : { runs: 5, n: 400, coalesced: 200_000, cliN: 200 }),
  scale: (o) =>
    scaleSection(
      o.quick
        ? { sizes: [1, 10, 100], seconds: 2, startup: { channels: 100, states: 1000, runs: 1 } }
        : { sizes: [1, 10, 100, 1000], seconds: 5, startup: { channels: 1000, states: 10_000, runs: 3 } },
    ),
  extension: (o) => extensionSection({ runs: o.quick ? 1 : 5, host: !o.quick }),
  chain: (o) => chainSection({ regenerate: !o.quick, demoRuns: o.quick ? 1 : 3 }),
};

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const t0 = performance.now();
  const rows: Row[] = [];
  const sections: Record<string, unknown> = {};
  const notes: string[] = [...NOTES];
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (o.only && !o.only.has(name)) continue;
    const ts = performance.now();
    process.stderr.write(`bench: ${name}…\n`);
    const r = await run(o);
    rows.push(...r.rows);
    sections[name] = r.detail;
    notes.push(...(r.notes ?? []));
    process.stderr.write(`bench: ${name} took ${((performance.now() - ts) / 1000).toFixed(1)} s\n`);
  }
  const results: Results = { version: 1, date: new Date().toISOString(), mode: o.quick ? 'quick' : 'full', seconds: (performance.now() - t0) / 1000, machine: machine(ROOT), rows, sections };
  console.log(textTable(rows));
  if (o.only) console.log('(--only: bench/results.json and docs/performance.md not written)');
  else if (o.quick) {
    // --quick proves the harness works; its figures are not the record.
    const file = join(tmpdir(), 'synchannel-bench-quick.json');
    writeFileSync(file, `${JSON.stringify(roundAll(results), null, 2)}\n`);
    console.log(`(--quick: written to ${file}; bench/results.json and docs/performance.md are the full run's)`);
  } else writeResults(ROOT, results, notes);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
