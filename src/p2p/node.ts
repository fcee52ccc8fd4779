// The SynChannel p2p node: libp2p 3 (TCP + Noise + Yamux) with the `/synchannel/1.0.0` protocol service.
import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { Libp2p } from 'libp2p';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { Connection, PeerId, Startable, Stream } from '@libp2p/interface';
import type { Address } from '@ton/core';
import type { KeyPair } from '../core/signer.js';
import { P2PError } from './errors.js';
import { loadOrCreateIdentity } from './identity.js';
import { loadDeps } from './deps.js';
import { Link, newStats, TokenBucket, type LinkOptions, type P2PStats, type PartnerInfo, type RateLimit, type VerifyWalletOwnership } from './link.js';
import { PeerSession } from './session.js';

export const SYNCHANNEL_PROTOCOL = '/synchannel/1.0.0';

// ---- the protocol as a libp2p service (in the style of @libp2p/ping) ------------------------------

/** The parts of libp2p's components the service uses. */
export interface SynChannelServiceComponents {
  peerId: PeerId;
  registrar: {
    handle(protocol: string, handler: (stream: Stream, connection: Connection) => void | Promise<void>, options?: { maxInboundStreams?: number; maxOutboundStreams?: number }): Promise<void>;
    unhandle(protocol: string): Promise<void>;
  };
  transportManager: { listen(addrs: Multiaddr[]): Promise<void>; getAddrs(): Multiaddr[] };
}

export interface SynChannelServiceInit {
  /** Called for every inbound stream of the protocol. */
  onStream(stream: Stream, connection: Connection): void;
  maxInboundStreams?: number;
  maxOutboundStreams?: number;
}

export class SynChannelService implements Startable {
  readonly protocol = SYNCHANNEL_PROTOCOL;
  readonly [Symbol.toStringTag] = '@synchannel/p2p';
  private started = false;

  constructor(
    private readonly components: SynChannelServiceComponents,
    private readonly init: SynChannelServiceInit,
  ) {}

  async start(): Promise<void> {
    await this.components.registrar.handle(this.protocol, (stream, connection) => this.init.onStream(stream, connection), {
      maxInboundStreams: this.init.maxInboundStreams ?? 8,
      maxOutboundStreams: this.init.maxOutboundStreams ?? 8,
    });
    this.started = true;
  }

  async stop(): Promise<void> {
    await this.components.registrar.unhandle(this.protocol);
    this.started = false;
  }

  isStarted(): boolean {
    return this.started;
  }

  /** Starts listening on more addresses (the node starts with none). */
  async listen(addrs: Multiaddr[]): Promise<void> {
    await this.components.transportManager.listen(addrs);
  }

  listeningAddrs(): Multiaddr[] {
    return this.components.transportManager.getAddrs();
  }
}

export function synChannelService(init: SynChannelServiceInit): (components: SynChannelServiceComponents) => SynChannelService {
  return (components) => new SynChannelService(components, init);
}

// ---- the node ---------------------------------------------------------------------------------------

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
  /** Per-peer frame rate limit (default 500/s, burst 1000). */
  rateLimit?: RateLimit;
  handshakeTimeoutMs?: number;
  /** Invalid frames tolerated on one stream before it is dropped (default 100). */
  maxInvalidFrames?: number;
  /** Inbound connection attempts accepted per second from one host (default 30). */
  inboundConnectionsPerSecond?: number;
}

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

const MAX_OBSERVED = 8;

function isPrivateIp(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  const l = ip.toLowerCase();
  return l === '::1' || l === '::' || l.startsWith('fe8') || l.startsWith('fe9') || l.startsWith('fea') || l.startsWith('feb') || l.startsWith('fc') || l.startsWith('fd');
}

function hostOf(ma: Multiaddr): string | undefined {
  return ma.getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6')?.value;
}

function withPeer(ma: string | Multiaddr, peerId: string): string {
  const s = ma.toString();
  return s.includes('/p2p/') ? s : `${s}/p2p/${peerId}`;
}

