// ed25519 over node:crypto: the only module of src/core that may import node:* (docs/architecture.md).
// Byte-identical to @ton/crypto's sign()/keyPairFromSeed() (ed25519 is deterministic), about 100x faster here.
import { SynError } from './errors.js';
import { createHash, createPrivateKey, createPublicKey, sign as edSign, verify as edVerify, randomBytes, type KeyObject } from 'node:crypto';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface KeyPair {
  /** 32 bytes */
  publicKey: Buffer;
  /** 64 bytes, seed || publicKey (the layout of @ton/crypto and tweetnacl) */
  secretKey: Buffer;
}

export class SignerError extends SynError<'BAD_KEY'> {
  constructor(message: string) {
    super('BAD_KEY', message);
    this.name = 'SignerError';
  }
}

const privateCache = new WeakMap<Buffer, KeyObject>();
/**
 * Also by content (a fingerprint, never the key itself): every channel keeps its own copy of the node's key, and
 * making a KeyObject costs ~0.4 ms (at 1,000 channels, as much as their first payments' signatures).
 */
const privateByPrint = new Map<string, KeyObject>();
const publicCache = new Map<string, KeyObject>();

function privateKeyObject(secretKey: Buffer): KeyObject {
  let key = privateCache.get(secretKey);
  if (!key) {
    if (secretKey.length !== 64 && secretKey.length !== 32) {
      throw new SignerError(`a secret key is 32 (seed) or 64 bytes, got ${secretKey.length}`);
    }
    const seed = secretKey.subarray(0, 32);
    const print = createHash('sha256').update('synchannel key print').update(seed).digest('base64');
    key = privateByPrint.get(print);
    if (!key) {
      key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
      if (privateByPrint.size >= 64) privateByPrint.clear();
      privateByPrint.set(print, key);
    }
    privateCache.set(secretKey, key);
  }
  return key;
}

function publicKeyObject(publicKey: Buffer): KeyObject {
  if (publicKey.length !== 32) throw new SignerError(`a public key is 32 bytes, got ${publicKey.length}`);
  const hex = publicKey.toString('hex');
  let key = publicCache.get(hex);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (publicCache.size > 1024) publicCache.clear();
    publicCache.set(hex, key);
  }
  return key;
}

/** The key pair of a 32-byte seed (as @ton/crypto's keyPairFromSeed). */
export function keyPairFromSeed(seed: Buffer): KeyPair {
  if (seed.length !== 32) throw new SignerError(`a seed is 32 bytes, got ${seed.length}`);
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  const publicKey = Buffer.from(spki.subarray(spki.length - 32));
  return { publicKey, secretKey: Buffer.concat([seed, publicKey]) };
}

export function newKeyPair(): KeyPair {
  return keyPairFromSeed(randomBytes(32));
}

export function randomBytesBuf(n: number): Buffer {
  return randomBytes(n);
}

/** SHA-256 (the cell hash of a state, src/core/state.ts): node:crypto, as the signatures. */
export function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Signs `data` (for states: the 32-byte cell hash); 64-byte signature. */
export function sign(data: Buffer, secretKey: Buffer): Buffer {
  return edSign(null, data, privateKeyObject(secretKey));
}

/** False for a wrong signature, a wrong key or malformed input; never throws on bad input. */
export function verify(data: Buffer, signature: Buffer, publicKey: Buffer): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return edVerify(null, data, publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

/** sign() on libuv's thread pool. */
export function signAsync(data: Buffer, secretKey: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    try {
      edSign(null, data, privateKeyObject(secretKey), (err, sig) => (err ? reject(err) : resolve(sig)));
    } catch (e) {
      reject(e as Error);
    }
  });
}

/** verify() on libuv's thread pool: start-up checks many channels' signatures while the main thread reads files. */
export function verifyAsync(data: Buffer, signature: Buffer, publicKey: Buffer): Promise<boolean> {
  if (signature.length !== 64 || publicKey.length !== 32) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      edVerify(null, data, publicKeyObject(publicKey), signature, (err, ok) => resolve(!err && ok));
    } catch {
      resolve(false);
    }
  });
}
