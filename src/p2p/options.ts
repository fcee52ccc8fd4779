// The p2p node's options, the defaults of its limits (docs/p2p-limits.md), and the shapes of what it returns.
import type { Address } from '@ton/core';
import type { KeyPair } from '../core/signer.js';
import type { VerifyWalletOwnership } from './linktypes.js';
import type { RateLimit } from './quota.js';
import type { PeerSession } from './session.js';

export interface ServeAddresses {
  /** Interface addresses of this machine, with /p2p/<peer id>. */
  lan: string[];
  /** Configured announce addresses and addresses peers observed (public IPs only), with /p2p/<peer id>. */
  wan: string[];
}

export interface ConnectOptions {
  /** Dial + handshake budget (default 10 s). */
  timeoutMs?: number;
}

export interface P2PNodeEvents {
  /** A partner finished the handshake (incoming or outgoing) for the first time in this process. */
  session: [session: PeerSession];
}

export interface P2PNodeOptions {
  /** Where the libp2p identity is kept (file p2p-identity.key, mode 0600). */
  dataDir: string;
  walletAddress: Address;
  /** The wallet key pair: signs the address proof. */
  walletKey: KeyPair;
  /** The key that signs channel states (default: the wallet key). */
  channelPublicKey?: Buffer;
  /** True if `publicKey` owns `address` (src/chain/keys.ts `walletOwnsAddress`). */
  verifyWalletOwnership: VerifyWalletOwnership;
  /** WAN multiaddrs to share (e.g. a forwarded port on the router); never looked up from outside. */
  announce?: string[];
  log?: (line: string) => void;
  /** Per-peer frame rate limit (default 500/s, burst 1000): frames over it are dropped and answered. */
  rateLimit?: RateLimit;
  /** Per-peer byte rate limit (default 256 KiB/s, burst 1 MiB): a peer over it is paused, nothing dropped. */
  byteRateLimit?: RateLimit;
  /** The frame rate of a partner: a peer with a channel with us, or one we dialed (default 5,000/s, burst 10,000). */
  partnerRateLimit?: RateLimit;
  /** The byte rate of a partner (default 4 MiB/s, burst 8 MiB). */
  partnerByteRateLimit?: RateLimit;
  /**
   * How often one wallet may take its session over with a new inbound stream (default 1/s, burst 20): each
   * resends everything it has not acknowledged. Over it, the new stream is refused and its dialer backs off.
   */
  reattachRateLimit?: RateLimit;
  /** Budget of the address-proof handshake on one stream (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Invalid frames tolerated on one stream before it is dropped (default 100). */
  maxInvalidFrames?: number;
  /** Inbound connections accepted per second from one host (an IPv4 address or IPv6 /64), four times that from an IPv6 /48 (default 30). */
  inboundConnectionsPerSecond?: number;
  /** Inbound connections without a finished handshake, from all hosts together (default 64). */
  maxPendingConnections?: number;
  /** Inbound connections without a finished handshake from one host: an IPv4 address or IPv6 /64 (default 8). */
  maxPendingPerHost?: number;
  /** An inbound connection must finish the upgrade and the handshake within this (default 5 s). */
  pendingTimeoutMs?: number;
  /**
   * True if this node has a channel (or one being opened) with `walletAddress`. Peers that dialed us and
   * are not partners are guests: dropped when idle, and bounded in number. Default: nobody is a partner.
   */
  isPartner?: (walletAddress: Address) => boolean;
  /**
   * True for a guest to keep when there are too many (the node holds its proposal): at most `maxGuestSessions` such
   * guests stand outside the cap, the most recently active. Default: none.
   */
  keepGuest?: (walletAddress: Address) => boolean;
  /** A guest with no application message either way for this long is dropped (default 120 s). */
  idleTimeoutMs?: number;
  /** Most guest sessions at once; the host with the most loses its least recently active (default 32). */
  maxGuestSessions?: number;
}

/** Defaults of the limits above. */
export const P2P_DEFAULTS = {
  rateLimit: { perSecond: 500, burst: 1000 },
  byteRateLimit: { perSecond: 256 * 1024, burst: 1024 * 1024 },
  partnerRateLimit: { perSecond: 5_000, burst: 10_000 },
  partnerByteRateLimit: { perSecond: 4 * 1024 * 1024, burst: 8 * 1024 * 1024 },
  reattachRateLimit: { perSecond: 1, burst: 20 },
  handshakeTimeoutMs: 10_000,
  maxInvalidFrames: 100,
  inboundConnectionsPerSecond: 30,
  maxPendingConnections: 64,
  maxPendingPerHost: 8,
  pendingTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  maxGuestSessions: 32,
} as const;
