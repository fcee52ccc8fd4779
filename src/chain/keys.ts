// Keys and wallets: a 24-word mnemonic, a new key, or the original key folder
// (wallet.pk = raw 32-byte ed25519 seed; wallet.addr = 32-byte account hash + 4-byte big-endian workchain).
import { readFile, stat, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { mnemonicNew, mnemonicToPrivateKey, mnemonicValidate } from '@ton/crypto';
import writeFileAtomic from 'write-file-atomic';
import { fsyncDir, mkdirDurable } from './fsync.js';
import { keyPairFromSeed, newKeyPair, type KeyPair } from '../core/signer.js';
import { KeyError } from './errors.js';
import { DEFAULT_WALLET_VERSION, walletAddress, WALLET_VERSIONS, type WalletVersion } from './wallets.js';

export { deriveWalletAddresses, walletOwnsAddress, walletAddress, WALLET_VERSIONS, DEFAULT_WALLET_VERSION, isWalletVersion } from './wallets.js';
export type { WalletVersion } from './wallets.js';
export type { KeyPair } from '../core/signer.js';

export const MNEMONIC_WORDS = 24;
export const KEY_FILE = 'wallet.pk';
export const ADDR_FILE = 'wallet.addr';

/** Splits and normalises a mnemonic given as one string or as words. */
export function normalizeMnemonic(words: string | readonly string[]): string[] {
  const list = typeof words === 'string' ? words.split(/[\s,]+/) : [...words];
  return list.map((w) => w.trim().toLowerCase()).filter((w) => w.length > 0);
}

/**
 * A mnemonic as a person types it (any case, any spacing, a trailing newline) normalised, then checked: its words,
 * or what is wrong with them. The one check of the node and the extension.
 */
export async function checkMnemonic(words: string | readonly string[]): Promise<{ words: string[]; problem: string | null }> {
  const list = normalizeMnemonic(words);
  if (list.length !== MNEMONIC_WORDS) {
    return { words: list, problem: `a TON mnemonic has ${MNEMONIC_WORDS} words, got ${list.length}: paste all ${MNEMONIC_WORDS} words separated by spaces` };
  }
  if (!(await mnemonicValidate(list))) {
    return { words: list, problem: 'these 24 words are not a valid TON mnemonic (a word is misspelt, out of order, or from another wallet format such as BIP-39): check them against your backup' };
  }
  return { words: list, problem: null };
}

/** The key pair of a 24-word TON mnemonic (the same key TON wallets derive). */
export async function keyPairFromMnemonic(words: string | readonly string[]): Promise<KeyPair> {
  const { words: list, problem } = await checkMnemonic(words);
  if (problem) throw new KeyError('BAD_MNEMONIC', problem);
  const kp = await mnemonicToPrivateKey(list);
  // The same 64-byte layout as src/core/signer (seed || public key).
  return keyPairFromSeed(Buffer.from(kp.secretKey.subarray(0, 32)));
}

/** A fresh 24-word mnemonic and its key pair. Show the words once; they are the only backup. */
export async function newMnemonic(): Promise<{ words: string[]; keyPair: KeyPair }> {
  const words = await mnemonicNew(MNEMONIC_WORDS);
  return { words, keyPair: await keyPairFromMnemonic(words) };
}

/** A fresh random key pair (no mnemonic: back it up as a key folder). */
export function newKey(): KeyPair {
  return newKeyPair();
}

/** The 36 bytes of wallet.addr: account hash, then the workchain as a big-endian int32. */
export function encodeWalletAddr(address: Address): Buffer {
  const out = Buffer.alloc(36);
  address.hash.copy(out, 0);
  out.writeInt32BE(address.workChain, 32);
  return out;
}

export function decodeWalletAddr(bytes: Buffer): Address {
  if (bytes.length !== 36) {
    throw new KeyError('KEY_FILE_BAD', `${ADDR_FILE} must be 36 bytes (32-byte account hash + 4-byte workchain), got ${bytes.length}`);
  }
  const workchain = bytes.readInt32BE(32);
  if (workchain !== 0 && workchain !== -1) {
    throw new KeyError('KEY_FILE_BAD', `${ADDR_FILE} names workchain ${workchain}; only 0 (basechain) and -1 (masterchain) exist`);
  }
  return new Address(workchain, Buffer.from(bytes.subarray(0, 32)));
}

export interface KeyFolder {
  dir: string;
  keyPair: KeyPair;
  address: Address;
  version: WalletVersion;
  /** Notes for the user, e.g. files readable by others. */
  warnings: string[];
}

async function readExact(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeyError('KEY_FOLDER_MISSING', `${path} does not exist: point to the folder that holds ${KEY_FILE} and ${ADDR_FILE} (${what})`, { cause: e });
    throw new KeyError('KEY_FOLDER_MISSING', `cannot read ${path} (${code ?? (e as Error).message}): check the path and its permissions`, { cause: e });
  }
}

