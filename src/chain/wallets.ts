// The standard wallet contracts a party may hold, built from a public key, and the signed transfer they accept.
import { Address, beginCell, Cell, contractAddress, type MessageRelaxed, SendMode, type StateInit } from '@ton/core';
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

/**
 * The standard wallet version of `publicKey` whose address is `address`, or null when none is. Every peer's `hello`
 * asks this: built from each version's code parsed once (a wallet object parses and hashes its code anew, about
 * 1 ms for the four), stopping at the first match.
 */
export function walletOwnsAddress(publicKey: Buffer, address: Address): WalletVersion | null {
  if (publicKey.length !== 32) return null;
  for (const version of WALLET_VERSIONS) {
    const t = template(version, address.workChain);
    if (contractAddress(address.workChain, { code: t.code, data: t.data(publicKey) }).equals(address)) return version;
  }
  return null;
}

interface Template {
  code: Cell;
  data(publicKey: Buffer): Cell;
}

const templates = new Map<string, Template>();

/**
 * A version's code and its initial data for a key: the data layouts of @ton/ton's wallet classes (seqno 0, the
 * wallet id read from the library's own wallet, the key, no plugins or extensions); test/chain/keys.test.ts checks
 * them against the library's addresses.
 */
function template(version: WalletVersion, workchain: number): Template {
  const key = `${version}:${workchain}`;
  let t = templates.get(key);
  if (t) return t;
  const probe = build(version, Buffer.alloc(32), workchain).init;
  const code = probe.code!;
  const s = probe.data!.beginParse();
  if (version === 'v5r1' || version === 'v5r1-mainnet') {
    s.skip(1 + 32);
    const id = s.loadInt(32);
    t = { code, data: (pk) => beginCell().storeUint(1, 1).storeUint(0, 32).storeInt(id, 32).storeBuffer(pk, 32).storeBit(0).endCell() };
  } else {
    s.skip(32);
    const id = s.loadUint(32);
    const plugins = version === 'v4r2';
    t = { code, data: (pk) => { const b = beginCell().storeUint(0, 32).storeUint(id, 32).storeBuffer(pk, 32); return (plugins ? b.storeBit(0) : b).endCell(); } };
  }
  if (templates.size >= 64) templates.clear();
  templates.set(key, t);
  return t;
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
