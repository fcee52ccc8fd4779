// The user's node's configuration from the settings, per network.
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NetworkKind } from '../node/types.js';
import { periodsFor } from '../node/periods.js';
import type { KeyStore } from './keys.js';
import { multiaddr, type NodeConfig } from './nodeFactory.js';
import { settingFolder } from './util.js';

/** synchannel.dataDir ("~" expanded), or null when it is not set. */
function customDir(): { path: string; problem?: string } | null {
  const custom = vscode.workspace.getConfiguration('synchannel').get<string>('dataDir', '').trim();
  return custom ? settingFolder(custom, homedir()) : null;
}

/** A network's data folder: under synchannel.dataDir, else under the extension's storage `storage`. */
export function dataDirOf(network: NetworkKind, storage: string): string {
  return join(customDir()?.path ?? storage, network);
}

/** What is wrong with synchannel.dataDir (a relative path: the node does not start on it), or null. */
export function dataDirProblem(): string | null {
  const p = customDir()?.problem;
  return p ? `synchannel.dataDir ${p}` : null;
}

/** `leftOut`: a setting this network does not take, said in words (the node starts without it). */
export async function nodeConfig(network: NetworkKind, dataDir: string, keys: KeyStore, devnetUrl: string | null, leftOut: (why: string) => void): Promise<NodeConfig> {
  const cfg = vscode.workspace.getConfiguration('synchannel');
  // The node's log and error events reach the output channel through the host's attach(), once: no `log` here.
  const config: NodeConfig = { network, dataDir, key: await keys.keyFor(network, dataDir), autoMode: cfg.get<boolean>('autoPassTurn', true) };
  // Kept across networks: a period this network does not take is left out (and said), never a node that cannot
  // start and watch its channels.
  const periods = periodsFor(network, cfg.get<number>('challengePeriod', 0), cfg.get<number>('minChallengePeriod', 0));
  if (periods.challengePeriod !== undefined) config.challengePeriod = periods.challengePeriod;
  if (periods.minChallengePeriod !== undefined) config.minChallengePeriod = periods.minChallengePeriod;
  for (const why of periods.ignored) leftOut(why);
  const announce: string[] = [];
  for (const a of cfg.get<unknown[]>('announce', [])) {
    const ok = typeof a === 'string' && (await multiaddr(a.trim()).then((m) => m.getComponents().some((c) => c.name === 'tcp'), () => false));
    if (ok) announce.push(a.trim());
    else leftOut(`synchannel.announce: ${JSON.stringify(a)} is not a TCP multiaddr (e.g. /ip4/203.0.113.7/tcp/3000): Serve does not offer it`);
  }
  if (announce.length) config.announce = announce;
  config.minFreeBytes = cfg.get<number>('minFreeMiB', 32) * 1024 * 1024;
  if (network === 'sandbox') config.sandboxFile = join(dataDir, 'sandbox-chain.json');
  if (network === 'devnet') config.devnetUrl = devnetUrl ?? cfg.get<string>('devnetUrl', 'http://127.0.0.1:8081');
  if (network === 'testnet') {
    config.testnetEndpoint = cfg.get<string>('testnetEndpoint', 'https://testnet.toncenter.com/api/v2/jsonRPC');
    const apiKey = await keys.apiKey();
    if (apiKey) config.apiKey = apiKey;
    const rps = cfg.get<number>('testnetRequestsPerSecond', 0);
    if (rps > 0) config.requestsPerSecond = rps;
  }
  return config;
}
