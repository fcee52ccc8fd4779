// Inbound connection limits that silent sockets cannot use to lock honest peers out (docs/p2p-limits.md).
//
// An inbound connection is "pending" from TCP accept until one of its streams finishes the address-proof
// handshake, and again when its last authenticated stream closes. Pending connections are capped per
// remote host (an IPv4 address, or an IPv6 /64) and in total. A pending connection is closed after
// `timeoutMs` (after a short grace once its handshake failed or its last stream closed). Any inbound connection
// opens handshake streams at a bounded rate, and a few failed handshakes close it, authenticated or not.
// A new connection from a host at its cap closes that host's oldest pending one: a host only ever
// competes with itself. When the total is full, the host holding the most pending connections loses its
// oldest, so a host with few (an honest peer) always gets in: to keep it out an attacker needs more hosts
// than the total allows, not one fast machine.
import type { Connection, MultiaddrConnection } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import { TokenBucket } from './quota.js';

export interface GuardOptions {
  /** Pending connections from all hosts together. */
  maxPending: number;
  /** Pending connections from one host. */
  maxPendingPerHost: number;
  /** Upgrade + handshake budget of a pending connection. */
  timeoutMs: number;
  stats: GuardStats;
  log: (line: string) => void;
  /**
   * New connections a second from one host, and four times that from one IPv6 /48 (default: none). libp2p's own
   * rate (`inboundConnectionThreshold`) is kept per IP address: an IPv6 /64 has 2^64 of them.
   */
  connectionsPerSecond?: number;
  /** Hosts partners logged in from, kept across restarts (partnerhosts.ts): let in as hosts that authenticated lately are. */
  partnerHosts?: { has(host: string): boolean };
}

export interface GuardStats {
  /** pending connections closed to make room for a newer one (of the same host, or of a host with fewer) */
  pendingEvicted: number;
  /** pending connections closed after the upgrade + handshake timeout */
  pendingTimedOut: number;
}

/** How long a connection whose handshake failed, or whose last stream closed, stays open: for an error
 * reply to leave, or for the partner to open a new stream on it. */
const GRACE_MS = 1_000;

/** Failed handshakes that close a connection at once: an honest peer fails once (a wrong key), then fixes it. */
const MAX_FAILED_HANDSHAKES = 3;

/**
 * Failed handshakes one host may have, on all its connections together (a new connection starts with a fresh
 * count of its own): a burst of 20, then one every 3 s; while over it, the host's new connections are refused.
 */
const HOST_FAILURES = { burst: 20, perSecond: 1 / 3 };
/**
 * Failed handshakes of all the hosts of one IPv6 /48 together (a site's usual allocation holds 65,536 /64 hosts): four
 * hosts' worth; while over it, the /48's new connections are refused, as a host's are over its own.
 */
const NET_FAILURES = { burst: 4 * HOST_FAILURES.burst, perSecond: 4 * HOST_FAILURES.perSecond };
/** Hosts whose failures are kept (the oldest is forgotten first); also the hosts kept as authenticated lately. */
const MAX_HOSTS_KEPT = 1_024;
/**
 * Failed handshakes of all hosts together (each costs a wallet check, a proof check, a stream and a reply): over it,
 * a host that failed lately is refused, and hosts not seen lately get in at a trickle (NEW_HOSTS_WHILE_OVER), so
 * many hosts cost a bounded amount of checks; a host that authenticated lately, or a partner's host kept across
 * restarts (partnerHosts), still gets in.
 */
const ALL_FAILURES = { burst: 200, perSecond: 10 };
const NEW_HOSTS_WHILE_OVER = { burst: 4, perSecond: 1 };

/**
 * Handshake streams a connection may open: a burst, then one a second. An honest peer opens one per session (a
 * few more after drops); each costs this node a stream, a wallet check and a signature.
 */
const STREAM_RATE = { burst: 8, perSecond: 1 };

interface Entry {
  maConn: MultiaddrConnection;
  host: string;
  key: string;
  /** authenticated streams open on this connection */
  links: number;
  pendingSince: number;
  /** when a pending connection is closed (ms since the epoch) */
  deadline: number;
  /** handshakes failed on it while pending */
  failures: number;
  /** handshakes failed on it while it carried an authenticated stream (never reset) */
  linkedFailures: number;
  /** the handshake streams it may open */
  streams: TokenBucket;
  timer?: ReturnType<typeof setTimeout>;
  gone: boolean;
}

