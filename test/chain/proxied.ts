// A channel A deployed on a real devnet in this process, and B's wallet seen through a JSON-RPC proxy on 127.0.0.1
// whose answers a test replaces (test/helpers/rpc-hook.ts): the chain read as testnet is, the endpoint misbehaving.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { startDevnet } from '../../src/chain/devnet/server.js';
import { TonClientChain, type Wallet } from '../../src/chain/index.js';
import { newKeyPair } from '../../src/core/signer.js';
import { rpcProxy, type RpcHook } from '../helpers/rpc-hook.js';
import { config, TON } from './scenarios.js';

export interface Scene {
  /** through the proxy (testnet reads, `timeoutMs` per operation) */
  tn: TonClientChain;
  /** straight to the devnet */
  direct: TonClientChain;
  wb: Wallet;
  address: Address;
  hook: { fn: RpcHook | null; upstream?: string };
  /** B's deposit as the devnet holds it */
  read: () => Promise<bigint>;
  /** what the devnet answers now to `method` for `a` (getAddressInformation, getTransactions): a replica behind answers it later */
  raw: (method: 'getAddressInformation' | 'getTransactions', a: Address) => Promise<string>;
  /** a transaction on `a` from elsewhere (the devnet's faucet), processed when it resolves */
  flood: (a: Address) => Promise<void>;
}

export async function proxiedScene(timeoutMs: number, retry: Record<string, number>, run: (s: Scene) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'synchannel-proxied-'));
  const dn = await startDevnet({ dataDir: dir, port: 0, log: () => undefined });
  const hook: Scene['hook'] = { fn: null, upstream: `${dn.url}/jsonRPC` };
  const px = await rpcProxy(dn.url, hook);
  const direct = new TonClientChain({ kind: 'devnet', endpoint: dn.url, txPollMs: 50 });
  const tn = new TonClientChain({ kind: 'testnet', endpoint: px.url, txPollMs: 100, requestsPerSecond: 0, timeoutMs, retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50, ...retry } });
  try {
    const [ka, kb] = [newKeyPair(), newKeyPair()];
    const [wa, wbDirect] = [await direct.openWallet(ka), await direct.openWallet(kb)];
    await direct.faucet(wa.address, 20n * TON);
    await direct.faucet(wbDirect.address, 20n * TON);
    const cfg = config({ key: ka, wallet: wa }, { key: kb, wallet: wbDirect }, 3n * TON, 4n * TON);
    const { address } = await direct.deployChannel(wa, cfg, 3n * TON);
    const read = async () => {
      const st = await direct.getChannelStatus(address);
      return st.status === 'funding' || st.status === 'open' ? st.data.depositB : -1n;
    };
    const raw: Scene['raw'] = (method, a) => {
      const params = method === 'getTransactions' ? { address: a.toString(), limit: 20, archival: true } : { address: a.toString() };
      return fetch(`${dn.url}/jsonRPC`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params }) }).then((r) => r.text());
    };
    const flood = async (a: Address) => void (await direct.faucet(a, TON / 100n));
    await run({ tn, direct, wb: await tn.openWallet(kb), address, hook, read, raw, flood });
  } finally {
    await tn.close();
    await direct.close();
    await px.close();
    await dn.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether a JSON-RPC call is about address `a`. */
export function isAddr(m: { params: Record<string, unknown> }, a: Address): boolean {
  try {
    return Address.parse(String(m.params.address)).equals(a);
  } catch {
    return false;
  }
}
