// The adversary where the session layer would stop it: raw frames on a libp2p stream of /synchannel/1.0.0. It
// proves a real wallet (hello + proof), then sends session frames by hand: session.resume, session.data with
// any seq, and never a session.ack unless told to. It can also stop anywhere in the handshake.
import { randomBytes } from 'node:crypto';
import { multiaddr } from '@multiformats/multiaddr';
import type { Stream } from '@libp2p/interface';
import type { Libp2p } from 'libp2p';
import type { Address } from '@ton/core';
import type { KeyPair } from '../../src/core/signer.js';
import { decodeWireMessage, encodeWireMessage, type AppMessage, type WireMessage } from '../../src/core/wire.js';
import { loadDeps } from '../../src/p2p/deps.js';
import { encodeFrame, FrameDecoder, signProof, SYNCHANNEL_PROTOCOL } from '../../src/p2p/index.js';
import { until } from './world.js';

export class RawPeer {
  readonly received: WireMessage[] = [];
  bytesIn = 0;
  private seq = 0;

  private constructor(
    readonly libp2p: Libp2p,
    readonly stream: Stream,
    readonly serverPeerId: string,
  ) {
    const decoder = new FrameDecoder();
    stream.addEventListener('message', (evt) => {
      const data = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray();
      this.bytesIn += data.byteLength;
      for (const ev of decoder.push(data)) {
        if (ev.kind !== 'frame') continue;
        try {
          this.received.push(decodeWireMessage(ev.data));
        } catch {
          // not ours to judge here
        }
      }
    });
  }

  /** `localAddress`: the source address to dial from (any of 127/8 on Linux), as another host would. */
  static async dial(addr: string, o: { localAddress?: string } = {}): Promise<RawPeer> {
    const { createLibp2p, tcp, noise, yamux } = await loadDeps();
    // passed on to net.connect as they are (localAddress is missing from @libp2p/tcp's type)
    const dialOpts: Record<string, unknown> = o.localAddress ? { localAddress: o.localAddress } : {};
    const libp2p = await createLibp2p({ transports: [tcp({ dialOpts })], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionGater: { denyDialMultiaddr: () => false } });
    const ma = multiaddr(addr);
    const stream = await libp2p.dialProtocol(ma, SYNCHANNEL_PROTOCOL);
    return new RawPeer(libp2p, stream, ma.getComponents().find((c) => c.name === 'p2p')!.value!);
  }

  get peerId(): string {
    return this.libp2p.peerId.toString();
  }

  get open(): boolean {
    return this.stream.status === 'open' && this.stream.remoteWriteStatus !== 'closed';
  }

  send(msg: WireMessage): void {
    this.stream.send(encodeFrame(encodeWireMessage(msg)));
  }

  /** The whole handshake: hello and the proof of `wallet`'s address, answering the server's nonce. */
  async handshake(key: KeyPair, address: Address): Promise<void> {
    this.send({ type: 'hello', v: 1, walletAddress: address.toString(), walletPublicKey: key.publicKey.toString('hex'), channelPublicKey: key.publicKey.toString('hex'), nonce: randomBytes(32).toString('hex') });
    await until(() => this.received.some((m) => m.type === 'hello'), "the server's hello", 15_000);
    const hello = this.received.find((m) => m.type === 'hello') as Extract<WireMessage, { type: 'hello' }>;
    const sig = signProof(key.secretKey, this.peerId, this.serverPeerId, Buffer.from(hello.nonce, 'hex'));
    this.send({ type: 'proof', signature: sig.toString('hex') });
    await until(() => this.received.some((m) => m.type === 'session.resume'), "the server's session.resume", 15_000);
  }

  /** Our session.resume: a new incarnation that has received nothing and holds nothing. */
  resume(): void {
    this.send({ type: 'session.resume', session: randomBytes(16).toString('hex'), peerSession: '', received: 0, base: 1 });
  }

  /** One application message in session.data with the next seq (or `seq`). Never acknowledged by us. */
  data(msg: AppMessage, seq = ++this.seq): void {
    this.send({ type: 'session.data', seq, msg });
  }

  /** Acknowledges every session.data frame the server sent us so far. */
  ackAll(): void {
    const seqs = this.received.flatMap((m) => (m.type === 'session.data' ? [m.seq] : []));
    if (seqs.length) this.send({ type: 'session.ack', seq: Math.max(...seqs) });
  }

  /** session.data frames the server sent us (all unacknowledged). */
  dataIn(): AppMessage[] {
    return this.received.filter((m): m is Extract<WireMessage, { type: 'session.data' }> => m.type === 'session.data').map((m) => m.msg);
  }

  async stop(): Promise<void> {
    try {
      await this.libp2p.stop();
    } catch {
      // already stopped
    }
  }
}
