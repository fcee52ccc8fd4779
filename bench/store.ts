// The store's figures (bench only, never asserted in tests): append + fdatasync latency, journal bytes per
// state, startup of a data folder of 1,000 channels x 10,000 states, memory per idle opened channel.
// Run: `node --import tsx bench/store.ts` (the big folder is generated once under os.tmpdir() and reused).
import '../src/polyfill.js';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FILE_MAGIC, encodeEntry } from '../src/node/store/codec.js';
import { DataDir } from '../src/node/store/index.js';
import { encodeRecordFile } from '../src/node/store/record.js';
import { signedAt } from '../test/store/helpers.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Median latency (ms) of appending one committed state (one fdatasync), over `runs` runs of `n` appends. */
export async function appendLatency(runs = 5, n = 40): Promise<{ medianMs: number; runs: number[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'store-bench-'));
  try {
    const dd = await DataDir.open(dir);
    const ch = await dd.channel('1');
    await ch.loadHead();
    const states = Array.from({ length: runs * n }, (_, i) => signedAt(BigInt(i), { fake: true }));
    const medians: number[] = [];
    for (let r = 0; r < runs; r++) {
      const xs: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = process.hrtime.bigint();
        await ch.append([{ kind: 'committed', state: states[r * n + i]! }]);
        xs.push(ms(t0));
      }
      medians.push(median(xs));
    }
    await dd.close();
    return { medianMs: median(medians), runs: medians };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Journal bytes per committed state (a state of realistic balances, both signatures). */
export function bytesPerState(n = 1000): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += encodeEntry({ kind: 'committed', state: signedAt(BigInt(i), { fake: true }) }).length;
  return total / n;
}

const BIG = { channels: 1000, states: 10_000 };

/** The folder of BIG.channels x BIG.states, generated once (every channel holds the same journal bytes). */
export async function bigFolder(): Promise<{ path: string; bytes: number; generatedMs: number | null }> {
  const path = join(tmpdir(), `synchannel-store-bench-${BIG.channels}x${BIG.states}-v1`);
  const marker = join(path, 'complete');
  let generatedMs: number | null = null;
  if (!(await stat(marker).then(() => true, () => false))) {
    const t0 = process.hrtime.bigint();
    await rm(path, { recursive: true, force: true });
    const parts: Buffer[] = [FILE_MAGIC];
    for (let i = 0; i < BIG.states; i++) parts.push(encodeEntry({ kind: 'committed', state: signedAt(BigInt(i), { fake: true }) }));
    const journal = Buffer.concat(parts);
    for (let c = 1; c <= BIG.channels; c++) {
      const dir = join(path, 'channels', String(c));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(join(dir, 'journal.bin'), journal, { mode: 0o600 });
      await writeFile(join(dir, 'record.json'), encodeRecordFile({ channelId: BigInt(c), me: 'A', phase: 'open', depositA: 5n * 10n ** 9n, publicKeyA: Buffer.alloc(32, c & 0xff) }), { mode: 0o600 });
    }
    await writeFile(marker, '');
    generatedMs = ms(t0);
  }
  const bytes = Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
  return { path, bytes, generatedMs };
}

/** Startup of the big folder: open + lock, list() (every record and every head, from the tails). */
export async function startup(runs = 3): Promise<{ medianMs: number; runs: number[]; channels: number; states: bigint }> {
  const { path } = await bigFolder();
  const times: number[] = [];
  let channels = 0;
  let states = 0n;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    const dd = await DataDir.open(path);
    const list = await dd.list();
    times.push(ms(t0));
    if (list.some((l) => l.error)) throw new Error(`bench folder damaged: ${list.find((l) => l.error)!.error!.message}`);
    channels = list.length;
    states = 0n;
    for (const { id } of list) states += (await (await dd.channel(id)).loadHead()).count;
    await dd.close();
  }
  return { medianMs: median(times), runs: times, channels, states };
}

function gc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap + Buffer memory per opened channel whose record and head are loaded (then idle). */
export async function memoryPerChannel(): Promise<{ bytesPerChannel: number; channels: number }> {
  const { path } = await bigFolder();
  const collect = gc();
  const used = async () => {
    for (let i = 0; i < 4; i++) {
      collect();
      await new Promise((r) => setTimeout(r, 10));
    }
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const warm = await DataDir.open(path); // module state and lazy initialisation out of the measure
  await warm.list();
  await warm.close();
  const before = await used();
  const dd = await DataDir.open(path);
  const list = await dd.list();
  const after = await used();
  await dd.close();
  return { bytesPerChannel: (after - before) / list.length, channels: list.length };
}

/** readStates of all 10,000 states of one channel (index built on demand, every BOC decoded). */
export async function readAll(): Promise<number> {
  const { path } = await bigFolder();
  const dd = await DataDir.open(path);
  const ch = await dd.channel('1');
  const t0 = process.hrtime.bigint();
  const n = (await ch.readStates(0n, BigInt(BIG.states))).length;
  const t = ms(t0);
  await dd.close();
  if (n !== BIG.states) throw new Error(`read ${n} states`);
  return t;
}

async function main(): Promise<void> {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const rows: [string, string][] = [];
  const a = await appendLatency();
  rows.push(['append 1 state + fdatasync (median of 5 runs x 40)', `${a.medianMs.toFixed(2)} ms  (runs: ${a.runs.map((x) => x.toFixed(2)).join(', ')})`]);
  rows.push(['journal bytes per committed state', bytesPerState().toFixed(1)]);
  const big = await bigFolder();
  rows.push([`bench folder ${BIG.channels} x ${BIG.states} (${big.path})`, `${mib(big.bytes)} on disk${big.generatedMs ? `, generated in ${(big.generatedMs / 1000).toFixed(1)} s` : ', reused'}`]);
  const s = await startup();
  rows.push([`startup: open + list (${s.channels} channels, ${s.states} states)`, `${s.medianMs.toFixed(0)} ms  (runs: ${s.runs.map((x) => x.toFixed(0)).join(', ')}; page cache warm)`]);
  const m = await memoryPerChannel();
  rows.push([`memory per idle opened channel (${m.channels})`, `${(m.bytesPerChannel / 1024).toFixed(1)} KiB`]);
  rows.push(['readStates of 10,000 states of one channel', `${(await readAll()).toFixed(0)} ms`]);
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log('store bench');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
