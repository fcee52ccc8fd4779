// Payments on one channel between two nodes in this process: one at a time (each acknowledged once durable on
// both sides before the next is asked for), and coalesced (many asked for at once; each resolves when a state
// that includes it is committed by both). Each run measures its floor right before its payments.
import type { NodeContext } from '../src/node/context.js';
import { waitForEvent } from '../src/node/index.js';
import { measureFloor, type Floor } from './lib/floor.js';
import type { Row } from './lib/report.js';
import { openPair, type BenchNode, type Pair } from './lib/pair.js';

export type { BenchNode } from './lib/pair.js';
import { median, over, pct, since, type Runs } from './lib/stats.js';

export interface OneAtATime extends Record<string, number> {
  p50: number;
  p90: number;
  perSecond: number;
  floor: number;
  ratio: number;
  rtt: number;
  fsync: number;
  sign: number;
  verify: number;
  /** journal fdatasyncs per payment, both nodes together */
  fsyncsPerPayment: number;
  /** CPU ms per payment, both nodes together (NaN when not measured) */
  cpuPerPayment: number;
}

/** CPU ms of this process since `c0` (user + system, every thread). */
export function cpu(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** One payment, resolved once it is committed by both and durable on both sides. */
export async function payOnce(payer: BenchNode, amount: bigint, channel: string): Promise<void> {
  const node = payer as BenchNode & { pay?: (a: bigint, o: { channel: string }) => Promise<unknown> };
  if (node.pay) {
    await node.pay(amount, { channel });
    return;
  }
  // Before pay(): the payer's send resolves once its proposal is out; the payment is durable on both sides once
  // the partner's countersignature is on the payer's disk, and the next one can start once the automatic
  // pass that comes with it (step + 2) is committed too.
  const step = payer.channels().find((c) => c.channelId === channel)!.latest!.step;
  const back = waitForEvent(payer, 'stateSigned', (e) => e.channel.channelId === channel && e.state.step === step + 2n, 30_000);
  await payer.send(amount, { channel });
  await back;
}

/** The node's context (its channels and their storage), for counting what the node did. */
export function ctxOf(n: BenchNode): NodeContext {
  return (n.node as unknown as { ctx: NodeContext }).ctx;
}

export function journalSyncs(nodes: BenchNode[]): number {
  let n = 0;
  for (const node of nodes) for (const c of ctxOf(node).channels.values()) n += (c.storage as { syncs?: number } | null)?.syncs ?? 0;
  return n;
}

/** `runs` runs of `n` payments, one at a time, Bob to Alice; each run's floor measured just before it. */
export async function oneAtATime(pair: Pair, o: { runs: number; n: number }): Promise<Runs<OneAtATime>> {
  const out: OneAtATime[] = [];
  for (let r = 0; r < o.runs; r++) {
    const f: Floor = await measureFloor({ n: Math.min(200, o.n), dir: pair.dir });
    for (let i = 0; i < 20; i++) await payOnce(pair.bob, 1000n, pair.channel); // warm-up
    const syncs0 = journalSyncs([pair.alice, pair.bob]);
    const xs: number[] = [];
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < o.n; i++) {
      const t = performance.now();
      await payOnce(pair.bob, 1000n, pair.channel);
      xs.push(since(t));
    }
    const total = since(t0);
    const p50 = median(xs);
    out.push({ p50, p90: pct(xs, 0.9), perSecond: (o.n / total) * 1000, ...f, ratio: p50 / f.floor, fsyncsPerPayment: (journalSyncs([pair.alice, pair.bob]) - syncs0) / o.n, cpuPerPayment: cpu(c0) / o.n });
  }
  return over(out);
}

export interface Coalesced extends Record<string, number> {
  payments: number;
  perSecond: number;
  /** ms from the first ask to the last resolution */
  ms: number;
  /** median ms from a payment's ask to its resolution (a sample of them) */
  p50: number;
  states: number;
  paymentsPerState: number;
  fsyncsPerState: number;
}

/**
 * `runs` runs of `n` payments asked for by a producer that asks `perTurn` of them at each turn of the event
 * loop (as many callers would), each resolved once committed by both and durable on both sides.
 */