/** Parses a multiaddr to dial, with the errors a person can act on. */
export function parseDialAddr(addr: string): { ma: Multiaddr; peerId: string } {
  let ma: Multiaddr;
  try {
    ma = multiaddr(addr.trim());
  } catch (e) {
    throw new P2PError('BAD_MULTIADDR', `'${addr}' is not a multiaddr (${(e as Error).message}); expected e.g. /ip4/192.168.1.5/tcp/4001/p2p/12D3KooW…`, { cause: e });
  }
  const comps = ma.getComponents();
  const peerId = comps.find((c) => c.name === 'p2p')?.value;
  if (!peerId) {
    throw new P2PError('MISSING_PEER_ID', `'${addr}' has no /p2p/<peer id>; copy the full address the partner's serve printed (it ends in /p2p/12D3KooW…)`);
  }
  if (!comps.some((c) => c.name === 'tcp')) {
    throw new P2PError('BAD_MULTIADDR', `'${addr}' has no /tcp/<port>; SynChannel dials TCP: expected e.g. /ip4/192.168.1.5/tcp/4001/p2p/${peerId}`);
  }
  return { ma, peerId };
}

function classifyDialError(e: unknown, addr: string, expectedPeer: string, timedOut: boolean, timeoutMs: number): P2PError {
  if (e instanceof P2PError) return e;
  const text = collectMessages(e);
  if (timedOut) return new P2PError('DIAL_TIMEOUT', `no answer from ${addr} within ${timeoutMs} ms; check the address, that the partner is serving, and firewalls`, { cause: e });
  if (/ECONNREFUSED/i.test(text)) return new P2PError('CONNECTION_REFUSED', `${addr} refused the connection: nothing is listening there; ask the partner to run serve and check the port`, { cause: e });
  if (/unexpected ?peer|UnexpectedPeer|peer id.*(mismatch|did not match)|does not match expected remote identity/i.test(text)) {
    return new P2PError('PEER_ID_MISMATCH', `the node at ${addr} is not ${expectedPeer}; the partner's identity changed or the address is stale: ask for its current multiaddr`, { cause: e });
  }
  if (/dial(ing)? self/i.test(text)) return new P2PError('DIAL_SELF', `${addr} is this node itself; connect to the partner's address`, { cause: e });
  if (/protocol.*(not supported|selection failed)|UnsupportedProtocol/i.test(text)) {
    return new P2PError('DIAL_FAILED', `${addr} does not speak ${SYNCHANNEL_PROTOCOL}; is it a SynChannel node?`, { cause: e });
  }
  return new P2PError('DIAL_FAILED', `could not connect to ${addr}: ${text.slice(0, 300)}`, { cause: e });
}

function collectMessages(e: unknown, depth = 0): string {
  if (!e || depth > 4) return '';
  const err = e as { name?: string; message?: string; code?: string; errors?: unknown[]; cause?: unknown };
  const parts = [err.name, err.code, err.message].filter(Boolean).join(' ');
  const nested = [...(err.errors ?? []), err.cause].map((x) => collectMessages(x, depth + 1)).filter(Boolean);
  return [parts, ...nested].join(' | ');
}

export class P2PNode extends EventEmitter<P2PNodeEvents> {
  readonly peerId: string;
  readonly stats: P2PStats = newStats();
  private readonly sessionsByAddress = new Map<string, PeerSession>();
  private readonly links = new Set<Link>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly observed = new Set<string>();
  private readonly announce: string[];
  private readonly log: (line: string) => void;
  private stopped = false;

  private constructor(
    private readonly libp2p: Libp2p<{ synchannel: SynChannelService }>,
    private readonly opts: P2PNodeOptions,
  ) {
    super();
    this.peerId = libp2p.peerId.toString();
    this.log = opts.log ?? (() => undefined);
    this.announce = (opts.announce ?? []).map((a) => withPeer(parseAnnounce(a), this.peerId));
  }

