// Many channels between two nodes (in two processes, each on its embedded chain, the channels written beforehand:
// bench/lib/channels.ts): aggregate payments/s with every channel paying one payment at a time at once, CPU use,
// memory per channel idle and after paying, journal bytes per state; and the start-up of a node holding 1,000
// channels with 10,000 states each (in a fresh process).
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { keyPairFromSeed } from '../src/core/signer.js';
import { writeChannels } from './lib/channels.js';
import { Worker } from './lib/procs.js';
import type { Row } from './lib/report.js';
import { median } from './lib/stats.js';

async function journalBytes(dir: string): Promise<number> {
  let n = 0;
  const base = join(dir, 'channels');
  for (const id of await readdir(base)) n += (await stat(join(base, id, 'journal.bin'))).size;
  return n;
}

export interface ScalePoint extends Record<string, number> {
  channels: number;
  perSecond: number;
  /** CPU time of both processes over wall time (2 = both cores busy) */
  cpuLoad: number;
  /** a node's memory (garbage collected): what its start-up added, and all it holds after paying */
  idleBytes: number;
  afterBytes: number;
  journalBytesPerState: number;
  fsyncsPerPayment: number;
  startMs: number;
}

/** Two nodes in two processes with `channels` channels; every channel pays one at a time for `seconds`. */
async function point(channels: number, seconds: number): Promise<ScalePoint> {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-bench-scale-'));
  const seeds = { a: randomBytes(32), b: randomBytes(32) };
  const { ids } = await writeChannels({ dir, a: keyPairFromSeed(seeds.a), b: keyPairFromSeed(seeds.b), channels, states: 1 });
  const alice = new Worker();
  const bob = new Worker();
  try {
    await Promise.all([alice.ready, bob.ready]);
    type Started = { startMs: number; idleBytes: number };
    const sa = await alice.call<Started>('startLocal', { dataDir: join(dir, 'alice'), seed: seeds.a.toString('hex') });
    const sb = await bob.call<Started>('startLocal', { dataDir: join(dir, 'bob'), seed: seeds.b.toString('hex') });
    await bob.call('connect', { addr: await alice.call<string>('serve') });
    await new Promise((r) => setTimeout(r, 300)); // the resync exchange after connecting
    const bytes0 = (await journalBytes(join(dir, 'alice'))) + (await journalBytes(join(dir, 'bob')));
    const syncs0 = (await alice.call<number>('syncs')) + (await bob.call<number>('syncs'));
    const cpu0 = (await alice.call<number>('cpu')) + (await bob.call<number>('cpu'));
    const r = await bob.call<{ done: number; ms: number }>('payAll', { ids, seconds });
    const cpuMs = (await alice.call<number>('cpu')) + (await bob.call<number>('cpu')) - cpu0;
    await new Promise((res) => setTimeout(res, 100)); // the last countersignatures reach the payee's disk
    const after = ((await alice.call<number>('mem')) + (await bob.call<number>('mem'))) / 2;
    const bytes = (await journalBytes(join(dir, 'alice'))) + (await journalBytes(join(dir, 'bob'))) - bytes0;
    return {
      channels,
      perSecond: (r.done / r.ms) * 1000,
      cpuLoad: cpuMs / r.ms,
      idleBytes: (sa.idleBytes + sb.idleBytes) / 2,
      afterBytes: after,
      // each payment is two states both signed (the payment and the pass), kept by both nodes
      journalBytesPerState: bytes / (r.done * 2 * 2),
      fsyncsPerPayment: ((await alice.call<number>('syncs')) + (await bob.call<number>('syncs')) - syncs0) / r.done,
      startMs: (sa.startMs + sb.startMs) / 2,
    };
  } finally {
    await alice.stop();
    await bob.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The data folder of a node (A) holding `channels` x `states`, written once into os.tmpdir() and reused. */
async function startupFolder(channels: number, states: number): Promise<{ path: string; key: ReturnType<typeof keyPairFromSeed>; made: boolean }> {
  const path = join(tmpdir(), `synchannel-node-startup-${channels}x${states}-v1`);
  const key = keyPairFromSeed(Buffer.alloc(32, 0xa1));
  const done = await stat(join(path, 'complete')).then(() => true, () => false);
  if (!done) {
    await rm(path, { recursive: true, force: true });
    await writeChannels({ dir: path, a: key, b: keyPairFromSeed(Buffer.alloc(32, 0xb2)), channels, states, only: 'alice' });
    await writeFile(join(path, 'complete'), '');
  }
  return { path: join(path, 'alice'), key, made: !done };
}

export interface Startup extends Record<string, number> {
  channels: number;
  states: number;
  /** median of the runs after the first */
  ms: number;
  firstMs: number;
  idleBytes: number;
}

/**
 * Start-up of a node on the big folder, once and then `runs` times, in a fresh process: in this one the sections
 * before leave a large heap that slows a start-up's garbage collection (by about a third, measured).
 */
async function startup(o: { channels: number; states: number; runs: number }): Promise<Startup> {
  const { path } = await startupFolder(o.channels, o.states);
  const w = new Worker();
  try {
    await w.ready;
    const seed = Buffer.alloc(32, 0xa1).toString('hex');
    const r = await w.call<{ times: number[]; mem: number[] }>('startups', { dataDir: path, seed, runs: o.runs, channels: o.channels }, 600_000);
    return { channels: o.channels, states: o.states, ms: median(r.times.slice(1)), firstMs: r.times[0]!, idleBytes: median(r.mem) / o.channels };
  } finally {
    await w.stop();
  }
}

export interface ScaleCounts {
  sizes: number[];
  seconds: number;
  startup: { channels: number; states: number; runs: number };
}

export async function scaleSection(o: ScaleCounts): Promise<{ rows: Row[]; detail: unknown }> {
  const points: ScalePoint[] = [];
  for (const n of o.sizes) points.push(await point(n, o.seconds));
  const s = await startup(o.startup);
  const rows: Row[] = [];
  const section = 'channels, 2 processes';
  const one = points[0]!;
  for (const p of points) {
    rows.push({ section, figure: `${p.channels} channel(s) at once, each one at a time: payments/s (CPU ${p.cpuLoad.toFixed(2)} cores)`, value: p.perSecond, unit: '/s', versus: { what: `${one.channels} channel`, value: one.perSecond, unit: '/s' }, ratio: p.perSecond / one.perSecond });
  }
  // Per channel: the growth from the fewest to the most channels (a node's own fixed memory cancels out).
  const big = points[points.length - 1]!;
  const slope = (k: 'idleBytes' | 'afterBytes') => (big[k] - one[k]) / (big.channels - one.channels);
  const idle = slope('idleBytes');
  rows.push({ section, figure: `memory per idle channel (a node, ${one.channels} to ${big.channels} channels)`, value: idle / 1024, unit: 'KiB', target: '<= 20 KiB', met: idle <= 20 * 1024 });
  rows.push({ section, figure: `memory per channel after paying on all (a node, ${one.channels} to ${big.channels} channels)`, value: slope('afterBytes') / 1024, unit: 'KiB' });
  rows.push({ section, figure: 'journal bytes per state both signed (with the staged records)', value: median(points.map((p) => p.journalBytesPerState)), unit: 'B' });
  rows.push({ section, figure: `start-up of a node holding ${s.channels.toLocaleString('en-US')} channels x ${s.states.toLocaleString('en-US')} states`, value: s.ms, unit: 'ms', target: '< 1,000 ms', met: s.ms < 1000 });
  rows.push({ section, figure: 'the same start-up, first run (page cache as the bench found it)', value: s.firstMs, unit: 'ms' });
  rows.push({ section, figure: `createNode in a fresh process, ${big.channels} channels of 1 state (modules loaded, code not warm)`, value: big.startMs, unit: 'ms', versus: { what: `${one.channels} channel`, value: one.startMs, unit: 'ms' }, ratio: big.startMs / one.startMs });
  rows.push({ section, figure: 'memory of that node per channel (its whole start-up / channels)', value: s.idleBytes / 1024, unit: 'KiB', target: '<= 20 KiB', met: s.idleBytes <= 20 * 1024 });
  return { rows, detail: { points, startup: s } };
}
