// The types a link is made with and what its handshake proves (link.ts).
import type { Address } from '@ton/core';
import type { KeyPair } from '../core/signer.js';
import type { PeerQuota } from './quota.js';
import type { P2PStats } from './stats.js';
import type { WireMessage } from '../core/wire.js';

export type VerifyWalletOwnership = (publicKey: Buffer, address: Address) => boolean;

export interface LocalIdentity {
  peerId: string;
  walletAddress: Address;
  walletKey: KeyPair;
  channelPublicKey: Buffer;
}

/** What the handshake proved about the partner. */
export interface PartnerInfo {
  walletAddress: Address;
  walletPublicKey: Buffer;
  channelPublicKey: Buffer;
  /** The partner's address proof (ed25519 by its wallet key), for "Partner signature: …". */
  proof: Buffer;
  /** `proof` as upper-case hex, as the original tool printed it. */
  proofHex: string;
  peerId: string;
}

export interface LinkOptions {
  local: LocalIdentity;
  verifyWalletOwnership: VerifyWalletOwnership;
  stats: P2PStats;
  quota: PeerQuota;
  /** The larger quota of a partner (a channel with us, or a peer we dialed), or null: asked when over the quota. */
  partnerQuota?: () => PeerQuota | null;
  handshakeTimeoutMs: number;
  /** Too many invalid frames on one stream: drop it. */
  maxInvalidFrames: number;
  log: (line: string) => void;
}

/** What a link hands its session: a frame, or the seq of a session.data whose message this version cannot read. */
export type SessionFrame = WireMessage | { readonly type: 'session.unreadable'; readonly seq: number };
