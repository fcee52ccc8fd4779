// The contract's gas per operation beside the best public payment-channel contract's (docs/gas.md, written by
// `npm run gas` from the lifecycle run in @ton/sandbox; the full bench runs it first), and the wall time of
// `npm run demo` (the whole story, headless, on the embedded sandbox).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/procs.js';
import type { Row } from './lib/report.js';
import { median } from './lib/stats.js';

const num = (s: string) => Number(s.replace(/[, ]/g, ''));

/** The rows of docs/gas.md's table that have a public figure to compare with. */
export function gasRows(): { op: string; gas: number; best: number; label: string }[] {
  const md = readFileSync(join(ROOT, 'docs', 'gas.md'), 'utf8');
  const out: { op: string; gas: number; best: number; label: string }[] = [];
  for (const line of md.split('\n')) {
    const c = line.split('|').map((x) => x.trim());
    // | operation | gas used | target | best public | contract fees | fwd fees | out msgs |
    if (c.length < 8 || !/^\d[\d,]*$/.test(c[2] ?? '')) continue;
    const best = /^([\d,]+) \((.+)\)$/.exec(c[4] ?? '');
    if (best) out.push({ op: c[1]!, gas: num(c[2]!), best: num(best[1]!), label: best[2]! });
  }
  return out;
}

export async function chainSection(o: { regenerate: boolean; demoRuns: number }): Promise<{ rows: Row[]; detail: unknown }> {
  if (o.regenerate) {
    const r = spawnSync('npm', ['run', '--silent', 'gas'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run gas failed:\n${r.stdout}\n${r.stderr}`);
  }
  const gas = gasRows();
  const rows: Row[] = gas.map((g) => ({
    section: 'contract gas',
    figure: g.op,
    value: g.gas,
    unit: 'gas',
    versus: { what: `best public, ${g.label}`, value: g.best, unit: 'gas' },
    ratio: g.gas / g.best,
    target: '<= 0.5x',
    met: g.gas <= g.best / 2,
  }));
  const demo: number[] = [];
  for (let i = 0; i < o.demoRuns; i++) {
    const t0 = performance.now();
    const r = spawnSync('npm', ['run', '--silent', 'demo'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`npm run demo failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    demo.push(performance.now() - t0);
  }
  rows.push({ section: 'demo', figure: `npm run demo, wall time (${o.demoRuns} runs)`, value: median(demo) / 1000, unit: 's' });
  return { rows, detail: { gas, demoMs: demo } };
}
