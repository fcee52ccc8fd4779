// `npm run soak`: the long soak. Crash and fault runs with real processes (test/soak/soak.ts), every attack of
// the adversary at a larger scale (test/adversary), and the fuzzers; then docs/reliability.md.
// Usage: npm run soak -- [--runs 1000] [--seed N] [--attack-scale 5] [--fuzz 100000] [--out docs/reliability.md]
//        [--no-crash] [--no-attacks] [--fuzz 0: no fuzzers]
import '../src/polyfill.js';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { ATTACKS, runAttack } from '../test/adversary/run.js';
import { buildOnce, ROOT } from '../test/e2e/cli-harness.js';
import { renderReport, type AttackResult, type FuzzResult, type Report } from '../test/soak/report.js';
import { runSoak } from '../test/soak/soak.js';
import { runJournalFuzz } from '../test/store/fuzz.js';

interface Opts {
  runs: string;
  seed?: string;
  attackScale: string;
  fuzz: string;
  out: string;
  crash: boolean;
  attacks: boolean;
}

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T | null; error: string | null; seconds: number }> {
  const t = Date.now();
  try {
    return { value: await fn(), error: null, seconds: (Date.now() - t) / 1000 };
  } catch (e) {
    return { value: null, error: (e as Error).message.split('\n')[0]!.slice(0, 400), seconds: (Date.now() - t) / 1000 };
  }
}

async function attacks(scale: number): Promise<AttackResult[]> {
  const out: AttackResult[] = [];
  for (const a of ATTACKS) {
    log(`attack: ${a.name}`);
    const r = await timed(() => runAttack(a, scale));
    out.push({ name: a.name, ...(a.item ? { item: a.item } : {}), ok: !r.error, summary: r.value ?? r.error!, seconds: r.seconds });
    log(`  ${r.error ? `FAILED: ${r.error}` : r.value}`);
  }
  return out;
}

async function fuzzers(runs: number): Promise<FuzzResult[]> {
  const out: FuzzResult[] = [];
  log(`fuzz: journal reader, ${runs} runs of each of 3 properties`);
  const j = await timed(() => runJournalFuzz(runs));
  out.push({ name: 'journal reader (test/store/fuzz.ts: mutated journals, checksummed garbage, random bytes)', inputs: runs * 3, ok: !j.error, note: j.error ?? '', seconds: j.seconds });
  // The p2p wire/frame fuzz is test/fuzz/fuzz.ts when present: runFuzz({ runsPerDecoder }).
  const file = join(ROOT, 'test', 'fuzz', 'fuzz.ts');
  if (existsSync(file)) {
    log(`fuzz: wire and frame decoders, ${runs} inputs per decoder`);
    const mod = (await import(pathToFileURL(file).href)) as { runFuzz?: (o: { runsPerDecoder: number }) => Promise<unknown> };
    const p = await timed(async () => mod.runFuzz?.({ runsPerDecoder: runs }));
    const summary = p.value && typeof p.value === 'object' ? JSON.stringify(p.value).slice(0, 300) : '';
    out.push({ name: 'wire and frame decoders (test/fuzz/fuzz.ts)', inputs: null, ok: !p.error && !!mod.runFuzz, note: p.error ?? (mod.runFuzz ? `${runs} per decoder ${summary}` : 'no runFuzz export'), seconds: p.seconds });
  } else {
    out.push({ name: 'wire and frame decoders (test/fuzz/fuzz.ts)', inputs: null, ok: null, note: 'test/fuzz/fuzz.ts is not in this tree yet', seconds: 0 });
  }
  return out;
}

async function main(o: Opts): Promise<number> {
  const started = new Date();
  buildOnce();
  const runs = Number(o.runs);
  const crash = o.crash
    ? await timed(() => runSoak({ runs, ...(o.seed ? { seed: Number(o.seed) } : {}), devnetEvery: 10, channelEvery: 200, checkEvery: 50, log }))
    : { value: null, error: 'skipped (--no-crash)', seconds: 0 };
  const att = o.attacks ? await attacks(Number(o.attackScale)) : [];
  const fz = Number(o.fuzz) > 0 ? await fuzzers(Number(o.fuzz)) : [];
  const rep: Report = {
    started,
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    crash: crash.value,
    crashError: o.crash ? crash.error : null,
    attacks: att,
    fuzz: fz,
    command: `npm run soak -- --runs ${runs}${o.seed ? ` --seed ${o.seed}` : ''} --attack-scale ${o.attackScale} --fuzz ${o.fuzz}`,
  };
  await writeFile(resolve(ROOT, o.out), renderReport(rep));
  log(`wrote ${o.out}`);
  const failed = !!rep.crashError || !!rep.crash?.error || (rep.crash?.statesLost ?? 0) > 0 || att.some((a) => !a.ok) || fz.some((f) => f.ok === false);
  return failed ? 1 : 0;
}

const program = new Command('soak')
  .option('--runs <n>', 'crash and fault runs', '1000')
  .option('--seed <n>', 'the plan of the runs (default: from the clock)')
  .option('--attack-scale <n>', 'multiplies the attacks\' flood sizes', '5')
  .option('--fuzz <n>', 'fuzz inputs per property / decoder (0: none)', '100000')
  .option('--out <file>', 'the report, relative to the repository', 'docs/reliability.md')
  .option('--no-crash', 'skip the crash and fault runs')
  .option('--no-attacks', 'skip the attacks')
  .action(async (o: Opts) => {
    // Exits at once: the report is written, and nothing of the runs needs to wind down.
    process.exit(await main(o));
  });

program.parseAsync(process.argv).catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
