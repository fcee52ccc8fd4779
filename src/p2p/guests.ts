// Sessions of guests: peers that dialed us and have no channel with us (the node's `isPartner` says no).
// Wallets cost nothing, so guests are bounded: a guest idle past the timeout is dropped, and when there
// are too many the host with the most guests loses its least recently active one. A guest the node wants kept (a
// wallet whose proposal it holds: `keepGuest`) stands outside that cap, up to the cap's size again, so a flood of
// fresh wallets from a proposer's own address (a NAT) cannot push its session out. Partners are never dropped for being idle
// (libp2p's connection monitor pings their connection every 10 s, which keeps NATs and TCP timers open).
// Sessions this node dialed are never guests: the person running it chose that peer.
import type { Address } from '@ton/core';
import { addressText } from '../core/format.js';
import type { PeerSession } from './session.js';
import type { P2PStats } from './stats.js';

/** Unacknowledged messages a guest session may have; above it, the guest is dropped at the next sweep. */
export const MAX_GUEST_UNACKED = 256;

export interface GuestOptions {
  isPartner: (walletAddress: Address) => boolean;
  /** A guest to keep under a flood (the node holds its proposal); at most `maxGuests` are kept so. */
  keepGuest?: (walletAddress: Address) => boolean;
  idleTimeoutMs: number;
  maxGuests: number;
  stats: P2PStats;
  log: (line: string) => void;
  /** The live sessions. */
  sessions: () => PeerSession[];
}

export class GuestPolicy {
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private opts: GuestOptions) {
    this.timer = setInterval(() => this.sweep(), Math.max(25, Math.min(opts.idleTimeoutMs / 4, 5_000)));
    this.timer.unref?.();
  }

  setIsPartner(isPartner: (walletAddress: Address) => boolean): void {
    this.opts = { ...this.opts, isPartner };
  }

  setKeepGuest(keepGuest: (walletAddress: Address) => boolean): void {
    this.opts = { ...this.opts, keepGuest };
  }

  /** Whether `wallet` has a channel with this node (false if the node's check throws). */
  isPartner(wallet: Address): boolean {
    try {
      return this.opts.isPartner(wallet);
    } catch {
      return false;
    }
  }

  isGuest(s: PeerSession): boolean {
    if (s.dialAddr || s.isClosed) return false;
    try {
      return !this.opts.isPartner(s.partner.walletAddress);
    } catch (e) {
      this.opts.log(`isPartner threw for ${addressText(s.partner.walletAddress, 'wallet')}; keeping the session: ${(e as Error).message}`);
      return false;
    }
  }

  /**
   * After a new session: while there are too many guests, the host with the most guests loses its least
   * recently active one (as in guard.ts: one machine with many wallets only pushes out its own). Guests to keep
   * (`keepGuest`), up to `maxGuests` of them (the most recently active), are neither counted nor dropped here: all
   * guests together stay under twice `maxGuests`.
   */
  admitted(fresh: PeerSession): void {
    const older = (a: PeerSession, b: PeerSession) => a.lastActivity - b.lastActivity || (a === fresh ? 1 : b === fresh ? -1 : 0);
    const all = this.opts.sessions().filter((s) => this.isGuest(s));
    const kept = new Set(all.filter((s) => this.keeps(s)).sort(older).slice(-this.opts.maxGuests));
    const guests = all.filter((s) => !kept.has(s));
    const byHost = new Map<string, PeerSession[]>();
    for (const s of guests) {
      const host = s.remoteHost ?? '';
      byHost.set(host, [...(byHost.get(host) ?? []), s]);
    }
    for (let excess = guests.length - this.opts.maxGuests; excess > 0; excess--) {
      let victims: PeerSession[] | undefined;
      for (const list of byHost.values()) {
        list.sort(older);
        if (!victims || list.length > victims.length || (list.length === victims.length && older(list[0]!, victims[0]!) < 0)) victims = list;
      }
      const s = victims!.shift()!;
      this.drop(s, `more than ${this.opts.maxGuests} peers without a channel are connected; this one was the least recently active of the host with the most`);
    }
  }

  private keeps(s: PeerSession): boolean {
    try {
      return this.opts.keepGuest?.(s.partner.walletAddress) ?? false;
    } catch {
      return false;
    }
  }

  /**
   * Drops guests idle past the timeout, and guests that leave many messages unacknowledged: a guest that keeps
   * sending and never acknowledges would make this node hold every answer (a partner may: it has a channel here).
   */
  sweep(): void {
    const now = Date.now();
    for (const s of this.opts.sessions()) {
      const idle = now - s.lastActivity > this.opts.idleTimeoutMs;
      const unacked = s.unacknowledged > MAX_GUEST_UNACKED;
      if (!(idle || unacked) || !this.isGuest(s)) continue;
      this.drop(s, idle ? `idle for ${Math.round(this.opts.idleTimeoutMs / 1000)} s without a channel with this node` : `${s.unacknowledged} messages to it are unacknowledged, and it has no channel with this node`);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private drop(s: PeerSession, why: string): void {
    this.opts.stats.guestsDropped++;
    this.opts.log(`dropping the session with ${addressText(s.partner.walletAddress, 'wallet')}: ${why}`);
    s.close(why, 'SESSION_DROPPED');
  }
}