export async function coalesced(pair: Pair, o: { runs: number; n: number; perTurn: number }): Promise<Runs<Coalesced>> {
  const out: Coalesced[] = [];
  const bob = pair.bob as BenchNode & { pay(a: bigint, o: { channel: string }): Promise<unknown> };
  for (let r = 0; r < o.runs; r++) {
    const step0 = bob.channel(pair.channel)!.latest!.step;
    const syncs0 = journalSyncs([pair.alice, pair.bob]);
    const lat: number[] = [];
    const all: Promise<unknown>[] = [];
    const t0 = performance.now();
    for (let asked = 0; asked < o.n; ) {
      for (let i = 0; i < o.perTurn && asked < o.n; i++, asked++) {
        const p = bob.pay(1n, { channel: pair.channel });
        if (asked % 97 === 0) {
          const t = performance.now();
          all.push(p.then(() => lat.push(since(t))));
        } else all.push(p);
      }
      await new Promise((res) => setImmediate(res));
    }
    await Promise.all(all);
    const ms = since(t0);
    const states = Number(bob.channel(pair.channel)!.latest!.step - step0) / 2;
    const syncs = journalSyncs([pair.alice, pair.bob]) - syncs0;
    out.push({ payments: o.n, perSecond: (o.n / ms) * 1000, ms, p50: median(lat), states, paymentsPerState: o.n / states, fsyncsPerState: syncs / states });
  }
  return over(out);
}

/**
 * What the protocol itself puts on a payment's critical path: one round trip; three durable writes (the payer's
 * proposal before it leaves, the payee's countersignature with its pass before they leave, the payer's
 * countersignatures of both before it is told); four signatures (proposal, countersignature, pass, the payer's
 * countersignature of the pass) and four verifications (each of those is checked by the other side).
 */
export function protocolFloor(m: { rtt: number; fsync: number; sign: number; verify: number }): number {
  return m.rtt + 3 * m.fsync + 4 * m.sign + 4 * m.verify;
}

export function oneAtATimeRows(section: string, d: Runs<OneAtATime>): Row[] {
  const m = d.median;
  const floorParts = `rtt ${m.rtt.toFixed(2)} + 2 x fsync ${m.fsync.toFixed(2)} + 2 x sign ${m.sign.toFixed(3)} + 2 x verify ${m.verify.toFixed(3)} ms`;
  const protocol = protocolFloor(m);
  return [
    { section, figure: 'payment, one at a time: p50 latency', value: m.p50, unit: 'ms', versus: { what: 'floor', value: m.floor, unit: 'ms' }, ratio: m.ratio, target: '<= 1.5x floor', met: m.ratio <= 1.5, note: floorParts },
    { section, figure: 'payment, one at a time: p50 latency', value: m.p50, unit: 'ms', versus: { what: 'protocol floor', value: protocol, unit: 'ms' }, ratio: m.p50 / protocol, note: 'rtt + 3 fsync + 4 sign + 4 verify' },
    { section, figure: 'payment, one at a time: p90 latency', value: m.p90, unit: 'ms' },
    { section, figure: 'payments/s, one at a time', value: m.perSecond, unit: '/s', versus: { what: '1 / floor', value: 1000 / m.floor, unit: '/s' }, ratio: m.perSecond / (1000 / m.floor), target: '>= 500/s', met: m.perSecond >= 500 },
    { section, figure: 'journal fdatasyncs per payment (both nodes)', value: m.fsyncsPerPayment, unit: '' },
    { section, figure: 'CPU per payment (both nodes)', value: m.cpuPerPayment, unit: 'ms' },
  ];
}

export function coalescedRows(section: string, d: Runs<Coalesced>, one: Runs<OneAtATime>): Row[] {
  const m = d.median;
  return [
    { section, figure: `coalesced payments/s (${m.payments.toLocaleString('en-US')} asked, ${Math.round(m.paymentsPerState)} per state)`, value: m.perSecond, unit: '/s', versus: { what: 'one at a time', value: one.median.perSecond, unit: '/s' }, ratio: m.perSecond / one.median.perSecond, target: '>= 100,000/s', met: m.perSecond >= 100_000 },
    { section, figure: 'coalesced: p50 from ask to durable on both', value: m.p50, unit: 'ms' },
    { section, figure: 'coalesced: fdatasyncs per state (both nodes)', value: m.fsyncsPerState, unit: '' },
  ];
}

export interface PaymentCounts {
  runs: number;
  n: number;
  coalesced: number;
  perTurn: number;
}

export async function paymentsSection(o: PaymentCounts): Promise<{ rows: Row[]; detail: unknown }> {
  const pair = await openPair();
  try {
    const one = await oneAtATime(pair, o);
    const co = await coalesced(pair, { runs: o.runs, n: o.coalesced, perTurn: o.perTurn });
    const section = '1 channel, 1 process';
    return { rows: [...oneAtATimeRows(section, one), ...coalescedRows(section, co, one)], detail: { oneAtATime: one, coalesced: co } };
  } finally {
    await pair.close();
  }
}