/** The host a pending cap applies to: the IPv4 address, or the /64 of an IPv6 address. */
export function hostKey(addr: Multiaddr): string {
  const c = addr.getComponents().find((x) => x.name === 'ip4' || x.name === 'ip6');
  if (!c?.value) return addr.toString();
  if (c.name === 'ip4') return c.value;
  const groups = expandIpv6(c.value);
  if (!groups) return c.value;
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 host
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    const n = (parseInt(groups[6]!, 16) << 16) | parseInt(groups[7]!, 16);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The IPv6 /48 of a host key (an IPv6 /64), else null: an IPv4 host has no aggregate. */
export function netKey(host: string): string | null {
  const m = /^([0-9a-f]+:[0-9a-f]+:[0-9a-f]+):[0-9a-f]+::\/64$/.exec(host);
  return m ? `${m[1]}::/48` : null;
}

/** One TCP connection's remote end (ip/port): a Connection's remoteAddr adds /p2p/<id> to its maConn's. */
function connKey(addr: Multiaddr): string {
  return addr
    .getComponents()
    .filter((c) => c.name === 'ip4' || c.name === 'ip6' || c.name === 'tcp')
    .map((c) => `/${c.name}/${c.value ?? ''}`)
    .join('');
}

function expandIpv6(ip: string): string[] | undefined {
  let text = ip.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail, extra] = text.split('::');
  if (extra !== undefined) return undefined;
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  if (fill < 0 || h.length + t.length + fill !== 8) return undefined;
  return [...h, ...Array<string>(fill).fill('0'), ...t].map((g) => g.replace(/^0+(?=.)/, ''));
}

/** `key`'s bucket, kept last (the least recently used is forgotten first, beyond MAX_HOSTS_KEPT). */
function kept(buckets: Map<string, TokenBucket>, key: string, limit: { burst: number; perSecond: number }): TokenBucket {
  let f = buckets.get(key);
  if (f) buckets.delete(key);
  else if (buckets.size >= MAX_HOSTS_KEPT) buckets.delete(buckets.keys().next().value!);
  f ??= new TokenBucket(limit);
  buckets.set(key, f);
  return f;
}

/** Charges one failure to `key`'s bucket. */
function charged(buckets: Map<string, TokenBucket>, key: string, limit: { burst: number; perSecond: number }): void {
  kept(buckets, key, limit).charge(1);
}

export class InboundGuard {
  private readonly entries = new Map<string, Entry>();
  /** per host, the failed handshakes it may still have */
  private readonly hostFailures = new Map<string, TokenBucket>();
  /** per IPv6 /48, the failed handshakes its hosts may still have together */
  private readonly netFailures = new Map<string, TokenBucket>();
  /** per host and per IPv6 /48, the new connections it may still open (connectionsPerSecond) */
  private readonly hostConnections = new Map<string, TokenBucket>();
  private readonly netConnections = new Map<string, TokenBucket>();
  /** failed handshakes of all hosts together, and the new hosts admitted while they are over */
  private readonly allFailures = new TokenBucket(ALL_FAILURES);
  private readonly newHosts = new TokenBucket(NEW_HOSTS_WHILE_OVER);
  /** hosts with a connection that authenticated lately (the least recently authenticated is forgotten first) */
  private readonly authenticated = new Map<string, true>();
  private refusedLogged = 0;
  /** pending entries per host, oldest first */
  private readonly pending = new Map<string, Set<Entry>>();
  private pendingTotal = 0;

  constructor(private readonly opts: GuardOptions) {}

