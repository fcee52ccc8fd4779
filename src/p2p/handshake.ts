// The address proof of the handshake: the wallet key signs (own peer id, partner peer id, partner nonce).
// The domain prefix keeps this signature from being valid as anything else the wallet key signs
// (TON messages and channel states sign 32-byte cell hashes; this payload is longer and prefixed).
// Also the checks of the partner's hello and proof; the link (link.ts) keeps their order and its stream.
import { Address } from '@ton/core';
import { sign, verify } from '../core/signer.js';
import type { Hello } from '../core/wire.js';
import { P2PError } from './errors.js';
import type { LocalIdentity, PartnerInfo, VerifyWalletOwnership } from './linktypes.js';

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

function hex(b: string): Buffer {
  return Buffer.from(b, 'hex');
}

/** A handshake that fails: the error, and the code the partner is answered with. */
export interface Refusal {
  error: P2PError;
  reply: string;
}

/** Our hello: our wallet and keys, the nonce the partner's proof must sign, and the address we see the partner at. */
export function helloOf(local: LocalIdentity, nonce: Buffer, observed: string): Hello {
  return {
    type: 'hello',
    v: 1,
    walletAddress: local.walletAddress.toString(),
    walletPublicKey: local.walletKey.publicKey.toString('hex'),
    channelPublicKey: local.channelPublicKey.toString('hex'),
    nonce: nonce.toString('hex'),
    observed: observed.slice(0, 256),
  };
}

/** Why a partner's hello is refused (its wallet address unparsable, outside the basechain, or not its key's), or null. */
export function helloRefusal(hello: Hello, peer: string, verifyWalletOwnership: VerifyWalletOwnership): Refusal | null {
  let address: Address;
  try {
    address = Address.parse(hello.walletAddress);
  } catch {
    return { error: new P2PError('HANDSHAKE_FAILED', `peer ${peer} sent an unparsable wallet address`), reply: 'BAD_ADDRESS' };
  }
  // Channel payouts go to this wallet: the contract takes no deposit for a wallet outside the basechain.
  if (address.workChain !== 0) {
    return { error: new P2PError('HANDSHAKE_FAILED', `peer ${peer} claims wallet ${hello.walletAddress} in workchain ${address.workChain}: a channel pays out only to basechain (workchain 0) wallets; connect with a basechain wallet`), reply: 'BAD_ADDRESS' };
  }
  let owns = false;
  try {
    owns = verifyWalletOwnership(hex(hello.walletPublicKey), address);
  } catch {
    owns = false;
  }
  if (owns) return null;
  return {
    error: new P2PError('HANDSHAKE_FAILED', `peer ${peer} claims wallet ${hello.walletAddress} but its public key does not own that address; it may be misconfigured or impersonating`),
    reply: 'ADDRESS_NOT_OWNED',
  };
}

/** Our proof for the partner's hello (hex): our wallet key signs our peer id, the partner's and its nonce. */
export function proofFor(hello: Hello, local: LocalIdentity, peer: string): string {
  return signProof(local.walletKey.secretKey, local.peerId, peer, hex(hello.nonce)).toString('hex');
}

/** What the partner's proof of its hello's wallet proves, or the refusal when it does not verify against our nonce. */
export function provenPartner(hello: Hello, signatureHex: string, peer: string, local: LocalIdentity, nonce: Buffer): PartnerInfo | Refusal {
  const signature = hex(signatureHex);
  const publicKey = hex(hello.walletPublicKey);
  if (!verifyProof(signature, publicKey, peer, local.peerId, nonce)) {
    return {
      error: new P2PError('HANDSHAKE_FAILED', `peer ${peer} sent an address proof that does not verify (forged, replayed, or for another connection)`),
      reply: 'BAD_PROOF',
    };
  }
  return {
    walletAddress: Address.parse(hello.walletAddress),
    walletPublicKey: publicKey,
    channelPublicKey: hex(hello.channelPublicKey),
    proof: signature,
    proofHex: signatureHex.toUpperCase(),
    peerId: peer,
  };
}