  static async create(opts: P2PNodeOptions): Promise<P2PNode> {
    const privateKey = await loadOrCreateIdentity(opts.dataDir);
    for (const a of opts.announce ?? []) parseAnnounce(a);
    const { createLibp2p, tcp, noise, yamux } = await loadDeps();
    const ref: { node?: P2PNode } = {};
    const libp2p = await createLibp2p({
      privateKey,
      addresses: { listen: [] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      // Never let a gater refuse loopback/LAN peers: the people using this choose whom to dial.
      connectionGater: { denyDialMultiaddr: () => false },
      // libp2p's default (5 inbound connections per second per host) resets honest peers behind one NAT
      // or reconnecting quickly; 30 still bounds a flood.
      connectionManager: { inboundConnectionThreshold: opts.inboundConnectionsPerSecond ?? 30 },
      services: {
        synchannel: synChannelService({
          onStream: (stream, connection) => {
            if (!ref.node) stream.abort(new Error('starting'));
            else ref.node.onInboundStream(stream, connection);
          },
        }),
      },
    });
    ref.node = new P2PNode(libp2p, opts);
    return ref.node;
  }

  /** Listens on `host:port` (default all interfaces; port 0 picks a free one); returns the addresses to share. */
  async serve(port = 0, host = '0.0.0.0'): Promise<ServeAddresses> {
    this.assertRunning();
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new P2PError('LISTEN_FAILED', `port ${port} is not 0..65535`);
    const family = isIP(host);
    if (!family) throw new P2PError('LISTEN_FAILED', `host '${host}' is not an IP address; use 0.0.0.0 (all interfaces), 127.0.0.1 or an interface IP`);
    try {
      await this.libp2p.services.synchannel.listen([multiaddr(`/ip${family}/${host}/tcp/${port}`)]);
    } catch (e) {
      throw new P2PError('LISTEN_FAILED', `cannot listen on ${host}:${port} (${collectMessages(e).slice(0, 200)}); pick another port or 0 for a free one`, { cause: e });
    }
    return this.addresses();
  }

  /** The multiaddrs to share now (WAN grows as peers report what they observed). */
  addresses(): ServeAddresses {
    const lan = new Set<string>();
    for (const ma of this.libp2p.services.synchannel.listeningAddrs()) {
      const host = hostOf(ma);
      const port = ma.getComponents().find((c) => c.name === 'tcp')?.value;
      if (!host || !port) continue;
      if (host === '0.0.0.0' || host === '::') {
        const v6 = host === '::';
        for (const list of Object.values(networkInterfaces())) {
          for (const i of list ?? []) {
            if ((i.family === 'IPv6') !== v6) continue;
            if (v6 && i.address.toLowerCase().startsWith('fe80')) continue;
            lan.add(withPeer(`/ip${v6 ? 6 : 4}/${i.address}/tcp/${port}`, this.peerId));
          }
        }
      } else {
        lan.add(withPeer(ma, this.peerId));
      }
    }
    return { lan: [...lan], wan: [...new Set([...this.announce, ...this.observed])] };
  }

  /** Dials `addr` (must end in /p2p/<peer id>), runs the handshake, and returns the partner's session. */
  async connect(addr: string, options: ConnectOptions = {}): Promise<PeerSession> {
    this.assertRunning();
    const { ma } = parseDialAddr(addr);
    const { link, partner } = await this.dialLink(ma, options.timeoutMs ?? 10_000);
    const session = this.adopt(link, partner);
    session.dialAddr = ma;
    return session;
  }

  /** Live sessions, one per partner wallet address. */
  sessions(): PeerSession[] {
    return [...this.sessionsByAddress.values()];
  }

  session(address: Address): PeerSession | undefined {
    return this.sessionsByAddress.get(address.toRawString());
  }

  /** Test and diagnostics hook: drops every libp2p connection (sessions stay and resume). */
  dropConnections(): void {
    for (const c of this.libp2p.getConnections()) c.abort(new Error('connections dropped on request'));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.sessions()) s.close();
    for (const l of this.links) l.close('node stopping');
    await this.libp2p.stop();
  }

  // ---- internals ----

  private assertRunning(): void {
    if (this.stopped) throw new P2PError('NODE_STOPPED', 'the p2p node is stopped; create a new one');
  }

  private linkOptions(peerId: string): LinkOptions {
    let bucket = this.buckets.get(peerId);
    if (!bucket) {
      if (this.buckets.size > 1024) this.buckets.clear();
      bucket = new TokenBucket(this.opts.rateLimit ?? { perSecond: 500, burst: 1000 });
      this.buckets.set(peerId, bucket);
    }
    return {
      local: {
        peerId: this.peerId,
        walletAddress: this.opts.walletAddress,
        walletKey: this.opts.walletKey,
        channelPublicKey: this.opts.channelPublicKey ?? this.opts.walletKey.publicKey,
      },
      verifyWalletOwnership: this.opts.verifyWalletOwnership,
      stats: this.stats,
      bucket,
      handshakeTimeoutMs: this.opts.handshakeTimeoutMs ?? 10_000,
      maxInvalidFrames: this.opts.maxInvalidFrames ?? 100,
      log: this.log,
    };
  }

  private track(link: Link): void {
    this.links.add(link);
    const prev = link.onClose;
    link.onClose = (reason) => {
      this.links.delete(link);
      prev?.(reason);
    };
    // The session replaces onClose on attach; keep the tracking set honest either way.
    link.stream.addEventListener('close', () => this.links.delete(link));
  }