  /** libp2p's `denyInboundConnection`: admits a connection, making room as the caps say; denies only a host with too many failed handshakes. */
  deny(maConn: MultiaddrConnection): boolean {
    const host = hostKey(maConn.remoteAddr);
    if (this.hostRefused(host)) {
      this.opts.log(`refusing a connection from ${host}: more than ${HOST_FAILURES.burst} failed handshakes of that host (or ${NET_FAILURES.burst} of its IPv6 /48), and more than one every 3 s (four for the /48) since`);
      return true;
    }
    if (this.tooFast(host)) {
      if (Date.now() - this.refusedLogged >= 1_000) this.opts.log(`refusing a connection from ${host}: more than ${this.opts.connectionsPerSecond} new connections a second from that host (or four times that from its IPv6 /48)`);
      this.refusedLogged = Date.now();
      return true;
    }
    if (this.allRefuse(host)) {
      // said at most once a second: the refusals themselves must stay cheap
      if (Date.now() - this.refusedLogged >= 1_000) this.opts.log(`refusing connections from hosts that failed handshakes lately, or not seen lately, beyond ${NEW_HOSTS_WHILE_OVER.perSecond}/s: more than ${ALL_FAILURES.burst} failed handshakes from all hosts together, and more than ${ALL_FAILURES.perSecond} a second since`);
      this.refusedLogged = Date.now();
      return true;
    }
    const entry: Entry = { maConn, host, key: connKey(maConn.remoteAddr), links: 0, pendingSince: 0, deadline: 0, failures: 0, linkedFailures: 0, streams: new TokenBucket(STREAM_RATE), gone: false };
    this.entries.get(entry.key)?.maConn.abort(new Error('replaced by a connection from the same address'));
    this.entries.set(entry.key, entry);
    maConn.addEventListener('close', () => this.forget(entry), { once: true });
    this.enterPending(entry, this.opts.timeoutMs);
    return false;
  }

  /** A stream of `connection` finished the handshake. */
  linkUp(connection: Connection): void {
    const e = this.entries.get(connKey(connection.remoteAddr));
    if (!e || e.gone || connection.direction !== 'inbound') return;
    this.authenticated.delete(e.host);
    this.authenticated.set(e.host, true);
    if (this.authenticated.size > MAX_HOSTS_KEPT) this.authenticated.delete(this.authenticated.keys().next().value!);
    if (e.links++ === 0) this.leavePending(e);
  }

  /** An authenticated stream of `connection` closed. */
  linkDown(connection: Connection): void {
    const e = this.entries.get(connKey(connection.remoteAddr));
    if (!e || e.gone || connection.direction !== 'inbound' || e.links === 0) return;
    if (--e.links === 0) this.enterPending(e, Math.min(GRACE_MS, this.opts.timeoutMs));
  }

  /**
   * A stream of `connection` failed the handshake: a connection with no authenticated stream is closed
   * after a short grace (the error reply is flushed first), which frees its host's pending slot.
   */
  handshakeFailed(connection: Connection): void {
    const e = this.entries.get(connKey(connection.remoteAddr));
    if (!e || e.gone || connection.direction !== 'inbound') return;
    this.hostFailed(e.host);
    // New streams of an authenticated connection that fail the handshake: a few close it (its own sessions only).
    if (e.links > 0) {
      if (++e.linkedFailures >= MAX_FAILED_HANDSHAKES) this.drop(e, `${e.linkedFailures} handshakes failed on its new streams`);
      return;
    }
    // The grace only shortens the connection's time: a failure every second never keeps it open (each hello
    // costs this node a wallet check), and a few failures close it at once.
    if (++e.failures >= MAX_FAILED_HANDSHAKES) return this.drop(e, `${e.failures} handshakes failed`);
    const at = Math.min(e.deadline, Date.now() + Math.min(GRACE_MS, this.opts.timeoutMs));
    if (at >= e.deadline && e.timer) return;
    clearTimeout(e.timer);
    e.deadline = at;
    e.timer = setTimeout(() => this.drop(e, 'the handshake failed'), Math.max(0, at - Date.now()));
    e.timer.unref?.();
  }

  /** Whether an inbound stream of `connection` may start a handshake now (a burst, then one a second). */
  admitStream(connection: Connection): boolean {
    const e = this.entries.get(connKey(connection.remoteAddr));
    if (!e || e.gone || connection.direction !== 'inbound') return true;
    return e.streams.take();
  }

