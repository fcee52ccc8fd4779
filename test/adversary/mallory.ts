// The scripted adversary: a peer that speaks the real wire protocol over real libp2p on 127.0.0.1 with a real,
// proven wallet (the p2p layer's P2PNode/PeerSession), and sends whatever it likes. It usually starts as an
// honest node (to get a real channel on chain, with states both signed), then "turns": the honest node stops
// and this peer takes its wallet and channel key. A small DSL: say/flood send messages, propose/forge build
// signed states, next/count/errors read what the victim answered.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { walletOwnsAddress } from '../../src/chain/keys.js';
import { creatorOf } from '../../src/core/channel.js';
import type { Party, SignedState } from '../../src/core/signed.js';
import { sign, type KeyPair } from '../../src/core/signer.js';
import { stateHash, stateToBase64, type ChannelState } from '../../src/core/state.js';
import type { AppMessage } from '../../src/core/wire.js';
import type { ChannelNodeApi } from '../../src/node/index.js';
import { P2PNode, type PeerSession } from '../../src/p2p/index.js';
import { walletAddress } from '../../src/chain/wallets.js';
import { newKeyPair } from '../../src/core/signer.js';
import { until, World, type NodeHandle } from './world.js';

type Msg<K extends AppMessage['type']> = Extract<AppMessage, { type: K }>;

/** What the adversary knows of a channel it holds with the victim: every state both signed. */
export interface Known {
  channelId: bigint;
  /** raw address */
  contract: string;
  me: Party;
  states: SignedState[];
}

/** Reads a channel's history from the (still honest) node that holds it. */
export async function learn(node: ChannelNodeApi, channel: string): Promise<Known> {
  const view = node.channel(channel)!;
  const contract = Address.parse(view.contract);
  const states = (await node.showAll(channel))
    .filter((s) => s.committed)
    .map((s) => ({
      state: { tag: s.tag, channel: contract, step: s.step, balanceA: s.balanceA, balanceB: s.balanceB },
      sigA: Buffer.from(s.sigA!, 'hex'),
      sigB: Buffer.from(s.sigB!, 'hex'),
    }));
  return { channelId: BigInt(view.channelId), contract: contract.toRawString(), me: view.me, states };
}

export class Mallory {
  /** every application message the victim sent us, in order */
  readonly received: AppMessage[] = [];
  private constructor(
    readonly keyPair: KeyPair,
    readonly address: Address,
    readonly p2p: P2PNode,
    readonly session: PeerSession,
    private readonly dir: string,
  ) {
    session.on('message', (m) => this.received.push(m));
  }

  /** Connects to `victimAddr` as the wallet `address` of `keyPair` (a fresh p2p identity), claiming `channelPublicKey` (default: the wallet key). */
  static async connect(keyPair: KeyPair, address: string, victimAddr: string, o: { channelPublicKey?: Buffer } = {}): Promise<Mallory> {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-mallory-'));
    const wallet = Address.parse(address);
    const p2p = await P2PNode.create({
      dataDir: dir,
      walletAddress: wallet,
      walletKey: keyPair,
      channelPublicKey: o.channelPublicKey ?? keyPair.publicKey,
      verifyWalletOwnership: (pk, a) => walletOwnsAddress(pk, a) !== null,
    });
    const session = await p2p.connect(victimAddr);
    return new Mallory(keyPair, wallet, p2p, session, dir);
  }

  // ---- sending ----

  /** Sends one message (queued and resent by the session until the victim acknowledges it). */
  say(msg: AppMessage): void {
    this.session.send(msg).catch(() => undefined);
  }

  /**
   * Sends `n` messages made by `make(i)`, `perSecond` at most: under the p2p layer's frame rate limit, so they
   * all reach the node (the node must hold whatever the transport lets through).
   */
  async flood(n: number, make: (i: number) => AppMessage, perSecond = 400): Promise<void> {
    const t0 = Date.now();
    for (let i = 0; i < n; i++) {
      this.say(make(i));
      const due = t0 + ((i + 1) * 1000) / perSecond;
      if (i % 20 === 19 && due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
  }

  /** Resolves once the victim acknowledged everything sent so far. */
  async delivered(ms = 120_000): Promise<void> {
    await until(() => this.session.pending === 0, 'the victim to acknowledge every message', ms);
  }

  // ---- states ----

  sig(state: ChannelState): Buffer {
    return sign(stateHash(state), this.keyPair.secretKey);
  }

  latest(k: Known): SignedState {
    return k.states[k.states.length - 1]!;
  }

  /** The state after the latest both signed, with `changes` (a forgery when the changes say so). */
  next(k: Known, changes: Partial<ChannelState> = {}): ChannelState {
    const l = this.latest(k).state;
    return { ...l, tag: 'state', step: l.step + 1n, ...changes };
  }

  /** A `state.propose` (or `close.propose`) of `state`, signed by us unless `signature` is given. */
  propose(k: Known, state: ChannelState, o: { close?: boolean; signature?: Buffer; contract?: string } = {}): Msg<'state.propose'> | Msg<'close.propose'> {
    return {
      type: o.close ? 'close.propose' : 'state.propose',
      contract: o.contract ?? k.contract,
      state: stateToBase64(state),
      signature: (o.signature ?? this.sig(state)).toString('hex'),
    };
  }

  /** Is `step` ours to create in `k`? */
  ours(k: Known, step: bigint): boolean {
    return creatorOf(step) === k.me;
  }

  // ---- reading the victim's answers ----

  count(type: AppMessage['type'], pred: (m: AppMessage) => boolean = () => true): number {
    return this.received.filter((m) => m.type === type && pred(m)).length;
  }

  /** The error codes the victim answered with (for `ref`, when given). */
  errors(ref?: AppMessage['type']): string[] {
    return this.received.filter((m): m is Msg<'error'> => m.type === 'error' && (ref === undefined || m.ref === ref)).map((m) => m.code);
  }

  async nextOf<K extends AppMessage['type']>(type: K, pred: (m: Msg<K>) => boolean = () => true, ms = 30_000): Promise<Msg<K>> {
    let found: Msg<K> | undefined;
    await until(() => {
      found = this.received.find((m): m is Msg<K> => m.type === type && pred(m as Msg<K>));
      return !!found;
    }, `a '${type}' from the victim`, ms);
    return found!;
  }

  /** Waits for an error answer to a message of type `ref` with `code`. */
  async error(ref: AppMessage['type'], code: string, ms = 30_000): Promise<void> {
    await this.nextOf('error', (m) => m.ref === ref && m.code === code, ms);
  }

  async stop(): Promise<void> {
    await this.p2p.stop().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A stranger: a fresh wallet with no channel with the victim, connected to `vicAddr` (claiming `channelPublicKey`, when given). */
export async function stranger(vicAddr: string, o: { channelPublicKey?: Buffer } = {}): Promise<Mallory> {
  const key = newKeyPair();
  return Mallory.connect(key, walletAddress('v5r1', key.publicKey).toString(), vicAddr, o);
}

/** A world with a victim that serves on 127.0.0.1 (`addr`); the Mallorys put in `eves` are stopped and the world closed after `fn`. */
export async function withVictim(fn: (world: World, vic: NodeHandle, addr: string, eves: Mallory[]) => Promise<void>): Promise<void> {
  const world = await World.create();
  const eves: Mallory[] = [];
  try {
    const vic = await world.node('vic');
    await fn(world, vic, (await vic.node.serve(0, '127.0.0.1')).lan[0]!, eves);
  } finally {
    for (const e of eves) await e.stop();
    await world.close();
  }
}
