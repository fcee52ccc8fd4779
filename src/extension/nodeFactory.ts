// The one adapter between the extension and the node layer (src/node/index.ts): a change of the node's exports
// touches only this file and nodeBundle.ts.
// Nothing of the node loads at activation: libp2p, @ton/*, the store and the helpers below come from dist/node.js
// (src/extension/nodeBundle.ts), required on first use through `import('#node')`; the sandbox emulator loads
// later still, from dist/heavy.js. Keep it so: esbuild.mjs refuses those packages in dist/extension.js.
import type { Multiaddr } from '@multiformats/multiaddr';
import type { ChannelNodeApi, NetworkKind } from '../node/types.js';
import type { ChannelKey, KeyFacts } from '../node/index.js';

export interface NodeConfig {
  network: NetworkKind;
  dataDir: string;
  key: { mnemonic: string[] } | { seed: Buffer } | { keyFolder: string };
  devnetUrl?: string;
  testnetEndpoint?: string;
  apiKey?: string;
  /** testnet: requests a second at most to the endpoint (absent: toncenter's limit for the key, or without one) */
  requestsPerSecond?: number;
  autoMode?: boolean;
  /** sandbox: the embedded chain is kept in this file, so channels survive a window reload */
  sandboxFile?: string;
  /** seconds: the challenge period of channels this node opens */
  challengePeriod?: number;
  /** seconds: the shortest challenge period accepted from a partner */
  minChallengePeriod?: number;
  /** bytes the data folder's disk keeps free: under it no new payment state is signed (0: no floor) */
  minFreeBytes?: number;
  /** public multiaddrs Serve offers (synchannel.announce) */
  announce?: string[];
}

export interface TeachingDemoStep {
  id: (typeof DEMO_STEP_IDS)[number];
  title: string;
  run(): Promise<string>;
}

export interface TeachingDemo {
  alice: ChannelNodeApi;
  bob: ChannelNodeApi;
  steps: TeachingDemoStep[];
  /** the ids of the steps run so far */
  done: ReadonlySet<string>;
  /** runs a step: refuses one already run, or one whose earlier steps have not run */
  runStep(id: TeachingDemoStep['id']): Promise<string>;
  advanceTime(seconds: number): Promise<void> | void;
  stop(): Promise<void>;
}

export interface DevnetServer {
  url: string;
  stop(): Promise<void>;
}

/** The demo step ids the walkthrough shows, in order (the node's createTeachingDemo defines them). */
export const DEMO_STEP_IDS = [
  'connect',
  'deploy',
  'deposit',
  'signInitial',
  'send',
  'requestTurn',
  'passTurn',
  'staleClose',
  'challenge',
  'finishClose',
] as const;

type NodeBundle = typeof import('#node');

let loaded: Promise<NodeBundle> | null = null;
/** dist/node.js, required once; a failed load is tried again on the next use. */
function load(): Promise<NodeBundle> {
  loaded ??= import('#node').catch((err: unknown) => {
    loaded = null;
    throw err;
  });
  return loaded;
}

export async function createNode(config: NodeConfig): Promise<ChannelNodeApi> {
  const mod = await load();
  return mod.createNode(config);
}

export async function createTeachingDemo(opts: { dataDir: string }): Promise<TeachingDemo> {
  const mod = await load();
  return mod.createTeachingDemo(opts);
}

/**
 * Starts the shared local chain (devnet) inside this extension host, on 127.0.0.1. The devnet server holds a
 * sandbox chain, so it is reached only through the heavy bundle, which the node bundle loads on first use.
 */
export async function startDevnet(opts: { port: number; dataDir: string; log?: (line: string) => void }): Promise<DevnetServer> {
  const mod = await load();
  const server = await mod.startDevnet({ port: opts.port, host: '127.0.0.1', dataDir: opts.dataDir, ...(opts.log ? { log: opts.log } : {}) });
  return { url: server.url, stop: () => server.close() };
}

/**
 * Whether a data folder holds channels that are open or closing (money to watch), read without starting a node;
 * null when it cannot tell (another process holds the folder). Loads the node bundle.
 */
export async function hasLiveChannels(dataDir: string): Promise<boolean | null> {
  return (await load()).hasLiveChannels(dataDir);
}

/** Whether a live process holds a data folder, read without taking its lock. Loads the node bundle. */
export async function dataDirHeld(dataDir: string): Promise<boolean> {
  return (await load()).lockHeld(dataDir);
}

/** The phases of a data folder's channels, read without starting a node; null when another process holds it. */
export async function channelPhases(dataDir: string): Promise<string[] | null> {
  return (await load()).channelPhases(dataDir);
}

export type { ChannelKey, KeyFacts } from '../node/index.js';

/** The phases and own keys of a data folder's channels, read without starting a node; null when another process holds it. */
export async function channelKeys(dataDir: string): Promise<ChannelKey[] | null> {
  return (await load()).channelKeys(dataDir);
}

/** The key of 24 words (throws on words that are not a TON mnemonic). */
export async function mnemonicKey(words: string[]): Promise<KeyFacts> {
  return (await load()).mnemonicKey(words);
}

/** A key folder checked as the node checks it at its start: throws KEY_FOLDER_MISSING, KEY_FILE_BAD or KEY_ADDRESS_MISMATCH. */
export async function keyFolderKey(dir: string): Promise<KeyFacts> {
  return (await load()).keyFolderKey(dir);
}

/** A new TON mnemonic (@ton/crypto). */
export async function mnemonicNew(wordCount = 24): Promise<string[]> {
  return (await load()).mnemonicNew(wordCount);
}

/** The words of a mnemonic as typed (any case, spaces or commas) normalised, and what is wrong with them (null: a valid TON mnemonic). */
export async function checkMnemonic(text: string): Promise<{ words: string[]; problem: string | null }> {
  return (await load()).checkMnemonic(text);
}

/** Parses a multiaddr; throws on a malformed one. */
export async function multiaddr(text: string): Promise<Multiaddr> {
  return (await load()).multiaddr(text);
}

/** Throws the node's BAD_MULTIADDR / MISSING_PEER_ID unless `text` is one address to dial (quotes and spaces of a paste, the peer id). */
export async function checkDialAddress(text: string): Promise<void> {
  return (await load()).checkDialPeerId(text);
}

/** An explorer link for a TON address or a transaction hash; null for anything else. */
export async function explorerLink(target: string, network: 'testnet' | 'mainnet' = 'testnet'): Promise<string | null> {
  return (await load()).explorerLink(target, network);
}