  private hostFailed(host: string): void {
    charged(this.hostFailures, host, HOST_FAILURES);
    const net = netKey(host);
    if (net) charged(this.netFailures, net, NET_FAILURES);
    this.allFailures.charge(1);
  }

  /** Whether `host`, or its IPv6 /48, opened too many connections lately; else this one is counted. */
  private tooFast(host: string): boolean {
    const rate = this.opts.connectionsPerSecond;
    if (!rate) return false;
    const net = netKey(host);
    const hostBucket = kept(this.hostConnections, host, { burst: rate, perSecond: rate });
    const netBucket = net === null ? null : kept(this.netConnections, net, { burst: 4 * rate, perSecond: 4 * rate });
    // a host over its own rate does not spend its /48's
    if (!hostBucket.take()) return true;
    return netBucket !== null && !netBucket.take();
  }

  /** Whether all hosts together failed too many handshakes to admit `host` now (see ALL_FAILURES). */
  private allRefuse(host: string): boolean {
    if (this.allFailures.charge(0) === 0 || this.authenticated.has(host) || this.opts.partnerHosts?.has(host)) return false;
    return this.hostFailures.has(host) || !this.newHosts.take();
  }

  /** Whether `host`, or its IPv6 /48, failed too many handshakes lately. */
  private hostRefused(host: string): boolean {
    const net = netKey(host);
    return (this.hostFailures.get(host)?.charge(0) ?? 0) > 0 || (net !== null && (this.netFailures.get(net)?.charge(0) ?? 0) > 0);
  }

  /** Pending connections now, in total and per host. */
  snapshot(): { total: number; byHost: Record<string, number> } {
    const byHost: Record<string, number> = {};
    for (const [h, set] of this.pending) byHost[h] = set.size;
    return { total: this.pendingTotal, byHost };
  }

  stop(): void {
    for (const e of this.entries.values()) clearTimeout(e.timer);
    this.entries.clear();
    this.hostFailures.clear();
    this.netFailures.clear();
    this.hostConnections.clear();
    this.netConnections.clear();
    this.authenticated.clear();
    this.pending.clear();
    this.pendingTotal = 0;
  }

  private enterPending(e: Entry, timeoutMs: number): void {
    const set = this.pending.get(e.host);
    if (set && set.size >= this.opts.maxPendingPerHost) this.evict(set.values().next().value!, `${this.opts.maxPendingPerHost} connections of its host are pending`);
    if (this.pendingTotal >= this.opts.maxPending) this.evictFromLargest();
    let s = this.pending.get(e.host);
    if (!s) this.pending.set(e.host, (s = new Set()));
    s.add(e);
    this.pendingTotal++;
    e.pendingSince = Date.now();
    e.deadline = e.pendingSince + timeoutMs;
    e.failures = 0;
    e.timer = setTimeout(() => {
      this.opts.stats.pendingTimedOut++;
      this.drop(e, `no handshake within ${timeoutMs} ms`);
    }, timeoutMs);
    e.timer.unref?.();
  }

  private leavePending(e: Entry): void {
    clearTimeout(e.timer);
    e.timer = undefined;
    const set = this.pending.get(e.host);
    if (!set?.delete(e)) return;
    this.pendingTotal--;
    if (set.size === 0) this.pending.delete(e.host);
  }

  private evictFromLargest(): void {
    let victim: Entry | undefined;
    let most = 0;
    for (const set of this.pending.values()) {
      const oldest = set.values().next().value!;
      if (set.size > most || (set.size === most && victim && oldest.pendingSince < victim.pendingSince)) {
        most = set.size;
        victim = oldest;
      }
    }
    if (victim) this.evict(victim, 'too many pending connections');
  }

  private evict(e: Entry, why: string): void {
    this.opts.stats.pendingEvicted++;
    this.drop(e, why);
  }

  private drop(e: Entry, why: string): void {
    this.opts.log(`closing a${e.links > 0 ? 'n authenticated' : ' pending'} connection from ${e.key}: ${why}`);
    this.forget(e);
    e.maConn.abort(new Error(why));
  }

  private forget(e: Entry): void {
    if (e.gone) return;
    e.gone = true;
    this.leavePending(e);
    if (this.entries.get(e.key) === e) this.entries.delete(e.key);
  }
}
