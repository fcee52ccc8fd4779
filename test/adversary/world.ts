// The honest side of the adversary tests: real ChannelNodes on one SandboxChain over loopback libp2p, and the
// steps an honest user takes (connect, open a channel, pay). Every attack runs against a victim node that also
// has a channel with an honest partner, and checks what that partner still experiences.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address, type Message } from '@ton/core';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import type { Chain } from '../../src/chain/types.js';
import { newKeyPair, type KeyPair } from '../../src/core/signer.js';
import { createNode, waitForEvent, type ChannelNodeApi, type ChannelView, type NodeEvent } from '../../src/node/index.js';

export type Node = Awaited<ReturnType<typeof createNode>>;

/** Counts the chain reads the nodes of a world make: getChannelData, and getChannelStatus (a watch's or a hint's). */
export interface ReadCounter {
  reads: number;
  statusReads: number;
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface NodeHandle {
  name: string;
  node: Node;
  keyPair: KeyPair;
  dataDir: string;
  /** every event the node emitted, in order */
  events: NodeEvent[];
  /** the chain reads this node made */
  counter: ReadCounter;
}

/** A chain whose getChannelData calls are counted (the rest passes through). */
function counted(chain: SandboxChain, counter: ReadCounter): Chain {
  return new Proxy(chain, {
    get(target, prop, receiver) {
      if (prop === 'getChannelData') {
        return (...args: Parameters<Chain['getChannelData']>) => {
          counter.reads++;
          return target.getChannelData(...args);
        };
      }
      if (prop === 'getChannelStatus') {
        return (...args: Parameters<Chain['getChannelStatus']>) => {
          counter.statusReads++;
          return target.getChannelStatus(...args);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Chain;
}

export class World {
  readonly handles: NodeHandle[] = [];

  private constructor(
    readonly chain: SandboxChain,
    readonly dir: string,
  ) {}

  static async create(): Promise<World> {
    const dir = await mkdtemp(join(tmpdir(), 'synchannel-adv-'));
    return new World(await SandboxChain.create(), dir);
  }

  /** Starts a node (again, when `keyPair` and `name` are those of a stopped one: same data folder). */
  async node(name: string, o: { keyPair?: KeyPair; network?: 'sandbox' | 'devnet'; autoMode?: boolean; period?: number; minFreeBytes?: number; recoverAgainMs?: number; wrap?: (c: Chain) => Chain } = {}): Promise<NodeHandle> {
    const keyPair = o.keyPair ?? newKeyPair();
    const counter: ReadCounter = { reads: 0, statusReads: 0 };
    const dataDir = join(this.dir, name);
    const node = await createNode({
      network: o.network ?? 'sandbox',
      dataDir,
      chain: (o.wrap ?? ((c: Chain) => c))(counted(this.chain, counter)),
      key: { keyPair },
      autoMode: o.autoMode ?? true,
      challengePeriod: o.period ?? 120,
      pollMs: 100,
      ...(o.minFreeBytes !== undefined ? { minFreeBytes: o.minFreeBytes } : {}),
      ...(o.recoverAgainMs !== undefined ? { recoverAgainMs: o.recoverAgainMs } : {}),
    });
    const h: NodeHandle = { name, node, keyPair, dataDir, events: [], counter };
    node.on((e) => h.events.push(e));
    this.handles.push(h);
    return h;
  }

  /** `client` dials `server` (which serves on 127.0.0.1); resolves when both see each other. */
  async link(server: NodeHandle, client: NodeHandle): Promise<string> {
    const addr = server.node.served()?.lan[0] ?? (await server.node.serve(0, '127.0.0.1')).lan[0]!;
    const seen = waitForEvent(server.node, 'partnerConnected', (e) => e.partner.address === client.node.getAccount());
    await client.node.connect(addr);
    await seen;
    return addr;
  }

  /** A proposes `depA`/`depB`, B accepts with deposit, the contract locks and step 0 is signed by both. */
  async open(a: NodeHandle, b: NodeHandle, depA: bigint, depB: bigint): Promise<ChannelView> {
    const proposed = waitForEvent(b.node, 'channelProposed', (e) => e.channel.partnerAddress === a.node.getAccount());
    const view = await a.node.open({ myDeposit: depA, partnerDeposit: depB, partner: b.node.getAccount() });
    await proposed;
    const signedA = waitForEvent(a.node, 'stateSigned', (e) => e.channel.channelId === view.channelId && e.state.step === 0n, 60_000);
    const signedB = waitForEvent(b.node, 'stateSigned', (e) => e.channel.channelId === view.channelId && e.state.step === 0n, 60_000);
    await b.node.deposit(undefined, { channel: view.channelId });
    await signedA;
    await signedB;
    return a.node.channel(view.channelId)!;
  }

  /** `from` pays `amount` in `channel` (asking for the turn first if needed); resolves when both signed it. */
  async pay(from: NodeHandle, channel: string, amount: bigint): Promise<bigint> {
    const view = () => from.node.channel(channel)!;
    // The partner's automatic pass may be on its way: let it land before asking for the turn.
    await until(() => view().pending?.awaiting !== 'me', `${from.name} to countersign what is pending`);
    if (!view().myTurn) {
      await from.node.requestEmpty({ channel }).catch((e: { code?: string }) => {
        if (e.code !== 'ALREADY_YOUR_TURN') throw e;
      });
      await until(() => view().myTurn, `${from.name}'s turn in ${channel}`);
    }
    const signed = new Set<bigint>();
    const off = from.node.on((e) => {
      if (e.type === 'stateSigned' && e.channel.channelId === channel) signed.add(e.state.step);
    });
    try {
      const { step } = await from.node.send(amount, { channel });
      await until(() => signed.has(step), `step ${step} signed by both (${from.name})`);
      return step;
    } finally {
      off();
    }
  }

  /** The number of channel folders in a node's data folder. */
  static async folders(h: NodeHandle): Promise<number> {
    return (await readdir(join(h.dataDir, 'channels')).catch(() => [])).length;
  }

  /** Bytes in a channel's journal on disk. */
  static async journalBytes(h: NodeHandle, channelId: string): Promise<number> {
    return (await stat(join(h.dataDir, 'channels', channelId, 'journal.bin'))).size;
  }

  /** Latest step both signed as a node sees it (-1 before step 0). */
  static step(n: ChannelNodeApi, channel: string): bigint {
    return n.channel(channel)?.latest?.step ?? -1n;
  }

  /**
   * Runs `hold` before each message of `h`'s wallet reaches the chain (a slow endpoint, a busy chain; its signal is
   * the send's, which a stop ends). Returns what puts the chain back as it was.
   */
  slowWallet(h: NodeHandle, hold: (signal: AbortSignal) => Promise<void>): () => void {
    const chain = this.chain as unknown as { sendExternal: (m: Message, s: AbortSignal) => Promise<void> };
    const send = chain.sendExternal.bind(this.chain);
    const wallet = Address.parse(h.node.getAccount());
    chain.sendExternal = async (m, s) => {
      if (m.info.type === 'external-in' && m.info.dest.equals(wallet)) await hold(s);
      return send(m, s);
    };
    return () => void (chain.sendExternal = send);
  }

  async stop(h: NodeHandle): Promise<void> {
    await h.node.stop();
    this.handles.splice(this.handles.indexOf(h), 1);
  }

  async close(): Promise<void> {
    for (const h of [...this.handles]) await h.node.stop().catch(() => undefined);
    await this.chain.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Asserts that two nodes hold the same states both signed in a channel (steps, balances, both signatures). */
export async function assertSameHistory(x: ChannelNodeApi, y: ChannelNodeApi, channel: string): Promise<void> {
  // The last countersignature or automatic pass may still be on its way: wait until both hold the same latest.
  await until(() => World.step(x, channel) === World.step(y, channel) && !x.channel(channel)?.pending && !y.channel(channel)?.pending, 'both nodes to settle');
  const h = async (n: ChannelNodeApi) => (await n.showAll(channel)).filter((s) => s.committed).map((s) => `${s.step}:${s.balanceA}:${s.balanceB}:${s.sigA}:${s.sigB}`);
  assert.deepEqual(await h(x), await h(y));
}
