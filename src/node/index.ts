// The node's composition root helpers: one call builds a ChannelNode from a config (key, chain, p2p, store).
// Its callers: the CLI, the extension's node adapter (on first use) and the teaching demo (src/node/demo.ts).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyPair } from '../core/signer.js';
import { keyPairFromSeed } from '../core/signer.js';
import { addressText } from '../core/format.js';
import { TonClientChain } from '../chain/TonClientChain.js';
import { ADDR_FILE, KEY_FILE, keyPairFromMnemonic, newKey, readKeyFolder, walletOwnsAddress, writeKeyFolder, type WalletVersion } from '../chain/keys.js';
import { KeyError } from '../chain/errors.js';
import type { Chain } from '../chain/types.js';
import { P2PNode } from '../p2p/index.js';
import { ChannelNode } from './ChannelNode.js';
import { NodeError } from './errors.js';
import { tunablesOf, type NodeTunables } from './context.js';
import { CONTRACT_MIN_PERIOD, MAX_PERIOD, minChallengePeriod } from './policy.js';
import { DataDir } from './store/index.js';
import { lookAtRecords, type LookedAt } from './store/look.js';
import type { ChannelNodeApi, NetworkKind } from './types.js';
import { RECORD_LOST, startsNode, UNREADABLE } from './uiRules.js';

export { ChannelNode, NodeError } from './ChannelNode.js';
export type * from './types.js';
export { createTeachingDemo, waitForEvent, type TeachingDemo, type DemoStep } from './demo.js';
export { lockHeld, makeFolders } from './store/index.js';

export type KeySource =
  | { mnemonic: string[] }
  | { seed: Buffer }
  | { keyPair: KeyPair }
  /** the original key folder (wallet.pk + wallet.addr); created with a new key when `create` is set and it is empty */
  | { keyFolder: string; create?: boolean };

export interface NodeConfig extends NodeTunables {
  network: NetworkKind;
  dataDir: string;
  key: KeySource;
  devnetUrl?: string;
  testnetEndpoint?: string;
  apiKey?: string;
  /** testnet: requests a second at most to the endpoint (default 1 without an API key, 10 with one: toncenter's) */
  requestsPerSecond?: number;
  /** a chain shared with other nodes of this process (the teaching demo's sandbox); default: a new one */
  chain?: Chain;
  /** sandbox only: keep the embedded chain in this file, so its channels survive a restart (default: in memory) */
  sandboxFile?: string;
  /** addresses to announce as WAN multiaddrs */
  announce?: string[];
  log?: (line: string) => void;
}

export interface ResolvedKey {
  keyPair: KeyPair;
  version?: WalletVersion;
  created?: boolean;
}

export async function resolveKey(src: KeySource): Promise<ResolvedKey> {
  if ('mnemonic' in src) return { keyPair: await keyPairFromMnemonic(src.mnemonic) };
  if ('seed' in src) return { keyPair: keyPairFromSeed(src.seed) };
  if ('keyPair' in src) return { keyPair: src.keyPair };
  try {
    const f = await readKeyFolder(src.keyFolder);
    return { keyPair: f.keyPair, version: f.version };
  } catch (e) {
    if (!src.create || (e as { code?: string }).code !== 'KEY_FOLDER_MISSING') throw e;
    // A folder with one of the two files is not an empty one: a new key is not made there (it would be refused next
    // to an old wallet.pk, and would pair with another wallet's wallet.addr). Say which file is missing and what to do.
    const dir = src.keyFolder;
    const [pk, addr] = await Promise.all([KEY_FILE, ADDR_FILE].map((f) => stat(join(dir, f)).then(() => true, () => false)));
    if (pk && !addr) {
      throw new KeyError(
        'KEY_FILE_BAD',
        `${join(dir, ADDR_FILE)} is missing next to ${join(dir, KEY_FILE)}: copy ${ADDR_FILE} from where the key came from (the folder of the original tool that made it), ` +
          `or write there the 36-byte address of the key's wallet (32-byte account hash, then the 4-byte workchain); this node does not make a new key next to it (it may hold coins)`,
      );
    }
    if (addr && !pk) {
      throw new KeyError(
        'KEY_FILE_BAD',
        `${join(dir, KEY_FILE)} is missing next to ${join(dir, ADDR_FILE)}: copy ${KEY_FILE} (the wallet's raw 32-byte private key) from where ${ADDR_FILE} came from, ` +
          `or move ${ADDR_FILE} away to start with a new key; this node does not make a new key next to another wallet's address`,
      );
    }
    const f = await writeKeyFolder(src.keyFolder, newKey());
    return { keyPair: f.keyPair, version: f.version, created: true };
  }
}

