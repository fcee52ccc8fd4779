// Shared by the node tests: two real ChannelNodes on one SandboxChain over loopback libp2p.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { Address } from '@ton/core';
import { parseTon } from '../../src/core/amounts.js';
import type { KeyPair } from '../../src/core/signer.js';
import { newKeyPair } from '../../src/core/signer.js';
import type { Chain } from '../../src/chain/types.js';
import { createNode, waitForEvent, type ChannelNodeApi, type NodeConfig } from '../../src/node/index.js';

export const TON = (t: string) => parseTon(t);

export type TestNode = Awaited<ReturnType<typeof createNode>>;

export interface Pair {
  chain: SandboxChain;
  alice: TestNode;
  bob: TestNode;
  dir: string;
  keys: { alice: KeyPair; bob: KeyPair };
  /** the common options, to restart a node on the same data folder */
  common: Omit<NodeConfig, 'dataDir' | 'key'>;
}

/** `bobChain`: Bob's chain, or one made of the pair's (a wrapper of it). */
export type PairOptions = Partial<Omit<NodeConfig, 'dataDir' | 'key' | 'network'>> & { bob?: Partial<NodeConfig>; bobChain?: Chain | ((chain: SandboxChain) => Chain) };

export async function openPair(opts: PairOptions = {}): Promise<Pair> {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-node-'));
  const chain = await SandboxChain.create();
  const { bob: bobOpts, bobChain, ...rest } = opts;
  const common = { network: 'sandbox' as const, chain, autoMode: true, challengePeriod: 120, pollMs: 100, ...rest };
  const keys = { alice: newKeyPair(), bob: newKeyPair() };
  const bobsOwn = typeof bobChain === 'function' ? bobChain(chain) : bobChain;
  const alice = await createNode({ ...common, dataDir: join(dir, 'alice'), key: { keyPair: keys.alice } });
  const bob = await createNode({ ...common, ...(bobsOwn ? { chain: bobsOwn } : {}), ...bobOpts, dataDir: join(dir, 'bob'), key: { keyPair: keys.bob } });
  await connect(alice, bob);
  return { chain, alice, bob, dir, keys, common };
}

export async function connect(server: ChannelNodeApi, client: ChannelNodeApi): Promise<void> {
  const me = Address.parse(client.getAccount());
  // a client connected already (by its redial at start) keeps its live session: its connect makes no new one to tell
  if (server.partners().some((x) => x.online && Address.parse(x.address).equals(me))) {
    await client.connect((server.served() ?? (await server.serve(0, '127.0.0.1'))).lan[0]!);
    return;
  }
  const connected = waitForEvent(server, 'partnerConnected');
  const served = server.served() ?? (await server.serve(0, '127.0.0.1'));
  await client.connect(served.lan[0]!);
  await connected;
}

export async function closePair(p: Pair): Promise<void> {
  await p.alice.stop().catch(() => undefined);
  await p.bob.stop().catch(() => undefined);
  await p.chain.close();
  await rm(p.dir, { recursive: true, force: true });
}

/** A proposes (3/4 TON by default), B accepts with deposit(), the contract locks, step 0 gets signed by both. */
export async function fund(p: Pair, o: { manualSign?: boolean; a?: string; b?: string } = {}): Promise<void> {
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON(o.a ?? '3'), partnerDeposit: TON(o.b ?? '4') });
  await proposed;
  const initial = waitForEvent(p.bob, 'stateReceived', (e) => e.state.step === 0n, 60_000);
  const aliceSigned = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 0n, 60_000);
  await p.bob.deposit();
  await initial;
  if (o.manualSign) await p.bob.sign();
  await aliceSigned;
}

export function latest(n: ChannelNodeApi) {
  const c = n.currentChannel();
  assert.ok(c?.latest, 'a signed state');
  return c.latest;
}

/** Resolves when `fn` returns something truthy (polled), or fails after `timeoutMs` saying what it waited for. */
export async function until<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ten years in seconds: a sandbox chain aged by it makes every idle account owe a storage fee worth saying. */
export const TEN_YEARS = 10 * 365 * 86400;

/** Alice proposes a 1 + 1 TON channel that Bob has; then the chain ages ten years (a storage fee is due). */
export async function proposedThenAged(p: Pair): Promise<void> {
  const proposed = waitForEvent(p.bob, 'channelProposed');
  await p.alice.open({ myDeposit: TON('1'), partnerDeposit: TON('1') });
  await proposed;
  p.chain.advanceTime(TEN_YEARS);
}

/** Funded with Bob signing by hand; Bob passes the turn: Alice's is the next state. */
export async function aliceHasTheTurn(p: Pair): Promise<void> {
  await fund(p, { manualSign: true });
  const passed = waitForEvent(p.alice, 'stateSigned', (e) => e.state.step === 1n);
  await p.bob.createEmpty();
  await passed;
}

/**
 * aliceHasTheTurn, then Alice withdraws while Bob, signing by hand, is slow: her withdraw falls back to a unilateral
 * close (with `challengePeriod: 3600` in openPair, its window is an hour); Bob holds her close state, unsigned.
 */
export async function aliceFellBack(p: Pair): Promise<void> {
  await aliceHasTheTurn(p);
  const asked = waitForEvent(p.bob, 'stateReceived', (e) => e.state.tag === 'close', 10_000);
  const r = await p.alice.withdraw({});
  await asked;
  assert.deepEqual([r.mode, r.fellBack], ['unilateral', true]);
}
