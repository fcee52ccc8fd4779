// The standard wallet contracts a party may hold, built from a public key, and the signed transfer they accept.
import { Address, Cell, type MessageRelaxed, SendMode, type StateInit } from '@ton/core';
import { WalletContractV3R2, WalletContractV4, WalletContractV5R1 } from '@ton/ton';
import { sign } from '../core/signer.js';

/**
 * A standard wallet contract. `v5r1` is W5 with the testnet network id (-3), the default here (sandbox, devnet
 * and testnet); `v5r1-mainnet` is W5 with the mainnet id (-239), found when importing a key folder made for mainnet.
 */
export type WalletVersion = 'v3r2' | 'v4r2' | 'v5r1' | 'v5r1-mainnet';

export const WALLET_VERSIONS: readonly WalletVersion[] = ['v5r1', 'v4r2', 'v3r2', 'v5r1-mainnet'];
export const DEFAULT_WALLET_VERSION: WalletVersion = 'v5r1';

export const TESTNET_GLOBAL_ID = -3;
export const MAINNET_GLOBAL_ID = -239;

type AnyWallet = WalletContractV3R2 | WalletContractV4 | WalletContractV5R1;

export interface WalletContractInfo {
  version: WalletVersion;
  address: Address;
  init: StateInit;
  /**
   * Builds the signed external-message body for `seqno` with these messages (send mode 3: pay fees apart,
   * ignore errors), valid until the chain time `validUntil` (unix seconds).
   */
  createTransfer(args: { seqno: number; secretKey: Buffer; messages: MessageRelaxed[]; validUntil: number }): Promise<Cell>;
}

export function isWalletVersion(v: unknown): v is WalletVersion {
  return typeof v === 'string' && (WALLET_VERSIONS as readonly string[]).includes(v);
}

function build(version: WalletVersion, publicKey: Buffer, workchain: number): AnyWallet {
  switch (version) {
    case 'v3r2':
      return WalletContractV3R2.create({ workchain, publicKey });
    case 'v4r2':
      return WalletContractV4.create({ workchain, publicKey });
    case 'v5r1':
    case 'v5r1-mainnet':
      return WalletContractV5R1.create({
        publicKey,
        walletId: {
          networkGlobalId: version === 'v5r1' ? TESTNET_GLOBAL_ID : MAINNET_GLOBAL_ID,
          context: { walletVersion: 'v5r1', workchain, subwalletNumber: 0 },
        },
      });
  }
}

export function walletContract(version: WalletVersion, publicKey: Buffer, workchain = 0): WalletContractInfo {
  if (publicKey.length !== 32) throw new TypeError(`a public key is 32 bytes, got ${publicKey.length}`);
  const w = build(version, publicKey, workchain);
  return {
    version,
    address: w.address,
    init: w.init,
    async createTransfer({ seqno, secretKey, messages, validUntil }) {
      // Sign with node:crypto (about 100x faster than @ton/crypto's JS ed25519; byte-identical).
      const signer = async (cell: Cell) => sign(cell.hash(), secretKey);
      // valid_until in chain time (the devnet and the sandbox may run ahead of the local clock).
      const timeout = validUntil;
      const sendMode = SendMode.PAY_GAS_SEPARATELY + SendMode.IGNORE_ERRORS;
      // The three classes take the same argument shape; their union does not type-check as one call.
      const args = { seqno, signer, messages, sendMode, timeout };
      return (w as WalletContractV4).createTransfer(args);
    },
  };
}

export function walletAddress(version: WalletVersion, publicKey: Buffer, workchain = 0): Address {
  return walletContract(version, publicKey, workchain).address;
}

/** Every standard wallet address of a public key (the p2p handshake checks a partner's address against these). */
export function deriveWalletAddresses(publicKey: Buffer, workchain = 0): { version: WalletVersion; address: Address }[] {
  return WALLET_VERSIONS.map((version) => ({ version, address: walletAddress(version, publicKey, workchain) }));
}

/** The standard wallet version of `publicKey` whose address is `address`, or null when none is. */
export function walletOwnsAddress(publicKey: Buffer, address: Address): WalletVersion | null {
  if (publicKey.length !== 32) return null;
  for (const { version, address: a } of deriveWalletAddresses(publicKey, address.workChain)) {
    if (a.equals(address)) return version;
  }
  return null;
}

/**
 * The seqno stored in a standard wallet's data cell (saves a get-method run or an HTTP round trip):
 * V3R2/V4R2 start with seqno:uint32; V5R1 with is_signature_allowed:bool then seqno:uint32.
 */
export function seqnoFromData(version: WalletVersion, data: Cell): number {
  const s = data.beginParse();
  if (version === 'v5r1' || version === 'v5r1-mainnet') s.skip(1);
  return s.loadUint(32);
}