/** The chain of a network: the sandbox loads lazily (#heavy: ~15 MB of wasm), the others go through TonClient. */
export async function openChain(config: Pick<NodeConfig, 'network' | 'devnetUrl' | 'testnetEndpoint' | 'apiKey' | 'sandboxFile' | 'requestsPerSecond'>): Promise<Chain> {
  if (config.network === 'sandbox') {
    const heavy = await import('#heavy');
    return heavy.SandboxChain.create(config.sandboxFile ? { persistFile: config.sandboxFile } : {});
  }
  const endpoint = config.network === 'devnet' ? config.devnetUrl : config.testnetEndpoint;
  const rps = config.network === 'testnet' ? config.requestsPerSecond : undefined;
  return new TonClientChain({ kind: config.network, ...(endpoint ? { endpoint } : {}), ...(config.apiKey ? { apiKey: config.apiKey } : {}), ...(rps ? { requestsPerSecond: rps } : {}) });
}

/** A key as compared without a node: its public key (hex) and the wallet (as views show it). */
export interface KeyFacts {
  publicKey: string;
  account: string;
}

/**
 * A channel of a data folder read without a node: its phase, this party's key, its side, the partner's wallet and
 * its contract (its id in the views), each null when its record does not say.
 */
export interface ChannelKey {
  contract: string | null;
  phase: string;
  key: KeyFacts | null;
  me: 'A' | 'B' | null;
  partner: string | null;
}

/** A record's party, its key and wallet, as far as the record says (any may be missing in an old or broken one). */
interface OwnKeyRecord {
  life?: string;
  phase?: string;
  me?: 'A' | 'B';
  addressA?: string;
  addressB?: string;
  publicKeyA?: Uint8Array;
  publicKeyB?: Uint8Array;
  contract?: string;
}

/**
 * Each channel of a data folder, without starting a node: its phase ('unreadable' for a channel whose record cannot
 * be read: it may still hold money, and a node rebuilds it; 'record lost' with no record and no state to rebuild it
 * from: neither is closed) and this party's key and wallet (null when its record does not say). null when
 * it cannot tell (another process holds the folder).
 */
export async function channelKeys(dataDir: string): Promise<ChannelKey[] | null> {
  // read without the folder's lock (a node starting meanwhile is not refused); what needs repairs is opened
  const looked = await lookAtRecords(dataDir).catch(() => 'held' as const);
  if (looked === 'held') return null;
  const records = looked === 'repairs' ? await openedRecords(dataDir) : looked;
  return records?.map(({ record, lost }) => ownKey(record as OwnKeyRecord | null, lost === true)) ?? null;
}

/** The records of a folder that needs a node's repairs (migration, an import to move in): opened, with its lock. */
async function openedRecords(dataDir: string): Promise<LookedAt | null> {
  let data: DataDir;
  try {
    data = await DataDir.open(dataDir);
  } catch {
    return null;
  }
  try {
    const out: LookedAt = [];
    for (const { id, error } of await data.list()) {
      const storage = await data.channel(id);
      const record = error ? null : await storage.readRecord().catch(() => undefined);
      // no record and no state: nothing a node rebuilds it from
      const lost = record === null && (await storage.loadHead().then((h) => !h.latest && !h.staged, () => false));
      out.push({ id, record: record ?? null, ...(lost ? { lost: true as const } : {}) });
    }
    return out;
  } finally {
    await data.close();
  }
}

function ownKey(rec: OwnKeyRecord | null, lost: boolean): ChannelKey {
  const key = rec?.me === 'A' ? rec.publicKeyA : rec?.publicKeyB;
  const address = rec?.me === 'A' ? rec.addressA : rec?.addressB;
  const own = rec?.me && key && address ? { publicKey: Buffer.from(key).toString('hex'), account: addressText(address, 'wallet') } : null;
  const partner = rec?.me === 'A' ? rec.addressB : rec?.addressA;
  return { contract: rec?.contract ? addressText(rec.contract, 'contract') : null, phase: rec?.life ?? rec?.phase ?? (lost ? RECORD_LOST : UNREADABLE), key: own, me: rec?.me ?? null, partner: rec?.me && partner ? addressText(partner, 'wallet') : null };
}

/** The phases of the channels a data folder holds (channelKeys); null when it cannot tell. */
export async function channelPhases(dataDir: string): Promise<string[] | null> {
  return (await channelKeys(dataDir))?.map((k) => k.phase) ?? null;
}

/**
 * Whether a data folder holds channels the node must start for (money in a contract, a deployment under way, a
 * record that cannot be read: startsNode; not B's acceptance waiting for the deployment), without starting a node:
 * the extension starts its node at start-up when it does. null when it cannot tell (another process holds it).
 */
export async function hasLiveChannels(dataDir: string): Promise<boolean | null> {
  const keys = await channelKeys(dataDir);
  return keys === null ? null : keys.some((k) => startsNode(k.phase, k.me));
}

