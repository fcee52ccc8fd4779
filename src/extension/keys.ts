// The keys of each network and the testnet API key, in VS Code's secret storage (a key folder is remembered by its
// path): an imported mnemonic, a key folder, or a seed created once for sandbox and devnet.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ended } from '../node/uiRules.js';
import type { NetworkKind } from '../node/types.js';
import { channelKeys, type ChannelKey, type NodeConfig } from './nodeFactory.js';
import { ExtensionError, type Redactor } from './util.js';

const SECRET = {
  mnemonic: (n: NetworkKind) => `synchannel.${n}.mnemonic`,
  seed: (n: NetworkKind) => `synchannel.${n}.seed`,
  apiKey: 'synchannel.testnet.apiKey',
};
const KEY_FOLDER = (n: NetworkKind) => `synchannel.${n}.keyFolder`;
const ACCOUNT = (n: NetworkKind) => `synchannel.${n}.account`;

export class KeyStore {
  constructor(
    private readonly ctx: vscode.ExtensionContext,
    private readonly redactor: Redactor,
    private readonly log: (line: string) => void,
  ) {}

  /** Whether this network has a key (sandbox and devnet always can: one is created on first use). */
  async hasKey(network: NetworkKind): Promise<boolean> {
    return network !== 'testnet' || this.hasStoredKey(network);
  }

  /** Whether a key of this network is stored (a mnemonic, a key folder or a seed made on first use). */
  async hasStoredKey(network: NetworkKind): Promise<boolean> {
    return !!(this.ctx.globalState.get<string>(KEY_FOLDER(network)) || (await this.ctx.secrets.get(SECRET.mnemonic(network))) || (await this.ctx.secrets.get(SECRET.seed(network))));
  }

  /**
   * The key of this network: an imported mnemonic, a key folder, or a seed (created once for sandbox/devnet). A
   * new seed is never made while the network's data folder holds channels that are not closed: they were made
   * with a key that is gone from the secret storage, and a new one would not open them.
   */
  async keyFor(network: NetworkKind, dataDir?: string): Promise<NodeConfig['key']> {
    const words = await this.ctx.secrets.get(SECRET.mnemonic(network));
    if (words) {
      const mnemonic = JSON.parse(words) as string[];
      this.redactor.add(mnemonic.join(' '));
      return { mnemonic };
    }
    const folder = this.ctx.globalState.get<string>(KEY_FOLDER(network));
    if (folder) return { keyFolder: folder };
    let seedHex = await this.ctx.secrets.get(SECRET.seed(network));
    if (!seedHex) {
      if (network === 'testnet') {
        // a testnet folder with channels of a lost key: import that key (a new one would not open them)
        await refuseNewKey(network, dataDir);
        throw new ExtensionError('NO_KEY', 'no key for testnet yet: create a key or import one (a mnemonic or a key folder), then fund its wallet');
      }
      await refuseNewKey(network, dataDir);
      seedHex = randomBytes(32).toString('hex');
      await this.ctx.secrets.store(SECRET.seed(network), seedHex);
      this.log(`created a new ${network} key (kept in VS Code's secret storage)`);
    }
    this.redactor.add(seedHex);
    return { seed: Buffer.from(seedHex, 'hex') };
  }

  /** The account the network's node last ran with: the key of the channels its data folder holds. */
  lastAccount(network: NetworkKind): string | undefined {
    return this.ctx.globalState.get<string>(ACCOUNT(network));
  }

  async rememberAccount(network: NetworkKind, account: string): Promise<void> {
    if (this.lastAccount(network) !== account) await this.ctx.globalState.update(ACCOUNT(network), account);
  }

  /** Test mode: forgets an imported key folder (the seed or mnemonic is the key again). */
  async forgetKeyFolder(network: NetworkKind): Promise<void> {
    await this.ctx.globalState.update(KEY_FOLDER(network), undefined);
  }

