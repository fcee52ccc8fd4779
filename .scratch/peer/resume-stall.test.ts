// Does a partner's session.resume flood (a separate process) slow the victim's other partner (Hal)?
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { endScene, scene, TON } from '../../test/adversary/scene.js';

const RATE = Number(process.env.RATE ?? 200);
const SECS = Number(process.env.SECS ?? 10);

async function timedPays(s: Awaited<ReturnType<typeof scene>>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = Date.now();
    await s.world.pay(s.hal, s.withHal, TON('0.001'));
    out.push(Date.now() - t);
  }
  return out;
}

test('partner resume flood vs an honest partner', async (t) => {
  const s = await scene({ payments: 35 });
  try {
    await s.mallory.p2p.stop();
    const c0 = process.cpuUsage();
    const b0 = Date.now();
    const base: number[] = [];
    while (Date.now() - b0 < 4000) base.push(...(await timedPays(s, 1)));
    const bc = process.cpuUsage(c0);
    const bs = [...base].sort((a, b) => a - b);
    t.diagnostic(`before: Hal ${base.length} pays in ${((Date.now() - b0) / 1000).toFixed(1)} s, median ${bs[bs.length >> 1]} ms; CPU ${(((bc.user + bc.system) / 1e6) / ((Date.now() - b0) / 1000) * 100).toFixed(0)}% of a core`);
    const h = monitorEventLoopDelay({ resolution: 10 });
    const cpu0 = process.cpuUsage();
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', new URL('../../test/setup.ts', import.meta.url).pathname, new URL('./attacker.ts', import.meta.url).pathname, s.vicAddr, s.mallory.keyPair.secretKey.toString('hex'), s.mallory.address.toString(), s.known.contract, '40', String(RATE), String(SECS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const done = new Promise((r) => child.on('exit', r));
    await new Promise((r) => setTimeout(r, 9000)); // handshake + resyncs
    h.enable();
    const cpuD = process.cpuUsage();
    const during: number[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < (SECS - 1) * 1000) during.push(...(await timedPays(s, 1)));
    const cd = process.cpuUsage(cpuD);
    const wall = (Date.now() - t0) / 1000;
    h.disable();
    await done;
    t.diagnostic(`victim process during flood: CPU ${(((cd.user + cd.system) / 1e6) / wall * 100).toFixed(0)}% of a core`);
    const cpu = process.cpuUsage(cpu0);
    t.diagnostic(`attacker: ${out.trim()}`);
    const sorted = [...during].sort((a, b) => a - b);
    t.diagnostic(`Hal pays during flood: ${during.length} in ${SECS - 1} s, median ${sorted[sorted.length >> 1]} ms, max ${sorted[sorted.length - 1]} ms`);
    t.diagnostic(`victim process: event-loop delay p50 ${(h.percentile(50) / 1e6).toFixed(1)} ms p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms max ${(h.max / 1e6).toFixed(1)} ms; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
  } finally {
    await endScene(s);
  }
});