/** Builds and starts a node: key, chain, wallet, p2p identity (persisted in dataDir), store recovery, watchers. */
export async function createNode(config: NodeConfig): Promise<ChannelNodeApi & { chain: Chain; node: ChannelNode; keyCreated: boolean }> {
  checkConfig(config);
  // The data folder is locked first: a second node on the same folder stops here, before touching anything.
  const data = await DataDir.open(config.dataDir);
  let chain: Chain | undefined;
  let p2p: P2PNode | undefined;
  let node: ChannelNode;
  let keyCreated = false;
  try {
    const key = await resolveKey(config.key);
    keyCreated = key.created === true;
    chain = config.chain ?? (await openChain(config));
    const wallet = await chain.openWallet(key.keyPair, key.version ? { version: key.version } : {});
    p2p = await P2PNode.create({
      dataDir: join(config.dataDir, 'p2p'),
      walletAddress: wallet.address,
      walletKey: key.keyPair,
      channelPublicKey: key.keyPair.publicKey,
      verifyWalletOwnership: (publicKey, address) => walletOwnsAddress(publicKey, address) !== null,
      ...(config.announce ? { announce: config.announce } : {}),
    });
    node = await ChannelNode.start(
      {
        network: config.network,
        dataDir: config.dataDir,
        chain,
        wallet,
        key: key.keyPair,
        p2p,
        ...tunablesOf(config),
        autoMode: config.autoMode ?? true,
      },
      data,
    );
    const theNode = node;
    p2p.setIsPartner((wallet) => theNode.isPartner(wallet));
  } catch (e) {
    await p2p?.stop().catch(() => undefined);
    if (chain && !config.chain) await chain.close().catch(() => undefined);
    await data.close().catch(() => undefined);
    throw e;
  }
  if (config.log) {
    const log = config.log;
    node.on((e) => {
      if (e.type === 'log') log(`${e.level}: ${e.message}`);
      else if (e.type === 'error') log(`error [${e.code}]: ${e.message}`);
    });
  }
  const ownsChain = !config.chain;
  const theChain = chain;
  return Object.assign(node, {
    chain: theChain,
    node,
    /** this start made a new key in the key folder (a new or mistyped folder) */
    keyCreated,
    stop: async () => {
      await ChannelNode.prototype.stop.call(node);
      if (ownsChain) await theChain.close();
    },
  });
}

/** What an operator typed, checked before anything is created: periods the node and the contract accept, URLs. */
function checkConfig(c: NodeConfig): void {
  // A period below the node's minimum is PERIOD_TOO_SHORT (as at open); anything else out of range is BAD_INPUT.
  const check = (v: number | undefined, flag: string, lo: number, short: boolean) => {
    if (v === undefined) return;
    if (!Number.isInteger(v)) throw new NodeError('BAD_INPUT', `${flag} takes a whole number of seconds (${lo}..${MAX_PERIOD}), e.g. ${flag} 3600`);
    if (v >= lo && v <= MAX_PERIOD) return;
    const why = short && v < lo ? ` on ${c.network}: a stale close would be final before a watcher could act` : '';
    throw new NodeError(why ? 'PERIOD_TOO_SHORT' : 'BAD_INPUT', `${flag} ${v} is outside ${lo}..${MAX_PERIOD} seconds${why}`);
  };
  check(c.minChallengePeriod, '--min-period', CONTRACT_MIN_PERIOD, false);
  check(c.challengePeriod, '--period', minChallengePeriod({ network: c.network, ...(c.minChallengePeriod !== undefined ? { minChallengePeriod: c.minChallengePeriod } : {}) }), true);
  const free = c.minFreeBytes;
  if (free !== undefined && (!Number.isFinite(free) || free < 0)) {
    throw new NodeError('BAD_INPUT', `--min-free-mib takes a number of MiB, 0 or more (0: no floor), e.g. --min-free-mib 64; got ${String(free / 1024 / 1024)}`);
  }
  const rps = c.requestsPerSecond;
  if (rps !== undefined && (typeof rps !== 'number' || !Number.isFinite(rps) || rps <= 0 || rps > 1000)) {
    const what = '--requests-per-second (VS Code: synchannel.testnetRequestsPerSecond)';
    throw new NodeError('BAD_INPUT', `${what} takes a number above 0 and at most 1000 (what your toncenter plan allows), e.g. 10; got ${String(rps)}`);
  }
  for (const url of [c.network === 'devnet' ? c.devnetUrl : undefined, c.network === 'testnet' ? c.testnetEndpoint : undefined]) {
    if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url)) throw new NodeError('BAD_INPUT', `"${url}" is not an http(s) URL: give the address the devnet printed (e.g. http://127.0.0.1:8081) or a toncenter endpoint`);
  }
}
