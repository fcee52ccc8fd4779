// The payment figures between two processes (real process separation) on a devnet process: two bench workers
// (a node each; payments made and timed in the payer's process), and two `synchannel --json` CLI processes
// driven through stdin one payment at a time, as a script would. The floor is measured across the same two
// processes in each run: a libp2p echo from one to the other, the payer's durable write and signatures.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cli, Devnet, Worker, build } from './lib/procs.js';
import type { Row } from './lib/report.js';
import { median, over, pct, since, type Runs } from './lib/stats.js';
import { coalescedRows, oneAtATimeRows, type Coalesced, type OneAtATime } from './payments.js';

const NANO = 1_000_000_000n;

async function workerPair(devnetUrl: string, dir: string): Promise<{ alice: Worker; bob: Worker }> {
  const alice = new Worker();
  const bob = new Worker();
  await Promise.all([alice.ready, bob.ready]);
  await alice.call('start', { devnetUrl, dataDir: join(dir, 'alice'), seed: randomBytes(32).toString('hex') });
  await bob.call('start', { devnetUrl, dataDir: join(dir, 'bob'), seed: randomBytes(32).toString('hex') });
  await alice.call('faucet', { amount: String(20n * NANO) });
  await bob.call('faucet', { amount: String(200n * NANO) });
  await bob.call('connect', { addr: await alice.call<string>('serve') });
  const proposed = bob.call('awaitProposal');
  await alice.call('open', { mine: String(NANO), theirs: String(100n * NANO) });
  await proposed;
  await bob.call('deposit');
  await alice.call('awaitOpen');
  return { alice, bob };
}

async function workers(devnetUrl: string, dir: string, o: ProcessCounts): Promise<{ one: Runs<OneAtATime>; co: Runs<Coalesced> }> {
  const { alice, bob } = await workerPair(devnetUrl, dir);
  try {
    const echo = await alice.call<string>('echoServe');
    const ones: OneAtATime[] = [];
    for (let r = 0; r < o.runs; r++) {
      const rtt = await bob.call<number>('ping', { addr: echo, n: 200 });
      const disk = await bob.call<{ fsync: number; sign: number; verify: number }>('disk', { n: 200 });
      const floor = rtt + 2 * disk.fsync + 2 * disk.sign + 2 * disk.verify;
      const cpu0 = (await alice.call<number>('cpu')) + (await bob.call<number>('cpu'));
      const m = await bob.call<{ p50: number; p90: number; perSecond: number }>('oneAtATime', { n: o.n });
      const cpu = (await alice.call<number>('cpu')) + (await bob.call<number>('cpu')) - cpu0;
      ones.push({ ...m, rtt, ...disk, floor, ratio: m.p50 / floor, fsyncsPerPayment: NaN, cpuPerPayment: cpu / (o.n + 20) });
    }
    const cos: Coalesced[] = [];
    for (let r = 0; r < o.runs; r++) {
      const c = await bob.call<{ perSecond: number; p50: number; states: number }>('coalesced', { n: o.coalesced, perTurn: 1000 });
      cos.push({ payments: o.coalesced, perSecond: c.perSecond, ms: (o.coalesced / c.perSecond) * 1000, p50: c.p50, states: c.states, paymentsPerState: o.coalesced / c.states, fsyncsPerState: NaN });
    }
    return { one: over(ones), co: over(cos) };
  } finally {
    await alice.stop();
    await bob.stop();
  }
}

/** `n` payments one at a time through the CLI: `send`, then the payer's stateSigned of the automatic pass. */
async function clis(devnetUrl: string, dir: string, o: ProcessCounts): Promise<Runs<{ p50: number; p90: number; perSecond: number }>> {
  const common = ['--chain', 'devnet', '--devnet-url', devnetUrl];
  const a = new Cli([...common, '--data', join(dir, 'cli-a')]);
  const b = new Cli([...common, '--data', join(dir, 'cli-b')]);
  try {
    await a.wait((j) => j.event === 'ready', 'ready');
    await b.wait((j) => j.event === 'ready', 'ready');
    await a.run('faucet 20');
    await b.run('faucet 200');
    const served = await a.run('serve 0 127.0.0.1');
    await b.run(`connect ${(served.lan as string[])[0]!}`);
    await a.run('open 1 100');
    await b.wait((j) => j.event === 'channelProposed', 'the proposal');
    const open = b.wait((j) => j.event === 'stateSigned' && (j.state as { step: string }).step === '0', 'step 0');
    await b.run('deposit');
    await open;
    let step = 0n;
    const runs = [];
    for (let r = 0; r < o.runs; r++) {
      const xs: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < o.cliN; i++) {
        b.forget();
        const target = String(step + 2n);
        const back = b.wait((j) => j.event === 'stateSigned' && (j.state as { step: string }).step === target, `state ${target}`, 30_000);
        const t = performance.now();
        await b.run('send 0.000001'); // a refused send says why, instead of a wait for a pass that never comes
        await back;
        xs.push(since(t));
        step += 2n;
      }
      runs.push({ p50: median(xs), p90: pct(xs, 0.9), perSecond: (o.cliN / since(t0)) * 1000 });
    }
    return over(runs);
  } finally {
    await a.stop();
    await b.stop();
  }
}

export interface ProcessCounts {
  runs: number;
  n: number;
  coalesced: number;
  cliN: number;
}

export async function processesSection(o: ProcessCounts): Promise<{ rows: Row[]; detail: unknown }> {
  const t0 = performance.now();
  build();
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-bench-procs-'));
  const devnet = new Devnet(join(dir, 'devnet'));
  try {
    const url = await devnet.ready;
    const w = await workers(url, dir, o);
    const c = await clis(url, dir, o);
    const section = '1 channel, 2 processes';
    const rows: Row[] = [
      ...oneAtATimeRows(section, w.one).filter((r) => !r.figure.startsWith('journal')),
      ...coalescedRows(section, w.co, w.one).filter((r) => !r.figure.includes('fdatasyncs')),
      { section: '1 channel, 2 CLI processes', figure: 'CLI `send`, one at a time: p50 until the pass is back', value: c.median.p50, unit: 'ms', versus: { what: 'floor, worker run', value: w.one.median.floor, unit: 'ms' }, ratio: c.median.p50 / w.one.median.floor },
      { section: '1 channel, 2 CLI processes', figure: 'CLI `send` payments/s, one at a time', value: c.median.perSecond, unit: '/s' },
    ];
    return { rows, detail: { workers: w, cli: c, seconds: since(t0) / 1000 } };
  } finally {
    await devnet.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
