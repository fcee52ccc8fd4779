// Links to a public explorer for testnet addresses and transactions (tonviewer).
import { Address } from '@ton/core';

export type ExplorerNetwork = 'testnet' | 'mainnet';

const BASE: Record<ExplorerNetwork, string> = {
  testnet: 'https://testnet.tonviewer.com',
  mainnet: 'https://tonviewer.com',
};

/**
 * An explorer link for an address (Address or any address string) or a transaction hash
 * (64 hex chars, or base64/base64url of 32 bytes). Returns null for anything else.
 */
export function explorerLink(target: Address | string | { tx: string }, network: ExplorerNetwork = 'testnet'): string | null {
  const base = BASE[network];
  if (target instanceof Address) return `${base}/${target.toString({ testOnly: network === 'testnet', urlSafe: true })}`;
  if (typeof target === 'object') {
    const hex = txHashHex(target.tx);
    return hex ? `${base}/transaction/${hex}` : null;
  }
  if (Address.isFriendly(target) || Address.isRaw(target)) {
    return explorerLink(Address.parse(target), network);
  }
  const hex = txHashHex(target);
  return hex ? `${base}/transaction/${hex}` : null;
}

export function addressLink(address: Address, network: ExplorerNetwork = 'testnet'): string {
  return explorerLink(address, network)!;
}

export function txLink(hash: string | Buffer, network: ExplorerNetwork = 'testnet'): string | null {
  return explorerLink({ tx: typeof hash === 'string' ? hash : hash.toString('hex') }, network);
}

function txHashHex(s: string): string | null {
  if (/^[0-9a-fA-F]{64}$/.test(s)) return s.toLowerCase();
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) {
    const b = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b.toString('hex');
  }
  return null;
}
