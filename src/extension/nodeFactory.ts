// The one adapter between the extension and the node layer (src/node/index.ts, written by the node engineer).
// If the node's final export names differ, only this file changes.
// The node module (libp2p, @ton/ton, the store) is evaluated on first use through a dynamic import, never on
// activation; the sandbox emulator loads even later, inside the node, through `import('#heavy')`.
import type { ChannelNodeApi, NetworkKind } from '../node/types.js';

export interface NodeConfig {
  network: NetworkKind;
  dataDir: string;
  key: { mnemonic: string[] } | { seed: Buffer } | { keyFolder: string };
  devnetUrl?: string;
  testnetEndpoint?: string;
  apiKey?: string;
  autoMode?: boolean;
  log?: (line: string) => void;
}

export interface TeachingDemoStep {
  id: string;
  title: string;
  run(): Promise<string>;
}

export interface TeachingDemo {
  alice: ChannelNodeApi;
  bob: ChannelNodeApi;
  steps: TeachingDemoStep[];
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

type NodeModule = typeof import('../node/index.js');

let loaded: Promise<NodeModule> | null = null;
function load(): Promise<NodeModule> {
  loaded ??= import('../node/index.js');
  return loaded;
}

export async function createNode(config: NodeConfig): Promise<ChannelNodeApi> {
  const mod = await load();
  return mod.createNode(config);
}

export async function createTeachingDemo(opts: { dataDir: string; log?: (line: string) => void }): Promise<TeachingDemo> {
  const mod = await load();
  return mod.createTeachingDemo(opts);
}

/**
 * Starts the shared local chain (devnet) inside this extension host, on 127.0.0.1. The devnet server holds a
 * sandbox chain, so it is reached only through the heavy bundle (`#heavy`), loaded on first use.
 */
export async function startDevnet(opts: { port: number; dataDir: string; log?: (line: string) => void }): Promise<DevnetServer> {
  const heavy = await import('#heavy');
  const server = await heavy.startDevnet({ port: opts.port, host: '127.0.0.1', dataDir: opts.dataDir, ...(opts.log ? { log: opts.log } : {}) });
  return { url: server.url, stop: () => server.close() };
}
