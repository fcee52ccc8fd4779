// Which stranger's proposal goes when the proposals held are full and one more comes (incoming.ts). Wallets cost
// nothing, hosts do: the host holding the most loses one, and there the wallet holding the most. Among a host's
// wallets of one proposal each (a flood of fresh wallets, and a genuine proposer behind the same NAT, look alike)
// the oldest is kept for PROPOSAL_KEPT_MS: a flood after a proposal does not push it out in that time, and a flood
// before one keeps it out at most that long. When every host holds one (many hosts, each as cheap as a wallet is to
// a holder of an IPv6 /48), the same holds across hosts: a newcomer from a host holding none takes the place of the
// oldest once that was kept its time, so no set of hosts keeps a newcomer out longer without proposing again.
import type { ChannelController } from './controller.js';

/** How long a stranger's proposal is kept against newer ones of its host (each wallet holding one), or of a host holding none when every host holds one. */
export const PROPOSAL_KEPT_MS = 10 * 60_000;

/** The new proposal: its host, its wallet (raw), and the time now (the clock `since` reads). */
export interface Newcomer {
  host: string;
  wallet: string;
  now: number;
}

/** The newcomer is not kept: for `waitMs`, until the oldest it competes with was kept its time; `ownHost` when that is its own host's (else every host holds one). */
export interface Refusal {
  waitMs: number;
  ownHost: boolean;
}

/**
 * The proposal to drop from `pool` (the strangers' held, oldest first), or, when it is the newcomer that goes, why
 * and for how long. One its proposer withdrew goes first (kept only to count against that wallet's cap).
 * `since`: when a proposal came.
 */
export function evictee(pool: readonly ChannelController[], n: Newcomer, since: (c: ChannelController) => number): ChannelController | Refusal {
  const over = pool.find((c) => c.ended);
  if (over) return over;
  const hostOf = (c: ChannelController) => c.proposedFrom ?? '';
  // the host holding the most, the newcomer's own on a tie (a host competes with itself first)
  const hosts = new Map([[n.host, 1]]);
  for (const c of pool) hosts.set(hostOf(c), (hosts.get(hostOf(c)) ?? 0) + 1);
  let worst = n.host;
  for (const [h, count] of hosts) if (count > hosts.get(worst)!) worst = h;
  const fromHost = pool.filter((c) => hostOf(c) === worst);
  // there, the wallet holding the most loses its oldest
  const wallets = new Map(worst === n.host ? [[n.wallet, 1]] : []);
  for (const c of fromHost) wallets.set(c.rec.addressA, (wallets.get(c.rec.addressA) ?? 0) + 1);
  let most = 1;
  let top: string | undefined;
  for (const [w, count] of wallets) if (count > most) [top, most] = [w, count];
  if (top !== undefined) return fromHost.find((c) => c.rec.addressA === top)!;
  // each holds one: the oldest once it was kept its time, else the newest (the newcomer, when it is of that host).
  // The newcomer's host holding none ties with every host holding one (the pool is full): the oldest of all then.
  const ownHost = fromHost.length > 0;
  const oldest = ownHost ? fromHost[0]! : pool[0];
  const left = oldest ? since(oldest) + PROPOSAL_KEPT_MS - n.now : 0;
  if (oldest && left <= 0) return oldest;
  return worst === n.host ? { waitMs: Math.max(1, left), ownHost } : fromHost.at(-1)!;
}