  /** Test mode: replaces (or removes) the stored mnemonic of a network, as a lost secret storage would; returns the one it had. */
  async replaceMnemonic(network: NetworkKind, words: string[] | undefined): Promise<string[] | undefined> {
    const had = await this.ctx.secrets.get(SECRET.mnemonic(network));
    if (words) await this.ctx.secrets.store(SECRET.mnemonic(network), JSON.stringify(words));
    else await this.ctx.secrets.delete(SECRET.mnemonic(network));
    return had ? (JSON.parse(had) as string[]) : undefined;
  }

  /** Test mode: replaces (or removes) the stored seed of a network; returns the one it had. */
  async replaceSeed(network: NetworkKind, seedHex: string | undefined): Promise<string | undefined> {
    const had = await this.ctx.secrets.get(SECRET.seed(network));
    if (seedHex) await this.ctx.secrets.store(SECRET.seed(network), seedHex);
    else await this.ctx.secrets.delete(SECRET.seed(network));
    return had;
  }

  async apiKey(): Promise<string | undefined> {
    const k = await this.ctx.secrets.get(SECRET.apiKey);
    if (k) this.redactor.add(k);
    return k || undefined;
  }

  /** What the network's key is, for a person asking to see it: its words, a key folder, a seed made here, or none. */
  async kind(network: NetworkKind): Promise<{ words: string[] } | { keyFolder: string } | 'seed' | null> {
    const words = await this.ctx.secrets.get(SECRET.mnemonic(network));
    if (words) return { words: JSON.parse(words) as string[] };
    const folder = this.ctx.globalState.get<string>(KEY_FOLDER(network));
    if (folder) return { keyFolder: folder };
    return (await this.ctx.secrets.get(SECRET.seed(network))) ? 'seed' : null;
  }

  async storeMnemonic(network: NetworkKind, words: string[]): Promise<void> {
    this.redactor.add(words.join(' '));
    await this.ctx.secrets.store(SECRET.mnemonic(network), JSON.stringify(words));
    await this.ctx.globalState.update(KEY_FOLDER(network), undefined);
  }

  async storeKeyFolder(network: NetworkKind, folder: string): Promise<void> {
    await this.ctx.secrets.delete(SECRET.mnemonic(network));
    await this.ctx.globalState.update(KEY_FOLDER(network), folder);
  }

  async storeApiKey(key: string): Promise<void> {
    if (key) {
      this.redactor.add(key);
      await this.ctx.secrets.store(SECRET.apiKey, key);
    } else await this.ctx.secrets.delete(SECRET.apiKey);
  }
}

/** The wallets the channels that are not closed were made with, in words ('' when their records do not say). */
export function channelWallets(list: readonly ChannelKey[]): string {
  const accounts = [...new Set(list.filter((c) => !ended(c.phase) && c.key).map((c) => c.key!.account))];
  return accounts.length ? `the key of wallet ${accounts.join(' or ')}` : '';
}

/** Throws when a data folder holds channels that are not closed (a new key would not open them). */
async function refuseNewKey(network: NetworkKind, dataDir: string | undefined): Promise<void> {
  if (!dataDir || !existsSync(dataDir)) return;
  const list = await channelKeys(dataDir).catch(() => null);
  if (list === null) {
    // another window or process holds the folder: it cannot be told whether it holds channels of the lost key
    throw new ExtensionError(
      'DATA_DIR_LOCKED',
      `the ${network} key is not in VS Code's secret storage, and another window or process holds ${dataDir}, which may hold channels made with that key: no new key was made. Stop that process or close that window, or import the key (Import Mnemonic, or Import Key Folder)`,
    );
  }
  const held = list.map((c) => c.phase).filter((p) => !ended(p));
  if (!held.length) return;
  const one = held.length === 1;
  const which = channelWallets(list);
  throw new ExtensionError(
    'NO_KEY',
    `the ${network} key is not in VS Code's secret storage, but ${dataDir} holds ${held.length} channel${one ? '' : 's'} that ${one ? 'is' : 'are'} not closed (${held.join(', ')}), made with that key: a new key would not open ${one ? 'it' : 'them'}, so none was made. Import that key (Import Mnemonic, or Import Key Folder${which ? `: ${which}` : ''}), or set synchannel.dataDir to another folder`,
  );
}
