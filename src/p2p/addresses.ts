// The addresses a node shares: interface addresses of its listeners (LAN), announced and observed (WAN).
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { P2PError } from './errors.js';
import { hostKey } from './guard.js';

export const MAX_OBSERVED = 8;
/** Observed addresses tallied at once (the ones beyond are dropped, the least reported first). */
const MAX_TALLIED = 64;

/**
 * What peers report they see as our address (hello.observed), tallied by the hosts that report it: one machine
 * counts once, however many wallets it connects with. Only the IP and TCP port are taken, with our own peer id
 * (a peer id in the report is dropped): a planted address can at worst fail to connect, never reach another node
 * in our name. The most reported come first; newer reports of an address are never shut out by older ones.
 */
export class ObservedAddresses {
  private readonly tally = new Map<string, Set<string>>();

  constructor(private readonly peerId: string) {}

  /** Notes that `reporter` (the reporting peer's IP) sees us at `observed`; ignored unless a public IP and TCP port. */
  note(observed: string, reporter: string): void {
    let ma: Multiaddr;
    try {
      ma = multiaddr(observed);
    } catch {
      return; // a peer's opinion of our address is only a hint
    }
    const c = ma.getComponents();
    const ip = c.find((x) => x.name === 'ip4' || x.name === 'ip6');
    const port = c.find((x) => x.name === 'tcp')?.value;
    if (!ip?.value || !port || isPrivateIp(ip.value) || !/^\d{1,5}$/.test(port) || Number(port) > 65535) return;
    const addr = `/${ip.name}/${ip.value}/tcp/${port}/p2p/${this.peerId}`;
    let hosts = this.tally.get(addr);
    if (!hosts) {
      if (this.tally.size >= MAX_TALLIED) this.dropLeast();
      this.tally.set(addr, (hosts = new Set()));
    }
    if (hosts.size < MAX_TALLIED) hosts.add(reporterHost(reporter));
  }

  /** The addresses to share: at most MAX_OBSERVED, the most reported first. */
  list(): string[] {
    return [...this.tally.entries()].sort((a, b) => b[1].size - a[1].size).slice(0, MAX_OBSERVED).map(([a]) => a);
  }

  /**
   * Drops one of the least reported addresses: of those, the oldest of the host that reports the most addresses (as
   * guard.ts does with connections: a host flooding addresses only ever pushes out its own, never another's report).
   */
  private dropLeast(): void {
    const perHost = new Map<string, number>();
    for (const hosts of this.tally.values()) for (const h of hosts) perHost.set(h, (perHost.get(h) ?? 0) + 1);
    let least: string | null = null;
    let n = Infinity;
    let top = -1;
    for (const [a, hosts] of this.tally) {
      const most = Math.max(0, ...[...hosts].map((h) => perHost.get(h)!));
      if (hosts.size < n || (hosts.size === n && most > top)) [least, n, top] = [a, hosts.size, most];
    }
    if (least !== null) this.tally.delete(least);
  }
}

/** The machine a report comes from, as the connection caps count it (guard.ts hostKey): an IPv4 address, or an IPv6 /64. */
function reporterHost(ip: string): string {
  try {
    return hostKey(multiaddr(`/${isIP(ip) === 6 ? 'ip6' : 'ip4'}/${ip}`));
  } catch {
    return ip;
  }
}

export function isPrivateIp(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  const l = ip.toLowerCase();
  return l === '::1' || l === '::' || l.startsWith('fe8') || l.startsWith('fe9') || l.startsWith('fea') || l.startsWith('feb') || l.startsWith('fc') || l.startsWith('fd');
}

export function hostOf(ma: Multiaddr): string | undefined {
  return ma.getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6')?.value;
}

export function withPeer(ma: string | Multiaddr, peerId: string): string {
  const s = ma.toString();
  return s.includes('/p2p/') ? s : `${s}/p2p/${peerId}`;
}

/** The listeners' addresses with /p2p/<peer id>; a wildcard listener is expanded to the interfaces' IPs. */
export function lanAddresses(listening: Multiaddr[], peerId: string): Set<string> {
  const lan = new Set<string>();
  for (const ma of listening) {
    const host = hostOf(ma);
    const port = ma.getComponents().find((c) => c.name === 'tcp')?.value;
    if (!host || !port) continue;
    if (host === '0.0.0.0' || host === '::') {
      const v6 = host === '::';
      for (const list of Object.values(networkInterfaces())) {
        for (const i of list ?? []) {
          if ((i.family === 'IPv6') !== v6) continue;
          if (v6 && i.address.toLowerCase().startsWith('fe80')) continue;
          lan.add(withPeer(`/ip${v6 ? 6 : 4}/${i.address}/tcp/${port}`, peerId));
        }
      }
    } else {
      lan.add(withPeer(ma, peerId));
    }
  }
  return lan;
}

const HOSTS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6']);

/**
 * An --announce address: this node's own host and TCP port (/ip4|ip6|dns…/<host>/tcp/<port>), nothing else; the
 * node adds its peer id. BAD_ANNOUNCE, not BAD_MULTIADDR: its hint is about your own address, not the partner's.
 */
export function parseAnnounce(a: string): Multiaddr {
  const bad = (why: string, cause?: unknown) => new P2PError('BAD_ANNOUNCE', `announce address '${a}' ${why}; expected e.g. /ip4/203.0.113.7/tcp/4001`, cause === undefined ? undefined : { cause });
  let ma: Multiaddr;
  try {
    ma = multiaddr(a);
  } catch (e) {
    throw bad('is not a multiaddr', e);
  }
  const parts = ma.getComponents();
  if (parts.some((c) => c.name === 'p2p')) throw bad('has a /p2p/ part: leave out the /p2p/ part, the node adds its own peer id');
  if (!parts[0] || !HOSTS.has(parts[0].name)) throw bad('has no host first (/ip4, /ip6 or /dns…)');
  if (parts[1]?.name !== 'tcp') throw bad('has no TCP port after its host');
  if (parts.length > 2) throw bad('has more than a host and a TCP port: give only a host and a TCP port');
  if (parts[0].value === '0.0.0.0' || parts[0].value === '::') throw bad('is not an address a partner can dial (it means all interfaces): give your public IP or name');
  return ma;
}
