// A node in a process of its own for the bench (bench/processes.ts): it takes requests over IPC, and the
// payments it is asked for are made and timed here, in the payer's process, so IPC is not on their path.
import '../../src/polyfill.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { multiaddr } from '@multiformats/multiaddr';
import { createNode, waitForEvent } from '../../src/node/index.js';
import { loadDeps } from '../../src/p2p/deps.js';
import { PAYMENT_FRAME_BYTES, fsyncLatency, signatures } from './floor.js';
import { median, pct, since } from './stats.js';

type Node = Awaited<ReturnType<typeof createNode>>;

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

async function used(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((r) => setTimeout(r, 10));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
let node: Node | null = null;
let channel = '';
let echo: Awaited<ReturnType<typeof echoServer>> | null = null;

const ECHO = '/synchannel-bench/echo/1.0.0';

async function libp2p() {
  const { createLibp2p, tcp, noise, yamux } = await loadDeps();
  return createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] });
}

async function echoServer() {
  const n = await libp2p();
  await n.handle(ECHO, (stream) => stream.addEventListener('message', (e) => stream.send(e.data instanceof Uint8Array ? e.data : e.data.subarray())));
  return n;
}

/** Median round trip (ms) of a payment-sized message echoed by the other process. */
async function ping(addr: string, n: number): Promise<number> {
  const a = await libp2p();
  try {
    const stream = await a.dialProtocol(multiaddr(addr), ECHO);
    let got = 0;
    let done: () => void = () => undefined;
    stream.addEventListener('message', (e) => {
      got += e.data.byteLength;
      if (got >= PAYMENT_FRAME_BYTES) done();
    });
    const xs: number[] = [];
    for (let i = 0; i < n + 20; i++) {
      got = 0;
      const back = new Promise<void>((r) => (done = r));
      const t0 = performance.now();
      stream.send(Buffer.alloc(PAYMENT_FRAME_BYTES, 7));
      await back;
      if (i >= 20) xs.push(performance.now() - t0);
    }
    return median(xs);
  } finally {
    await a.stop();
  }
}

type Pay = (a: bigint, o: { channel: string }) => Promise<unknown>;

async function oneAtATime(n: number): Promise<{ p50: number; p90: number; perSecond: number }> {
  const pay = (node as unknown as { pay: Pay }).pay.bind(node);
  for (let i = 0; i < 20; i++) await pay(1000n, { channel });
  const xs: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await pay(1000n, { channel });
    xs.push(since(t));
  }
  return { p50: median(xs), p90: pct(xs, 0.9), perSecond: (n / since(t0)) * 1000 };
}

