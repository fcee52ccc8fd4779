// The bench's output: one table of figures (each beside its floor or target, measured in the same run), the
// machine it ran on, bench/results.json and docs/performance.md.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { roundAll } from './stats.js';

export interface Row {
  /** the section it belongs to */
  section: string;
  figure: string;
  value: number;
  unit: string;
  /** what the value is compared with, measured in the same run (or a fixed target) */
  versus?: { what: string; value: number; unit: string };
  /** value / versus.value */
  ratio?: number;
  /** the target, in words ("<= 1.5x floor", ">= 500/s") */
  target?: string;
  met?: boolean;
  note?: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  disk: string;
  loadAverage: number[];
  commit: string;
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '?';
  }
}

export function machine(root: string): Machine {
  const df = sh('df', ['-hT', tmpdir()]).split('\n')[1]?.split(/\s+/) ?? [];
  return {
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    disk: `${tmpdir()} on ${df[0] ?? '?'} (${df[1] ?? '?'})`,
    loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
    commit: `${sh('git', ['-C', root, 'rev-parse', '--short', 'HEAD'])}${sh('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no']) ? ' (modified)' : ''}`,
  };
}

const num = (x: number, unit = ''): string => {
  if (!Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  const s = a >= 1000 ? Math.round(x).toLocaleString('en-US') : a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
  return unit ? `${s} ${unit}` : s;
};

function cells(r: Row): string[] {
  return [
    r.section,
    r.figure,
    num(r.value, r.unit),
    r.versus ? `${num(r.versus.value, r.versus.unit)} (${r.versus.what})` : '',
    r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : '',
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
  ];
}

const HEAD = ['section', 'figure', 'value', 'versus (same run)', 'ratio', 'target', ''];

export function textTable(rows: Row[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const w = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd()).join('\n');
}

export function markdownTable(rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (i >= 2 && i <= 4 ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

export interface Results {
  version: 1;
  date: string;
  mode: 'full' | 'quick';
  seconds: number;
  machine: Machine;
  rows: Row[];
  /** every section's detail: the runs behind each median */
  sections: Record<string, unknown>;
}

export function writeResults(root: string, r: Results, notes: string[]): void {
  writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(roundAll(r), null, 2)}\n`);
  const m = r.machine;
  const md = [
    '# Performance',
    '',
    'Written by `npm run bench` (bench/run.ts) from bench/results.json. Do not edit by hand.',
    '',
    `Run of ${r.date} (${r.mode}, ${Math.round(r.seconds)} s) at ${m.commit}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB,`,
    `${m.os}, Node ${m.node}, data on ${m.disk}; load average at the end ${m.loadAverage.join(', ')}.`,
    'Every figure is a median over runs; a ratio is taken within one run against what was measured beside it.',
    '',
    markdownTable(r.rows),
    '',
    ...notes,
    '',
  ].join('\n');
  writeFileSync(join(root, 'docs', 'performance.md'), md);
}