/**
 * Reads an original key folder and finds which standard wallet (V3R2, V4R2, V5R1 with the testnet or the
 * mainnet network id) of the key has the address in wallet.addr; fails listing every address tried.
 */
export async function readKeyFolder(dir: string): Promise<KeyFolder> {
  const seed = await readExact(join(dir, KEY_FILE), 'the raw 32-byte private key');
  const addrBytes = await readExact(join(dir, ADDR_FILE), 'the wallet address');
  if (seed.length < 32) {
    const what = seed.length === 0 ? 'is empty' : `is cut short (${seed.length} bytes of 32)`;
    throw new KeyError('KEY_FILE_BAD', `${join(dir, KEY_FILE)} ${what}: a copy that did not finish (a full disk?). Copy wallet.pk again from your backup (or import the wallet's 24 words, if it has them)`);
  }
  if (seed.length !== 32) {
    throw new KeyError('KEY_FILE_BAD', `${join(dir, KEY_FILE)} must be the raw 32-byte private key, got ${seed.length} bytes: is it hex or base64 text? Convert it to raw bytes`);
  }
  const address = decodeWalletAddr(addrBytes);
  const keyPair = keyPairFromSeed(Buffer.from(seed));
  const tried: string[] = [];
  let version: WalletVersion | null = null;
  for (const v of WALLET_VERSIONS) {
    const a = walletAddress(v, keyPair.publicKey, address.workChain);
    tried.push(`${v}: ${a.toString({ testOnly: true, bounceable: false })}`);
    if (a.equals(address)) {
      version = v;
      break;
    }
  }
  if (!version) {
    throw new KeyError(
      'KEY_ADDRESS_MISMATCH',
      `no standard wallet of the key in ${join(dir, KEY_FILE)} has the address in ${ADDR_FILE} ` +
        `(${address.toString({ testOnly: true, bounceable: false })}); tried ${tried.join('; ')}. ` +
        `Check that both files come from the same wallet.`,
    );
  }
  const warnings: string[] = [];
  try {
    const st = await stat(join(dir, KEY_FILE));
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      warnings.push(`${join(dir, KEY_FILE)} is readable by other users (mode ${(st.mode & 0o777).toString(8)}): run chmod 600 on it`);
    }
  } catch {
    // stat after a successful read only fails in a race; nothing to warn about.
  }
  return { dir, keyPair, address, version, warnings };
}

/**
 * Writes a key folder (folder mode 0700, files 0600). The address is the key's `version` wallet on `workchain`.
 * Refuses to replace an existing wallet.pk unless `overwrite` is set.
 */
export async function writeKeyFolder(
  dir: string,
  keyPair: KeyPair,
  opts: { version?: WalletVersion; workchain?: number; overwrite?: boolean } = {},
): Promise<KeyFolder> {
  const version = opts.version ?? DEFAULT_WALLET_VERSION;
  const workchain = opts.workchain ?? 0;
  if (!opts.overwrite) {
    const exists = await stat(join(dir, KEY_FILE)).then(() => true, () => false);
    if (exists) throw new KeyError('KEY_FOLDER_EXISTS', `${join(dir, KEY_FILE)} already exists: choose another folder, or move the old key away first (it may hold coins)`);
  }
  await mkdirDurable(dir, 0o700);
  if (process.platform !== 'win32') await chmod(dir, 0o700);
  const address = walletAddress(version, keyPair.publicKey, workchain);
  // The address first: a creation cut between the two leaves an address without a key (the node says to move it
  // away), never a key without its address (that one may be the only copy of a key, and looks like an old tool's).
  await writeFileAtomic(join(dir, ADDR_FILE), encodeWalletAddr(address), { mode: 0o600 });
  await writeFileAtomic(join(dir, KEY_FILE), keyPair.secretKey.subarray(0, 32), { mode: 0o600 });
  // its address may be shown (and funded) next: both names on disk before that
  await fsyncDir(dir);
  return { dir, keyPair, address, version, warnings: [] };
}