async function coalesced(n: number, perTurn: number): Promise<{ perSecond: number; p50: number; states: number }> {
  const pay = (node as unknown as { pay: Pay }).pay.bind(node);
  const step0 = node!.channel(channel)!.latest!.step;
  const lat: number[] = [];
  const all: Promise<unknown>[] = [];
  const t0 = performance.now();
  for (let asked = 0; asked < n; ) {
    for (let i = 0; i < perTurn && asked < n; i++, asked++) {
      const p = pay(1n, { channel });
      if (asked % 97 === 0) {
        const t = performance.now();
        all.push(p.then(() => lat.push(since(t))));
      } else all.push(p);
    }
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(all);
  const ms = since(t0);
  return { perSecond: (n / ms) * 1000, p50: median(lat), states: Number(node!.channel(channel)!.latest!.step - step0) / 2 };
}

type Req = { id: number; op: string; args: Record<string, unknown> };

const ops: Record<string, (a: Record<string, unknown>) => Promise<unknown>> = {
  async start(a) {
    node = await createNode({ network: 'devnet', devnetUrl: String(a.devnetUrl), dataDir: String(a.dataDir), key: { seed: Buffer.from(String(a.seed), 'hex') }, pollMs: 1000 });
    return { account: node.getAccount() };
  },
  /** A node on its own embedded chain (channels written beforehand: bench/lib/channels.ts). */
  async startLocal(a) {
    const { SandboxChain } = await import('../../src/chain/SandboxChain.js');
    const chain = await SandboxChain.create();
    const m0 = await used();
    const t0 = performance.now();
    node = await createNode({ network: 'sandbox', chain, dataDir: String(a.dataDir), key: { seed: Buffer.from(String(a.seed), 'hex') }, pollMs: 60_000 });
    const startMs = since(t0);
    await new Promise((r) => setTimeout(r, 200)); // the watchers' first reads
    return { startMs, idleBytes: (await used()) - m0 };
  },
  /**
   * Start-up of a node on a folder written beforehand, once and then `runs` times more, in this fresh process (its
   * chain made first, as a remote chain needs none): each run's time, and the memory of a started node.
   */
  async startups(a) {
    const { SandboxChain } = await import('../../src/chain/SandboxChain.js');
    const chain = await SandboxChain.create();
    const times: number[] = [];
    const mem: number[] = [];
    try {
      for (let r = 0; r <= Number(a.runs); r++) {
        const m0 = await used();
        const t0 = performance.now();
        const n = await createNode({ network: 'sandbox', chain, dataDir: String(a.dataDir), key: { seed: Buffer.from(String(a.seed), 'hex') }, pollMs: 60_000 });
        times.push(since(t0));
        const channels = n.channels().length;
        mem.push((await used()) - m0);
        await n.stop();
        if (channels !== Number(a.channels)) throw new Error(`started with ${channels} channels`);
      }
    } finally {
      await chain.close();
    }
    return { times, mem };
  },
  /** Every channel in `ids` pays one payment at a time, all at once, for `seconds`. */
  async payAll(a) {
    const pay = (node as unknown as { pay: Pay }).pay.bind(node);
    const ids = a.ids as string[];
    const end = performance.now() + Number(a.seconds) * 1000;
    let done = 0;
    const t0 = performance.now();
    await Promise.all(
      ids.map(async (id) => {
        while (performance.now() < end) {
          await pay(1000n, { channel: id });
          done++;
        }
      }),
    );
    return { done, ms: since(t0) };
  },
  /** Heap and buffers in use after collecting garbage (bytes). */
  mem: () => used(),
  async syncs() {
    let n = 0;
    const ctx = (node!.node as unknown as { ctx: { channels: Map<string, { storage: { syncs?: number } | null }> } }).ctx;
    for (const c of ctx.channels.values()) n += c.storage?.syncs ?? 0;
    return n;
  },
  async faucet(a) {
    return String(await node!.faucet(BigInt(String(a.amount))));
  },
  async serve() {
    return (await node!.serve(0, '127.0.0.1')).lan[0];
  },
  async connect(a) {
    const up = waitForEvent(node!, 'partnerConnected');
    await node!.connect(String(a.addr));
    await up;
    return null;
  },
  async open(a) {
    const v = await node!.open({ myDeposit: BigInt(String(a.mine)), partnerDeposit: BigInt(String(a.theirs)) });
    channel = v.channelId;
    return channel;
  },
  async awaitProposal() {
    const e = await waitForEvent(node!, 'channelProposed', () => true, 60_000);
    channel = e.channel.channelId;
    return channel;
  },
  async deposit() {
    const open = waitForEvent(node!, 'stateSigned', (e) => e.state.step === 0n, 120_000);
    await node!.deposit(undefined, { channel });
    await open;
    return null;
  },
  async awaitOpen() {
    if (node!.channel(channel)?.latest) return null;
    await waitForEvent(node!, 'stateSigned', (e) => e.state.step === 0n, 120_000);
    return null;
  },
  async echoServe() {
    echo ??= await echoServer();
    return echo.getMultiaddrs()[0]!.toString();
  },
  ping: (a) => ping(String(a.addr), Number(a.n)),
  async disk(a) {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-bench-disk-'));
    try {
      return { fsync: await fsyncLatency(dir, Number(a.n)), ...signatures() };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
  oneAtATime: (a) => oneAtATime(Number(a.n)),
  coalesced: (a) => coalesced(Number(a.n), Number(a.perTurn)),
  async cpu() {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
  async stop() {
    await node?.stop();
    await echo?.stop();
    setImmediate(() => process.exit(0));
    return null;
  },
};

process.on('message', (m: Req) => {
  const op = ops[m.op];
  if (!op) return process.send!({ id: m.id, error: `unknown op ${m.op}` });
  op(m.args).then(
    (result) => process.send!({ id: m.id, result }),
    (e: Error) => process.send!({ id: m.id, error: `${e.message}` }),
  );
});
process.send!({ ready: true });
