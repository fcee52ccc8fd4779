// The entry of dist/node.js: everything of the node the extension needs, loaded on first use by nodeFactory.ts
// (`import('#node')`), never at activation. libp2p, @ton/* and the store live here; the sandbox emulator is
// further still, in dist/heavy.js, which this bundle loads with its own @ton/core (one copy per process).
import '../polyfill.js';

export { channelKeys, channelPhases, createNode, createTeachingDemo, hasLiveChannels, lockHeld } from '../node/index.js';
export { mnemonicNew } from '@ton/crypto';
export { checkMnemonic } from '../chain/keys.js';
export { multiaddr } from '@multiformats/multiaddr';
export { checkDialPeerId } from '../p2p/diagnose.js';
export { explorerLink } from '../chain/explorer.js';
import type { DevnetOptions } from '../chain/devnet/server.js';

/** Starts the devnet server (a sandbox chain behind toncenter v2 HTTP): the heavy bundle, loaded now. */
export async function startDevnet(opts: DevnetOptions) {
  const heavy = await import('#heavy');
  return heavy.startDevnet(opts);
}

import { addressText } from '../core/format.js';
import { DEFAULT_WALLET_VERSION, keyPairFromMnemonic, readKeyFolder, walletAddress } from '../chain/keys.js';
import type { KeyFacts } from './nodeFactory.js';

/** The key of 24 words: its public key and the wallet the node opens with it (the default version). */
export async function mnemonicKey(words: string[]): Promise<KeyFacts> {
  const kp = await keyPairFromMnemonic(words);
  return { publicKey: kp.publicKey.toString('hex'), account: addressText(walletAddress(DEFAULT_WALLET_VERSION, kp.publicKey, 0), 'wallet') };
}

/** A key folder read as the node reads it (both files; wallet.addr a wallet of the key); throws the node's KeyError. */
export async function keyFolderKey(dir: string): Promise<KeyFacts> {
  const f = await readKeyFolder(dir);
  return { publicKey: f.keyPair.publicKey.toString('hex'), account: addressText(f.address, 'wallet') };
}

