// The floor of one payment, measured in the same run as the payments it is compared with. One payment needs,
// on its critical path, one network round trip, one durable write on each side, two signatures and two
// verifications. Each part is measured bare here:
//   rtt      a payment-sized message and its echo on a libp2p stream (TCP + Noise + Yamux) over 127.0.0.1
//   fsync    a journal-record-sized durable append to an open file on the nodes' disk (write + fdatasync, or
//            a write with O_DSYNC, whichever is faster)
//   sign     ed25519 (node:crypto) of a state hash, verify likewise
import { constants } from 'node:fs';
import { open, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { multiaddr } from '@multiformats/multiaddr';
import { Address } from '@ton/core';
import { newKeyPair, sign, verify } from '../../src/core/signer.js';
import { stateHash } from '../../src/core/state.js';
import { loadDeps } from '../../src/p2p/deps.js';
import { median, perCall } from './stats.js';

export interface Floor {
  /** ms, median */
  rtt: number;
  fsync: number;
  sign: number;
  verify: number;
  /** rtt + 2 fsync + 2 sign + 2 verify */
  floor: number;
}

const ECHO = '/synchannel-bench/echo/1.0.0';
/** the bytes of a state.propose frame on the wire */
export const PAYMENT_FRAME_BYTES = 420;
/** the bytes of a staged journal record */
export const JOURNAL_RECORD_BYTES = 150;

async function libp2pNode() {
  const { createLibp2p, tcp, noise, yamux } = await loadDeps();
  return createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] });
}

/** Median round trip (ms) of a `bytes`-long message echoed back on one libp2p stream, over `n` round trips. */
export async function rawRoundTrip(n: number, bytes = PAYMENT_FRAME_BYTES): Promise<number> {
  const a = await libp2pNode();
  const b = await libp2pNode();
  try {
    await b.handle(ECHO, (stream) => {
      stream.addEventListener('message', (e) => stream.send(e.data instanceof Uint8Array ? e.data : e.data.subarray()));
    });
    const stream = await a.dialProtocol(multiaddr(b.getMultiaddrs()[0]!.toString()), ECHO);
    let got = 0;
    let done: () => void = () => undefined;
    stream.addEventListener('message', (e) => {
      got += e.data.byteLength;
      if (got >= bytes) done();
    });
    const payload = Buffer.alloc(bytes, 7);
    const xs: number[] = [];
    for (let i = 0; i < n + 20; i++) {
      got = 0;
      const back = new Promise<void>((r) => (done = r));
      const t0 = performance.now();
      stream.send(payload);
      await back;
      if (i >= 20) xs.push(performance.now() - t0);
    }
    await stream.close().catch(() => undefined);
    return median(xs);
  } finally {
    await a.stop();
    await b.stop();
  }
}

/**
 * Median time (ms) of one durable append of `bytes` to an open file in `dir`, over `n` appends, the faster of
 * the two ways: write + fdatasync, and a write to a file opened with O_DSYNC.
 */
export async function fsyncLatency(dir: string, n: number, bytes = JOURNAL_RECORD_BYTES): Promise<number> {
  const buf = Buffer.alloc(bytes, 1);
  const probe = async (dsync: boolean) => {
    const path = join(dir, `fsync-probe-${process.pid}-${dsync}`);
    const fh = await open(path, dsync ? constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC : 'a');
    const xs: number[] = [];
    try {
      for (let i = 0; i < n + 5; i++) {
        const t0 = performance.now();
        await fh.write(buf);
        if (!dsync) await fh.datasync();
        if (i >= 5) xs.push(performance.now() - t0);
      }
    } finally {
      await fh.close();
      await rm(path, { force: true });
    }
    return median(xs);
  };
  const plain = await probe(false);
  return constants.O_DSYNC === undefined ? plain : Math.min(plain, await probe(true));
}

/** ed25519 of a state hash (ms per call). */
export function signatures(n = 2000): { sign: number; verify: number } {
  const kp = newKeyPair();
  const h = stateHash({ tag: 'state', channel: new Address(0, Buffer.alloc(32, 1)), step: 1n, balanceA: 1n, balanceB: 2n });
  const sig = sign(h, kp.secretKey);
  const s: number[] = [];
  const v: number[] = [];
  for (let r = 0; r < 5; r++) {
    s.push(perCall(n / 5, () => sign(h, kp.secretKey)));
    v.push(perCall(n / 5, () => verify(h, sig, kp.publicKey)));
  }
  return { sign: median(s), verify: median(v) };
}

/** The floor, its parts measured now (`dir`: the disk the nodes write to; default os.tmpdir()). */
export async function measureFloor(o: { n?: number; dir?: string } = {}): Promise<Floor> {
  const n = o.n ?? 200;
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'synchannel-floor-')));
  try {
    const rtt = await rawRoundTrip(n);
    const fsync = await fsyncLatency(dir, n);
    const { sign: s, verify: v } = signatures();
    return { rtt, fsync, sign: s, verify: v, floor: rtt + 2 * fsync + 2 * s + 2 * v };
  } finally {
    if (!o.dir) await rm(dir, { recursive: true, force: true });
  }
}
