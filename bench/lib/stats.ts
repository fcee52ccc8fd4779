// Small statistics for the bench: medians and percentiles of samples, and the median over runs.
// Machines here are shared and noisy: every figure is a median, and every ratio is taken within one run.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th quantile (0..1) by nearest rank. */
export function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * p) - 1))]!;
}

/** Milliseconds since `t0` (from performance.now()). */
export const since = (t0: number): number => performance.now() - t0;

/** Median wall time (ms) of one call of `fn`, over `n` calls after `n / 10` warm-up calls. */
export function perCall(n: number, fn: () => void): number {
  for (let i = 0; i < Math.ceil(n / 10); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return since(t0) / n;
}

/** Several runs of one measurement: each field's median over the runs, and the runs themselves. */
export interface Runs<T extends Record<string, number>> {
  median: T;
  runs: T[];
}

export function over<T extends Record<string, number>>(runs: T[]): Runs<T> {
  const keys = Object.keys(runs[0] ?? {}) as (keyof T)[];
  const m = {} as T;
  for (const k of keys) (m as Record<keyof T, number>)[k] = median(runs.map((r) => r[k]));
  return { median: m, runs };
}

/** Rounds for JSON: 3 significant decimals below 10, 1 below 1000, none above. */
export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const a = Math.abs(x);
  const d = a < 10 ? 3 : a < 1000 ? 1 : 0;
  return Number(x.toFixed(d));
}

export function roundAll<T>(v: T): T {
  if (typeof v === 'number') return round(v) as T;
  if (Array.isArray(v)) return v.map(roundAll) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundAll(x)])) as T;
  return v;
}
