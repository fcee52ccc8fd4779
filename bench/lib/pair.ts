// Two real ChannelNodes in this process on one embedded chain (@ton/sandbox), over loopback libp2p, with one
// channel opened through the whole protocol (propose, deposits, lock, the initial state signed by both).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxChain } from '../../src/chain/SandboxChain.js';
import { parseTon } from '../../src/core/amounts.js';
import { newKeyPair, type KeyPair } from '../../src/core/signer.js';
import { createNode, waitForEvent } from '../../src/node/index.js';

export type BenchNode = Awaited<ReturnType<typeof createNode>>;

export interface Pair {
  dir: string;
  chain: SandboxChain;
  alice: BenchNode;
  bob: BenchNode;
  keys: { alice: KeyPair; bob: KeyPair };
  /** the channel id of the channel opened (decimal) */
  channel: string;
  close(): Promise<void>;
}

/** Alice opens a channel of 1 TON (hers) + 100 TON (Bob's); Bob pays from his side. */
export async function openPair(o: { autoMode?: boolean } = {}): Promise<Pair> {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-bench-'));
  const chain = await SandboxChain.create();
  // pollMs: the chain is read after each of our own transactions anyway; polling is not what is measured.
  const common = { network: 'sandbox' as const, chain, autoMode: o.autoMode ?? true, pollMs: 2000 };
  const keys = { alice: newKeyPair(), bob: newKeyPair() };
  const alice = await createNode({ ...common, dataDir: join(dir, 'alice'), key: { keyPair: keys.alice } });
  const bob = await createNode({ ...common, dataDir: join(dir, 'bob'), key: { keyPair: keys.bob } });
  const close = async () => {
    await alice.stop().catch(() => undefined);
    await bob.stop().catch(() => undefined);
    await chain.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const connected = waitForEvent(alice, 'partnerConnected');
    const served = await alice.serve(0, '127.0.0.1');
    await bob.connect(served.lan[0]!);
    await connected;
    const proposed = waitForEvent(bob, 'channelProposed');
    const view = await alice.open({ myDeposit: parseTon('1'), partnerDeposit: parseTon('100') });
    await proposed;
    const open = waitForEvent(bob, 'stateSigned', (e) => e.state.step === 0n, 60_000);
    await bob.deposit(undefined, { channel: view.channelId });
    await open;
    return { dir, chain, alice, bob, keys, channel: view.channelId, close };
  } catch (e) {
    await close();
    throw e;
  }
}
