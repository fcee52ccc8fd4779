// The entry of dist/node.js: everything of the node the extension needs, loaded on first use by nodeFactory.ts
// (`import('#node')`), never at activation. libp2p, @ton/* and the store live here; the sandbox emulator is
// further still, in dist/heavy.js, which this bundle loads with its own @ton/core (one copy per process).
import '../polyfill.js';

export { channelPhases, createNode, createTeachingDemo, hasLiveChannels } from '../node/index.js';
export { mnemonicNew, mnemonicValidate } from '@ton/crypto';
export { multiaddr } from '@multiformats/multiaddr';
export { explorerLink } from '../chain/explorer.js';
import type { DevnetOptions } from '../chain/devnet/server.js';

/** Starts the devnet server (a sandbox chain behind toncenter v2 HTTP): the heavy bundle, loaded now. */
export async function startDevnet(opts: DevnetOptions) {
  const heavy = await import('#heavy');
  return heavy.startDevnet(opts);
}
