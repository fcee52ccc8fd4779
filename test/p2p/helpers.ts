// Shared by the p2p tests: wallets derived the way real TON wallets are, temp dirs, and small waits.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address } from '@ton/core';
import { WalletContractV4, WalletContractV5R1 } from '@ton/ton';
import { newKeyPair, type KeyPair } from '../../src/core/signer.js';
import { randomBytes } from 'node:crypto';
import { multiaddr } from '@multiformats/multiaddr';
import type { Libp2p } from 'libp2p';
import type { Stream } from '@libp2p/interface';
import { decodeWireMessage, encodeWireMessage, type WireMessage } from '../../src/core/wire.js';
import { P2PNode, SYNCHANNEL_PROTOCOL, encodeFrame, FrameDecoder, signProof, type P2PNodeOptions } from '../../src/p2p/index.js';
import { loadDeps } from '../../src/p2p/deps.js';

export interface Wallet {
  key: KeyPair;
  address: Address;
}

export function newWallet(version: 'v4' | 'v5r1' = 'v4'): Wallet {
  const key = newKeyPair();
  const address =
    version === 'v4'
      ? WalletContractV4.create({ publicKey: key.publicKey, workchain: 0 }).address
      : WalletContractV5R1.create({ publicKey: key.publicKey, workchain: 0 }).address;
  return { key, address };
}

/** The stand-in for src/chain/keys.ts walletOwnsAddress: the standard wallet versions' addresses. */
export function verifyWalletOwnership(publicKey: Buffer, address: Address): boolean {
  if (publicKey.length !== 32) return false;
  return (
    WalletContractV4.create({ publicKey, workchain: address.workChain }).address.equals(address) ||
    WalletContractV5R1.create({ publicKey, workchain: address.workChain }).address.equals(address)
  );
}

export async function tempDir(prefix = 'synchannel-p2p-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export async function makeNode(dataDir: string, wallet: Wallet = newWallet(), extra: Partial<P2PNodeOptions> = {}): Promise<{ node: P2PNode; wallet: Wallet }> {
  const node = await P2PNode.create({
    dataDir,
    walletAddress: wallet.address,
    walletKey: wallet.key,
    verifyWalletOwnership,
    log: process.env.P2P_DEBUG ? (l) => console.log(`[${wallet.address.toString().slice(0, 6)}] ${l}`) : undefined,
    ...extra,
  });
  return { node, wallet };
}

/** Waits until `cond()` holds, polling; fails after `ms` with `what`. */
export async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function first<T>(emitter: { once(e: string, f: (v: T) => void): unknown }, event: string, ms = 15_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no '${event}' within ${ms} ms`)), ms);
    emitter.once(event, (v: T) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

/** A hand-driven peer for adversarial tests: a bare libp2p node speaking raw frames on /synchannel/1.0.0. */
export class RawPeer {
  readonly received: WireMessage[] = [];
  private constructor(
    readonly libp2p: Libp2p,
    readonly stream: Stream,
    readonly serverPeerId: string,
  ) {
    const decoder = new FrameDecoder();
    stream.addEventListener('message', (evt) => {
      const data = evt.data instanceof Uint8Array ? evt.data : evt.data.subarray();
      for (const ev of decoder.push(data)) if (ev.kind === 'frame') this.received.push(decodeWireMessage(ev.data));
    });
  }

  get peerId(): string {
    return this.libp2p.peerId.toString();
  }

  /** `maxWindow` caps the yamux window this peer grants (256 KiB at least): what the server can send unread. */
  /** `localAddress`: the source address to dial from (any of 127/8 on Linux), as another host would. */
  static async dial(addr: string, opts: { maxWindow?: number; localAddress?: string } = {}): Promise<RawPeer> {
    const { createLibp2p, tcp, noise, yamux } = await loadDeps();
    const muxer = opts.maxWindow ? yamux({ streamOptions: { maxStreamWindowSize: opts.maxWindow } }) : yamux();
    // passed on to net.connect as they are (localAddress is missing from @libp2p/tcp's type)
    const dialOpts: Record<string, unknown> = opts.localAddress ? { localAddress: opts.localAddress } : {};
    const transport = tcp({ dialOpts });
    const libp2p = await createLibp2p({ transports: [transport], connectionEncrypters: [noise()], streamMuxers: [muxer], connectionGater: { denyDialMultiaddr: () => false } });
    const ma = multiaddr(addr);
    // a dial the server refuses stops its libp2p too (else it keeps the test's process alive)
    const stream = await libp2p.dialProtocol(ma, SYNCHANNEL_PROTOCOL).catch(async (e: unknown) => {
      await libp2p.stop();
      throw e;
    });
    return new RawPeer(libp2p, stream, ma.getComponents().find((c) => c.name === 'p2p')!.value!);
  }

  /** Another stream to the server on `from`'s connection (its own handshake, as a reconnect does). */
  static async another(from: RawPeer, addr: string): Promise<RawPeer> {
    const ma = multiaddr(addr);
    return new RawPeer(from.libp2p, await from.libp2p.dialProtocol(ma, SYNCHANNEL_PROTOCOL), from.serverPeerId);
  }

  sendRaw(bytes: Uint8Array): void {
    this.stream.send(bytes);
  }

  send(msg: WireMessage): void {
    this.stream.send(encodeFrame(encodeWireMessage(msg)));
  }

  hello(wallet: Wallet, nonce = randomBytes(32), address = wallet.address): Buffer {
    this.send({ type: 'hello', v: 1, walletAddress: address.toString(), walletPublicKey: wallet.key.publicKey.toString('hex'), channelPublicKey: wallet.key.publicKey.toString('hex'), nonce: nonce.toString('hex') });
    return nonce;
  }

  async next<T extends WireMessage['type']>(type: T, ms = 10_000): Promise<Extract<WireMessage, { type: T }>> {
    await until(() => this.received.some((m) => m.type === type), `a '${type}' frame`, ms);
    const i = this.received.findIndex((m) => m.type === type);
    return this.received.splice(i, 1)[0] as Extract<WireMessage, { type: T }>;
  }

  /** Proves `wallet` to the server, answering the server's hello nonce. */
  async prove(wallet: Wallet): Promise<Buffer> {
    const serverHello = await this.next('hello');
    const sig = signProof(wallet.key.secretKey, this.peerId, this.serverPeerId, Buffer.from(serverHello.nonce, 'hex'));
    this.send({ type: 'proof', signature: sig.toString('hex') });
    return sig;
  }

  /** Handshake and session.resume as `wallet`: afterwards session.data frames (seq 1, 2, …) are delivered. */
  async open(wallet: Wallet): Promise<void> {
    this.hello(wallet);
    await this.prove(wallet);
    await this.next('proof');
    const resume = await this.next('session.resume');
    this.send({ type: 'session.resume', session: randomBytes(16).toString('hex'), peerSession: resume.session, received: 0, base: 1 });
  }

  get closed(): boolean {
    return this.stream.status !== 'open' || this.stream.remoteWriteStatus === 'closed';
  }

  async stop(): Promise<void> {
    await this.libp2p.stop();
  }
}
