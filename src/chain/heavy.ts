// The heavy part, bundled apart as dist/heavy.js and loaded on first use with `await import('#heavy')`:
// everything that pulls in @ton/sandbox's emulator (~15 MB of inlined wasm).
import '../polyfill.js';

export { Blockchain } from '@ton/sandbox';
export { SandboxChain, type SandboxChainOptions } from './SandboxChain.js';
export { startDevnet, type DevnetServer, type DevnetOptions } from './devnet/server.js';
export { devnetMain, DEFAULT_DEVNET_PORT, DEFAULT_DEVNET_DATA_DIR } from './devnet/main.js';
