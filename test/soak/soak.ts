// The soak: two real `synchannel` processes on a devnet, paying each other through a hostile TCP proxy, killed
// with SIGKILL at protocol points (SYNCHANNEL_CRASH_AT) and at random moments, restarted with torn journal
// tails, while the devnet restarts and its RPC fails (errors, hung requests, resets). After each run both nodes
// must agree on the latest state both signed; at checkpoints and at the end, every state either node ever
// reported as signed by both must be in both histories, and each channel closes paid by its latest state.
import { appendFile, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pair, sleep } from './pair.js';
import { Devnet, freePort, SoakNode } from './procs.js';
import { Rng } from './rng.js';
import { RPC_OK, RpcProxy, type RpcFaults } from './rpcproxy.js';
import { CALM, TcpProxy, type ProxyFaults } from './tcpproxy.js';

export const CRASH_POINTS = ['proposal-persisted', 'before-countersign', 'after-countersign'] as const;

export interface SoakOptions {
  runs: number;
  seed?: number;
  /** restart the devnet in one run out of this many (0: never) */
  devnetEvery?: number;
  /** close the channel and open a new one every this many runs (0: only at the end) */
  channelEvery?: number;
  /** full history check every this many runs */
  checkEvery?: number;
  log?: (line: string) => void;
  /** fixes parts of every plan (to chase one kind of failure) */
  bias?: { victim?: 'A' | 'B'; kill?: Plan['kill']; torn?: boolean; hostile?: boolean; partition?: boolean; rpc?: boolean };
  /** where a failure's full node output is written (default: the temp folder) */
  failureLog?: string;
}

export interface SoakResult {
  seed: number;
  runs: number;
  seconds: number;
  kills: number;
  killsAt: Record<string, number>;
  tornTails: number;
  partitions: number;
  devnetRestarts: number;
  failedStarts: number;
  payments: number;
  channels: number;
  statesSigned: number;
  statesReported: number;
  statesLost: number;
  proxy: TcpProxy['stats'];
  rpc: RpcProxy['stats'];
  closes: string[];
  /** why the runs stopped early, if they did */
  error: string | null;
}

const HOSTILE: ProxyFaults = { maxDelayMs: 25, cutPerChunk: 0.01, dupPerChunk: 0.004 };
const FAILING: RpcFaults = { error: 0.2, hang: 0.04, reset: 0.06, hangMs: 2500, longHang: 0.1 };

interface Plan {
  victim: SoakNode;
  kill: 'none' | 'point' | 'timed';
  point: (typeof CRASH_POINTS)[number];
  torn: boolean;
  hostile: boolean;
  partition: boolean;
  rpc: boolean;
  devnet: boolean;
  payer: SoakNode;
  payments: number;
}

