// Where a payment's time goes: payments one at a time between two nodes in this process under V8's sampling
// profiler (node:inspector), each sample put in the category of the innermost frame that names one.
import { Session } from 'node:inspector/promises';
import { openPair } from './lib/pair.js';
import type { Row } from './lib/report.js';
import { payOnce } from './payments.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Categories, tried from the innermost frame outwards; the first rule that matches a frame names the sample. */
const RULES: [string, (f: ProfileNode['callFrame']) => boolean][] = [
  ['idle: waiting for the disk and the other side', (f) => f.functionName === '(idle)'],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['ed25519 signatures and verifications', (f) => f.url.includes('internal/crypto/sig') || f.url.endsWith('src/core/signer.ts')],
  ['state cells, BOCs and hashes', (f) => f.url.includes('@ton/core') || f.url.includes('jssha') || f.url.endsWith('src/core/state.ts')],
  ['wire messages: JSON and validation', (f) => f.url.includes('valibot') || f.url.endsWith('src/core/wire.ts')],
  ['libp2p: Noise encryption', (f) => f.url.includes('libp2p-noise') || f.url.includes('@noble') || f.url.startsWith('wasm://')],
  ['libp2p: Yamux, TCP and streams', (f) => /@libp2p|libp2p-yamux|main-event|uint8arraylist|it-|node:net|stream_base_commons|internal\/streams/.test(f.url)],
  ['p2p sessions and frames (src/p2p)', (f) => f.url.includes('/src/p2p/')],
  ['journal: store and file I/O', (f) => f.url.includes('/src/node/store/') || f.url.includes('internal/fs')],
  ['views and events for the UIs', (f) => f.url.endsWith('src/node/views.ts') || f.url.endsWith('src/core/capabilities.ts')],
  ['node and channel logic (src/node, src/core)', (f) => f.url.includes('/src/node/') || f.url.includes('/src/core/')],
];
const OTHER = 'runtime: promises, timers, the event loop';

function categorize(p: Profile): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const cat = new Map<number, string>();
  const categoryOf = (id: number): string => {
    let got = cat.get(id);
    if (got) return got;
    for (let cur: number | undefined = id; cur !== undefined && !got; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      got = RULES.find(([, test]) => test(f))?.[0];
    }
    got ??= OTHER;
    cat.set(id, got);
    return got;
  };
  const out = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const c = categoryOf(id);
    out.set(c, (out.get(c) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

export async function profileSection(o: { n: number }): Promise<{ rows: Row[]; detail: unknown }> {
  const pair = await openPair();
  const session = new Session();
  try {
    for (let i = 0; i < 50; i++) await payOnce(pair.bob, 1000n, pair.channel);
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const t0 = performance.now();
    for (let i = 0; i < o.n; i++) await payOnce(pair.bob, 1000n, pair.channel);
    const wall = performance.now() - t0;
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    const cats = [...categorize(profile)].sort((a, b) => b[1] - a[1]);
    const section = 'profile, 1 process';
    const rows: Row[] = [{ section, figure: `payment one at a time under the profiler (${o.n} payments)`, value: wall / o.n, unit: 'ms' }];
    for (const [c, ms] of cats) rows.push({ section, figure: `  ${c}`, value: ms / o.n, unit: 'ms' });
    return { rows, detail: { perPaymentMs: Object.fromEntries(cats.map(([c, ms]) => [c, ms / o.n])), wallMs: wall } };
  } finally {
    session.disconnect();
    await pair.close();
  }
}
