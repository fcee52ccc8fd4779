// `npm run bench`: speed and memory of the hot paths, as ratios and medians measured in one run
// (machines here are shared and noisy: compare within a run, never against a fixed number).
//   1. signing/verifying a state: node:crypto (ours) vs @ton/crypto's JS ed25519
//   2. off-chain payments between two ChannelNodes over loopback libp2p (automatic turns): one round trip each
//   3. memory per state kept (RSS and heap growth over the payments)
// Targets, as ratios within the run: our signer >= 20x faster than @ton/crypto (DESIGN §7); a payment (propose,
// countersign + automatic pass, countersign: two message hops each way and four journal fdatasyncs on the critical
// path) costs at most 5x its floor = 2 bare libp2p round trips + 4 fdatasyncs, both measured in the same run on
// the same loopback and disk (the disk here is shared and its fdatasync varies from 0.5 to 20 ms).
import '../src/polyfill.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { keyPairFromSeed as tonKeyPair, sign as tonSign, signVerify as tonVerify } from '@ton/crypto';
import { SandboxChain } from '../src/chain/SandboxChain.js';
import { parseTon } from '../src/core/amounts.js';
import { keyPairFromSeed, newKeyPair, sign, verify } from '../src/core/signer.js';
import { stateHash } from '../src/core/state.js';
import { createNode, waitForEvent } from '../src/node/index.js';
import { P2PNode } from '../src/p2p/index.js';
import { walletAddress, walletOwnsAddress } from '../src/chain/keys.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

function timeIt(n: number, fn: () => void): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t) / 1e6 / n;
}

async function signing(): Promise<void> {
  const seed = Buffer.alloc(32, 7);
  const ours = keyPairFromSeed(seed);
  const theirs = tonKeyPair(seed);
  const h = stateHash({ tag: 'state', channel: new Address(0, Buffer.alloc(32, 1)), step: 1n, balanceA: 1n, balanceB: 2n });
  const sig = sign(h, ours.secretKey);
  const ratios = { sign: [] as number[], verify: [] as number[] };
  let last = { ourSign: 0, tonSign: 0, ourVerify: 0, tonVerify: 0 };
  for (let run = 0; run < 5; run++) {
    last = {
      ourSign: timeIt(2000, () => sign(h, ours.secretKey)),
      tonSign: timeIt(50, () => tonSign(h, theirs.secretKey)),
      ourVerify: timeIt(2000, () => verify(h, sig, ours.publicKey)),
      tonVerify: timeIt(30, () => tonVerify(h, sig, theirs.publicKey)),
    };
    ratios.sign.push(last.tonSign / last.ourSign);
    ratios.verify.push(last.tonVerify / last.ourVerify);
  }
  console.log('1. state signatures (5 runs, median)');
  console.log(`   sign:   node:crypto ${last.ourSign.toFixed(3)} ms, @ton/crypto ${last.tonSign.toFixed(3)} ms -> ours is ${median(ratios.sign).toFixed(0)}x faster`);
  console.log(`   verify: node:crypto ${last.ourVerify.toFixed(3)} ms, @ton/crypto ${last.tonVerify.toFixed(3)} ms -> ours is ${median(ratios.verify).toFixed(0)}x faster`);
  console.log(`   target >= 20x: ${median(ratios.sign) >= 20 && median(ratios.verify) >= 20 ? 'met' : 'MISSED'}`);
}

/** Median time of appending one line and fdatasync'ing it, on the disk the nodes use. */
async function fdatasyncMedian(dir: string, n: number): Promise<number> {
  const { open } = await import('node:fs/promises');
  const fh = await open(join(dir, 'sync-probe'), 'a');
  const xs: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await fh.write(`${'x'.repeat(300)}\n`);
      await fh.datasync();
      xs.push(performance.now() - t);
    }
  } finally {
    await fh.close();
  }
  return median(xs);
}

