// The light part of the chain layer (no @ton/sandbox): types, keys, explorer links, the TonClient chain and
// `createChain`, which loads the sandbox lazily through '#heavy' only when asked for it.
import { ChainError } from './errors.js';
import { TonClientChain, type TonClientChainOptions } from './TonClientChain.js';
import type { Chain, ChainKind } from './types.js';

export * from './types.js';
export * from './errors.js';
export * from './keys.js';
export * from './explorer.js';
export { walletContract, TESTNET_GLOBAL_ID, MAINNET_GLOBAL_ID, type WalletContractInfo } from './wallets.js';
export { TonClientChain, TESTNET_ENDPOINT, jsonRpcEndpoint, type TonClientChainOptions } from './TonClientChain.js';
export { retryingAdapter, type RetryOptions } from './http.js';
export { WALLET_FEE_RESERVE, WALLET_MESSAGE_TTL } from './base.js';

export interface CreateChainOptions {
  /** devnet: the URL `synchannel devnet` printed; testnet: a toncenter v2 endpoint (default: testnet.toncenter.com). */
  endpoint?: string;
  apiKey?: string;
  retry?: TonClientChainOptions['retry'];
  /** sandbox: the process-wide shared sandbox (default true) or a fresh one. */
  sharedSandbox?: boolean;
  /** sandbox: keep the chain in this file (a fresh sandbox, loaded from and saved to it; see SandboxChainOptions). */
  persistFile?: string;
}

/** The chain of `kind`. The sandbox is loaded on demand (~15 MB of wasm); devnet/testnet need no sandbox. */
export async function createChain(kind: ChainKind, options: CreateChainOptions = {}): Promise<Chain> {
  switch (kind) {
    case 'sandbox': {
      const heavy = await import('#heavy');
      if (options.persistFile !== undefined) return heavy.SandboxChain.create({ persistFile: options.persistFile });
      return options.sharedSandbox === false ? heavy.SandboxChain.create() : heavy.SandboxChain.shared();
    }
    case 'devnet':
    case 'testnet':
      return new TonClientChain({ kind, endpoint: options.endpoint, apiKey: options.apiKey, retry: options.retry });
    default:
      throw new ChainError('BAD_INPUT', `unknown chain "${String(kind)}": use sandbox, devnet or testnet`);
  }
}