  private onInboundStream(stream: Stream, connection: Connection): void {
    if (this.stopped) {
      stream.abort(new Error('node stopping'));
      return;
    }
    const link = new Link(stream, connection, this.linkOptions(connection.remotePeer.toString()));
    this.track(link);
    link.handshake.then(
      (partner) => {
        this.noteObserved(link);
        this.adopt(link, partner);
      },
      (e: unknown) => this.log(`inbound handshake from ${link.partnerPeerId} failed: ${(e as Error).message}`),
    );
  }

  private noteObserved(link: Link): void {
    if (!link.observedByPartner || this.observed.size >= MAX_OBSERVED) return;
    try {
      const ma = multiaddr(link.observedByPartner);
      const host = hostOf(ma);
      if (host && !isPrivateIp(host) && ma.getComponents().some((c) => c.name === 'tcp')) this.observed.add(withPeer(ma, this.peerId));
    } catch {
      // a peer's opinion of our address is only a hint
    }
  }

  private async dialLink(ma: Multiaddr, timeoutMs: number): Promise<{ link: Link; partner: PartnerInfo }> {
    const expectedPeer = ma.getComponents().find((c) => c.name === 'p2p')?.value ?? '';
    if (expectedPeer === this.peerId) throw new P2PError('DIAL_SELF', `${ma.toString()} is this node itself; connect to the partner's address`);
    const signal = AbortSignal.timeout(timeoutMs);
    let connection: Connection;
    let stream: Stream;
    try {
      connection = await this.libp2p.dial(ma, { signal });
      stream = await connection.newStream(SYNCHANNEL_PROTOCOL, { signal });
    } catch (e) {
      throw classifyDialError(e, ma.toString(), expectedPeer, signal.aborted, timeoutMs);
    }
    if (connection.remotePeer.toString() !== expectedPeer) {
      stream.abort(new Error('peer id mismatch'));
      throw new P2PError('PEER_ID_MISMATCH', `the node at ${ma.toString()} is ${connection.remotePeer.toString()}, not ${expectedPeer}; ask the partner for its current multiaddr`);
    }
    const link = new Link(stream, connection, this.linkOptions(expectedPeer));
    this.track(link);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new P2PError('HANDSHAKE_TIMEOUT', `${ma.toString()} did not finish the handshake within ${timeoutMs} ms`)), Math.max(1, timeoutMs - 0));
    });
    try {
      const partner = await Promise.race([link.handshake, timeout]);
      return { link, partner };
    } catch (e) {
      link.abort((e as Error).message);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Attaches an authenticated link to the partner's session, creating the session on first contact. */
  private adopt(link: Link, partner: PartnerInfo): PeerSession {
    if (this.stopped) {
      link.close('node stopping');
      throw new P2PError('NODE_STOPPED', 'the p2p node is stopped');
    }
    const key = partner.walletAddress.toRawString();
    let session = this.sessionsByAddress.get(key);
    const fresh = !session || session.isClosed;
    if (!session || session.isClosed) {
      session = new PeerSession(partner, {
        stats: this.stats,
        log: this.log,
        redial: (s, addr) => this.redial(s, addr),
        forget: (s) => {
          if (this.sessionsByAddress.get(key) === s) this.sessionsByAddress.delete(key);
        },
      });
      this.sessionsByAddress.set(key, session);
    }
    session.attach(link, partner);
    if (fresh) this.emit('session', session);
    return session;
  }

  private async redial(session: PeerSession, addr: Multiaddr): Promise<void> {
    if (this.stopped || session.isClosed) return;
    const { link, partner } = await this.dialLink(addr, 10_000);
    if (!partner.walletAddress.equals(session.partner.walletAddress)) {
      link.close('a different wallet answered');
      throw new P2PError('HANDSHAKE_FAILED', `${addr.toString()} now belongs to wallet ${partner.walletAddress.toString()}, not ${session.partner.walletAddress.toString()}`);
    }
    this.adopt(link, partner);
  }
}

function parseAnnounce(a: string): Multiaddr {
  try {
    return multiaddr(a);
  } catch (e) {
    throw new P2PError('BAD_MULTIADDR', `announce address '${a}' is not a multiaddr; expected e.g. /ip4/203.0.113.7/tcp/4001`, { cause: e });
  }
}