/** Median round trip of a bare acknowledged message between two p2p nodes on loopback. */
async function bareRoundTrip(n: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-bench-p2p-'));
  const mk = async (name: string) => {
    const key = newKeyPair();
    return P2PNode.create({
      dataDir: join(dir, name),
      walletAddress: walletAddress('v5r1', key.publicKey),
      walletKey: key,
      verifyWalletOwnership: (pk, addr) => walletOwnsAddress(pk, addr) !== null,
    });
  };
  const a = await mk('a');
  const b = await mk('b');
  try {
    const addr = (await a.serve(0, '127.0.0.1')).lan[0]!;
    const s = await b.connect(addr);
    const contract = new Address(0, Buffer.alloc(32, 9)).toString();
    const rtts: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await s.send({ type: 'turn.request', contract, step: BigInt(i) });
      rtts.push(performance.now() - t);
    }
    return median(rtts);
  } finally {
    await a.stop();
    await b.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function payments(n: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-bench-'));
  const chain = await SandboxChain.create();
  const common = { network: 'sandbox' as const, chain, autoMode: true, pollMs: 1000 };
  const alice = await createNode({ ...common, dataDir: join(dir, 'a'), key: { keyPair: newKeyPair() } });
  const bob = await createNode({ ...common, dataDir: join(dir, 'b'), key: { keyPair: newKeyPair() } });
  try {
    const served = await alice.serve(0, '127.0.0.1');
    await bob.connect(served.lan[0]!);
    await waitForEvent(alice, 'partnerConnected');
    const proposed = waitForEvent(bob, 'channelProposed');
    await alice.open({ myDeposit: parseTon('1'), partnerDeposit: parseTon('100') });
    await proposed;
    const open = waitForEvent(alice, 'stateSigned', (e) => e.state.step === 0n, 60_000);
    await bob.deposit();
    await open;
    global.gc?.();
    const mem0 = process.memoryUsage();
    const rtts: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const step = bob.currentChannel()!.latest!.step;
      // Bob pays; the round trip ends when Alice's countersignature (and her automatic pass) are back.
      const back = waitForEvent(bob, 'stateSigned', (e) => e.state.step === step + 2n, 30_000);
      const t = performance.now();
      await bob.send(1_000_000n);
      await back;
      rtts.push(performance.now() - t);
    }
    const total = performance.now() - t0;
    const bare = await bareRoundTrip(n);
    const sync = await fdatasyncMedian(dir, n);
    global.gc?.();
    const mem1 = process.memoryUsage();
    const states = Number(bob.currentChannel()!.latest!.step) + 1;
    console.log(`\n2. off-chain payments, two nodes over loopback libp2p, automatic turns (${n} payments)`);
    const floor = 2 * bare + 4 * sync;
    const ratio = median(rtts) / floor;
    console.log(`   round trip per payment: median ${median(rtts).toFixed(2)} ms, p90 ${pct(rtts, 0.9).toFixed(2)} ms, ${(n / (total / 1000)).toFixed(0)} payments/s`);
    console.log(`   same run: bare libp2p round trip ${bare.toFixed(2)} ms, append+fdatasync ${sync.toFixed(2)} ms -> floor ${floor.toFixed(2)} ms`);
    console.log(`   a payment costs ${ratio.toFixed(2)}x its floor; target <= 5x: ${ratio <= 5 ? 'met' : 'MISSED'}`);
    console.log(`\n3. memory over ${states} states held by both nodes of this process`);
    console.log(`   heap +${((mem1.heapUsed - mem0.heapUsed) / 1024).toFixed(0)} KiB (${((mem1.heapUsed - mem0.heapUsed) / states / 2).toFixed(0)} B per state per node), rss +${((mem1.rss - mem0.rss) / 1024 / 1024).toFixed(1)} MiB`);
  } finally {
    await alice.stop();
    await bob.stop();
    await chain.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_PAYMENTS ?? 300);
  await signing();
  await payments(n);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e);
    process.exit(1);
  },
);
