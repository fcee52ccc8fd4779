// Unsolicited resync.response messages (the partner's real, old history: nothing new, 64 states each) from a
// separate process: what they cost the victim and its other partner.
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { signedToJson } from '../../src/core/signed.js';
import { endScene, scene, TON } from '../../test/adversary/scene.js';

const RATE = Number(process.env.RATE ?? 100);
const SECS = Number(process.env.SECS ?? 10);

test('unsolicited resync.response flood', async (t) => {
  const s = await scene({ payments: 35 });
  try {
    await s.mallory.p2p.stop();
    const states = s.known.states.slice(0, 64).map((x) => { const j = signedToJson(x); return { state: j.state, sigA: j.sigA!, sigB: j.sigB! }; });
    const msg = JSON.stringify({ type: 'resync.response', contract: s.known.contract, states });
    const file = join(tmpdir(), `resp-${process.pid}.json`);
    writeFileSync(file, msg);
    t.diagnostic(`message ${msg.length} bytes`);
    const pays = async () => { const t0 = Date.now(); await s.world.pay(s.hal, s.withHal, TON('0.001')); return Date.now() - t0; };
    const base: number[] = [];
    const c0 = process.cpuUsage();
    const b0 = Date.now();
    while (Date.now() - b0 < 4000) base.push(await pays());
    const bc = process.cpuUsage(c0);
    const bs = [...base].sort((a, b) => a - b);
    t.diagnostic(`before: Hal ${base.length} pays in ${((Date.now() - b0) / 1000).toFixed(1)} s, median ${bs[bs.length >> 1]} ms; CPU ${(((bc.user + bc.system) / 1e6) / ((Date.now() - b0) / 1000) * 100).toFixed(0)}% of a core`);
    const h = monitorEventLoopDelay({ resolution: 10 });
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', new URL('../../test/setup.ts', import.meta.url).pathname, new URL('./attacker-resp.ts', import.meta.url).pathname, s.vicAddr, s.mallory.keyPair.secretKey.toString('hex'), s.mallory.address.toString(), file, String(RATE), String(SECS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const done = new Promise((r) => child.on('exit', r));
    await new Promise((r) => setTimeout(r, 3000));
    h.enable();
    const cpu0 = process.cpuUsage();
    const during: number[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < (SECS - 2) * 1000) during.push(await pays());
    const cpu = process.cpuUsage(cpu0);
    const wall = (Date.now() - t0) / 1000;
    h.disable();
    await done;
    t.diagnostic(`attacker: ${out.trim()}`);
    const sorted = [...during].sort((a, b) => a - b);
    t.diagnostic(`Hal pays during: ${during.length} in ${wall.toFixed(1)} s, median ${sorted[sorted.length >> 1]} ms, max ${sorted[sorted.length - 1]} ms`);
    t.diagnostic(`victim process: CPU ${(((cpu.user + cpu.system) / 1e6) / wall * 100).toFixed(0)}% of a core; loop delay p50 ${(h.percentile(50) / 1e6).toFixed(1)} p99 ${(h.percentile(99) / 1e6).toFixed(1)} max ${(h.max / 1e6).toFixed(1)} ms`);
  } finally {
    await endScene(s);
  }
});
