// The address proof of the handshake: the wallet key signs (own peer id, partner peer id, partner nonce).
// The domain prefix keeps this signature from being valid as anything else the wallet key signs
// (TON messages and channel states sign 32-byte cell hashes; this payload is longer and prefixed).
import { sign, verify } from '../core/signer.js';

const DOMAIN = Buffer.from('synchannel/address-proof/v1', 'utf8');

function lp(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.allocUnsafe(2);
  len.writeUInt16BE(b.length, 0);
  return Buffer.concat([len, b]);
}

export function proofPayload(signerPeerId: string, verifierPeerId: string, verifierNonce: Buffer): Buffer {
  return Buffer.concat([DOMAIN, lp(signerPeerId), lp(verifierPeerId), verifierNonce]);
}

export function signProof(walletSecretKey: Buffer, ownPeerId: string, partnerPeerId: string, partnerNonce: Buffer): Buffer {
  return sign(proofPayload(ownPeerId, partnerPeerId, partnerNonce), walletSecretKey);
}

export function verifyProof(signature: Buffer, walletPublicKey: Buffer, partnerPeerId: string, ownPeerId: string, ownNonce: Buffer): boolean {
  return verify(proofPayload(partnerPeerId, ownPeerId, ownNonce), signature, walletPublicKey);
}