/** Appends a torn copy of the journal's last record (a write cut short by the kill): the store must cut it. */
async function tearTail(dataDir: string, channel: string, cut: (n: number) => number): Promise<boolean> {
  const file = join(dataDir, 'channels', channel, 'journal.bin');
  const size = (await stat(file).catch(() => null))?.size ?? 0;
  if (size < 20) return false;
  const fh = await open(file, 'r');
  const tail = Buffer.alloc(6);
  await fh.read(tail, 0, 6, size - 6);
  const len = tail.readUInt16LE(0) + 10;
  const rec = Buffer.alloc(Math.min(len, size - 8));
  await fh.read(rec, 0, rec.length, size - rec.length);
  await fh.close();
  await appendFile(file, rec.subarray(0, 1 + cut(rec.length - 1)));
  return true;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const seed = o.seed ?? Date.now() % 1_000_000;
  const rng = new Rng(seed);
  const log = o.log ?? (() => undefined);
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-soak-'));
  const devnet = new Devnet(await freePort(), join(dir, 'devnet'));
  // The plan of each run follows the seed; the faults' timing (which chunk is cut) cannot, so they draw apart.
  const rpc = new RpcProxy(() => devnet.url, new Rng(seed + 1));
  const portA = await freePort();
  const proxy = new TcpProxy(portA, new Rng(seed + 2));
  const r: SoakResult = { seed, runs: 0, seconds: 0, kills: 0, killsAt: {}, tornTails: 0, partitions: 0, devnetRestarts: 0, failedStarts: 0, payments: 0, channels: 0, statesSigned: 0, statesReported: 0, statesLost: 0, proxy: proxy.stats, rpc: rpc.stats, closes: [], error: null };
  const args = (name: string, extra: string[] = []) => () => ['--chain', 'devnet', '--devnet-url', rpc.url, '--data', join(dir, name), ...extra];
  const a = new SoakNode('A', join(dir, 'a'), args('a', ['--period', '60']));
  const b = new SoakNode('B', join(dir, 'b'), args('b'));
  const pair = new Pair(a, b, devnet);
  try {
    await devnet.start();
    await rpc.listen();
    await proxy.listen();
    await a.start();
    const served = await a.cmd(`serve ${portA} 127.0.0.1`);
    const peer = (served.lan as string[])[0]!.split('/p2p/')[1]!;
    await b.start();
    await a.cmd('faucet 1000');
    await b.cmd('faucet 1000');
    await b.cmd(`connect /ip4/127.0.0.1/tcp/${proxy.port}/p2p/${peer}`);
    await a.proc!.wait((j) => j.event === 'partnerConnected', 'A to see B', 30_000);
    await pair.open('100', '100');
    r.channels++;
    for (let i = 1; i <= o.runs; i++) {
      const plan = planRun(rng, a, b, i, o);
      log(`run ${i}: ${describe(plan)}`);
      await run(pair, plan, r, rng, proxy, rpc, devnet);
      r.runs = i;
      const latest = await pair.converged();
      log(`run ${i}: both at step ${latest.step}`);
      const last = i === o.runs;
      const closing = last || (!!o.channelEvery && i % o.channelEvery === 0);
      if (closing || (o.checkEvery && i % o.checkEvery === 0)) await check(pair, r, log, closing);
      if (closing) {
        const mode = rng.chance(0.5) ? 'cooperative' : 'unilateral';
        const closer = rng.pick([a, b]);
        // Half the closes go through a failing RPC (errors, hung requests, resets) mid-operation.
        const faulty = rng.chance(0.5);
        rpc.faults = faulty ? FAILING : RPC_OK;
        const l = await pair.close(mode, closer).finally(() => (rpc.faults = RPC_OK));
        r.closes.push(`${mode} by ${closer.name}${faulty ? ' through a failing RPC' : ''} at step ${l.step}: paid A ${l.balanceA}, B ${l.balanceB}`);
        log(`channel ${pair.channel}: ${r.closes[r.closes.length - 1]}`);
        if (!last) {
          await pair.open('100', '100');
          r.channels++;
        }
      }
    }
  } catch (e) {
    r.error = (e as Error).message;
    const file = o.failureLog ?? join(tmpdir(), `synchannel-soak-failure-${seed}.log`);
    const dump = (n: SoakNode) => n.incarnations.flatMap((p, i) => [`--- ${n.name} incarnation ${i}${p.stderr ? ` (stderr: ${p.stderr.slice(-300)})` : ''}`, ...p.lines.filter((j) => j.event !== 'channelUpdated').map((j) => JSON.stringify(j).slice(0, 600))]);
    await writeFile(file, [...dump(a).slice(-400), ...dump(b).slice(-400)].join('\n')).catch(() => undefined);
    log(`stopped: ${r.error} (the nodes' output: ${file})`);
  } finally {
    r.devnetRestarts = devnet.restarts;
    r.failedStarts = a.failedStarts + b.failedStarts;
    r.seconds = Math.round((Date.now() - t0) / 1000);
    await a.exit().catch(() => undefined);
    await b.exit().catch(() => undefined);
    await proxy.close().catch(() => undefined);
    await rpc.close().catch(() => undefined);
    await devnet.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  return r;
}

function planRun(rng: Rng, a: SoakNode, b: SoakNode, i: number, o: SoakOptions): Plan {
  const plan = drawPlan(rng, a, b, i, o);
  const f = o.bias ?? {};
  if (f.victim) plan.victim = f.victim === 'A' ? a : b;
  if (f.kill) plan.kill = f.kill;
  if (f.torn !== undefined) plan.torn = f.torn;
  if (f.hostile !== undefined) plan.hostile = f.hostile;
  if (f.partition !== undefined) plan.partition = f.partition;
  if (f.rpc !== undefined) plan.rpc = f.rpc;
  return plan;
}

function drawPlan(rng: Rng, a: SoakNode, b: SoakNode, i: number, o: SoakOptions): Plan {
  const victim = rng.pick([a, b]);
  return {
    victim,
    kill: rng.pick(['none', 'point', 'point', 'timed', 'timed'] as const),
    point: rng.pick(CRASH_POINTS),
    torn: rng.chance(0.4),
    hostile: rng.chance(0.5),
    partition: rng.chance(0.1),
    rpc: rng.chance(0.3),
    devnet: !!o.devnetEvery && i % o.devnetEvery === Math.floor(o.devnetEvery / 2),
    // A protocol point is reached by the payer (its proposal) or the payee (receiving and countersigning).
    payer: rng.chance(0.5) ? victim : victim === a ? b : a,
    payments: rng.int(1, 3),
  };
}

function describe(p: Plan): string {
  const kill = p.kill === 'none' ? 'no kill' : p.kill === 'point' ? `kill ${p.victim.name} at ${p.point}` : `kill ${p.victim.name} at a random moment`;
  return [kill, p.torn && p.kill !== 'none' ? 'torn tail' : '', p.hostile ? 'hostile proxy' : '', p.partition ? 'partition' : '', p.rpc ? 'RPC failing' : '', p.devnet ? 'devnet restart' : '', `${p.payments} payment(s) by ${p.payer.name}`].filter(Boolean).join(', ');
}

/** One run: the faults on, the payments, the kill; then the faults off and the dead restarted. */
async function run(pair: Pair, p: Plan, r: SoakResult, rng: Rng, proxy: TcpProxy, rpc: RpcProxy, devnet: Devnet): Promise<void> {
  if (p.kill === 'point') {
    await p.victim.kill9();
    await p.victim.start({ SYNCHANNEL_CRASH_AT: p.point });
  }
  proxy.faults = p.hostile ? HOSTILE : CALM;
  rpc.faults = p.rpc ? FAILING : RPC_OK;
  if (p.partition) {
    r.partitions++;
    proxy.partition(rng.int(200, 2000));
  }
  const restarting = p.devnet ? devnet.restart() : Promise.resolve();
  // Reads through the RPC while it fails or the devnet restarts (failures are the point; they are not fatal).
  const reads = p.rpc || p.devnet ? Promise.all([pair.a, pair.b].map((n) => n.cmd(`balanceContract --channel ${pair.channel}`, 60_000).catch(() => undefined))) : Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (p.kill === 'timed') timer = setTimeout(() => void p.victim.kill9(), rng.int(0, 600));
  for (let k = 0; k < p.payments && pair.a.alive && pair.b.alive; k++) {
    try {
      await pair.pay(p.payer, '0.01', { write: p.payer === p.victim && p.kill !== 'none' });
      r.payments++;
      await sleep(rng.int(0, 150));
    } catch {
      break; // a node died, or the turn did not come back in time: recovery follows
    }
  }
  if (p.kill !== 'none') await Promise.race([p.victim.proc?.exited, sleep(1500)]);
  clearTimeout(timer);
  await restarting;
  await reads;
  proxy.faults = CALM;
  rpc.faults = RPC_OK;
  for (const n of [pair.a, pair.b]) {
    let how: string;
    if (!n.alive) {
      const last = n.incarnations[n.incarnations.length - 1]!;
      if (n !== p.victim || p.kill === 'none') throw new Error(`${n.name} died by itself: ${last.stderr.slice(-500)}`);
      how = p.kill === 'point' ? p.point : 'a random moment';
    } else if (n === p.victim && p.kill === 'point') {
      await n.kill9();
      how = 'an idle moment (its point was not reached)';
    } else continue;
    r.kills++;
    r.killsAt[how] = (r.killsAt[how] ?? 0) + 1;
    if (p.torn && (await tearTail(n.dataDir, pair.channel, (m) => rng.int(0, m - 1)).catch(() => false))) r.tornTails++;
    await n.start();
  }
}

/** The full check: both histories equal, and nothing either node reported as signed by both is missing. */
async function check(pair: Pair, r: SoakResult, log: (l: string) => void, final: boolean): Promise<void> {
  const h = await pair.verifyHistory();
  r.statesLost += h.lost.length;
  if (final) {
    r.statesSigned += h.states;
    r.statesReported += h.reported;
  }
  log(`check: ${h.states} states in both histories, ${h.reported} reported signed by both, ${h.lost.length} lost`);
  if (h.lost.length) throw new Error(`states reported signed by both and lost: ${h.lost.slice(0, 3).join(' | ')}`);
}
