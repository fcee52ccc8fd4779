// The SynChannel p2p node: libp2p 3 (TCP + Noise + Yamux: stack.ts) with the `/synchannel/1.0.0` protocol service,
// inbound connection limits (guard.ts), per-peer quotas (quota.ts) and bounded guest sessions (guests.ts).
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import type { Libp2p } from 'libp2p';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { Connection, Stream } from '@libp2p/interface';
import { Address } from '@ton/core';
import { P2PError } from './errors.js';
import { emitSafely } from './emit.js';
import { loadOrCreateIdentity } from './identity.js';
import { Link, type LinkOptions, type PartnerInfo } from './link.js';
import { newStats, type P2PStats } from './stats.js';
import { PeerSession } from './session.js';
import { QuotaTable, TokenBucket, type PeerQuota } from './quota.js';
import { hostKey, InboundGuard } from './guard.js';
import { PartnerHosts } from './partnerhosts.js';
import { GuestPolicy } from './guests.js';
import { checkDialPeerId, classifyDialError, listenError, parseDialAddr, SYNCHANNEL_PROTOCOL } from './diagnose.js';
import type { SynChannelService } from './service.js';
import { createStack } from './stack.js';
import { P2P_DEFAULTS, type ConnectOptions, type P2PNodeEvents, type P2PNodeOptions, type ServeAddresses } from './options.js';
import { hostOf, lanAddresses, ObservedAddresses, parseAnnounce, withPeer } from './addresses.js';

export { SYNCHANNEL_PROTOCOL, checkDialPeerId, parseDialAddr } from './diagnose.js';
export { SynChannelService, synChannelService } from './service.js';
export type { SynChannelServiceComponents, SynChannelServiceInit } from './service.js';

export { P2P_DEFAULTS, type ConnectOptions, type P2PNodeEvents, type P2PNodeOptions, type ServeAddresses } from './options.js';

export class P2PNode extends EventEmitter<P2PNodeEvents> {
  readonly peerId: string;
  private readonly sessionsByAddress = new Map<string, PeerSession>();
  private readonly links = new Set<Link>();
  private readonly quotas: QuotaTable;
  private readonly partnerQuotas: QuotaTable;
  private readonly guests: GuestPolicy;
  private readonly observed: ObservedAddresses;
  private readonly announce: string[];
  /** Per session: its takeovers by inbound streams, and when a refused one was last logged. */
  private readonly reattaches = new WeakMap<PeerSession, { bucket: TokenBucket; told: number }>();
  private readonly log: (line: string) => void;
  private stopped = false;

  private constructor(
    private readonly libp2p: Libp2p<{ synchannel: SynChannelService }>,
    private readonly opts: P2PNodeOptions,
    readonly stats: P2PStats,
    private readonly guard: InboundGuard,
    private readonly partnerHosts: PartnerHosts,
  ) {
    super();
    this.peerId = libp2p.peerId.toString();
    this.log = opts.log ?? (() => undefined);
    this.announce = (opts.announce ?? []).map((a) => withPeer(parseAnnounce(a), this.peerId));
    this.observed = new ObservedAddresses(this.peerId);
    this.quotas = new QuotaTable(opts.rateLimit ?? P2P_DEFAULTS.rateLimit, opts.byteRateLimit ?? P2P_DEFAULTS.byteRateLimit);
    this.partnerQuotas = new QuotaTable(opts.partnerRateLimit ?? P2P_DEFAULTS.partnerRateLimit, opts.partnerByteRateLimit ?? P2P_DEFAULTS.partnerByteRateLimit);
    this.guests = new GuestPolicy({
      isPartner: opts.isPartner ?? (() => false),
      ...(opts.keepGuest ? { keepGuest: opts.keepGuest } : {}),
      idleTimeoutMs: opts.idleTimeoutMs ?? P2P_DEFAULTS.idleTimeoutMs,
      maxGuests: opts.maxGuestSessions ?? P2P_DEFAULTS.maxGuestSessions,
      stats,
      log: this.log,
      sessions: () => this.sessions(),
    });
  }

  static async create(opts: P2PNodeOptions): Promise<P2PNode> {
    const privateKey = await loadOrCreateIdentity(opts.dataDir);
    for (const a of opts.announce ?? []) parseAnnounce(a);
    const stats = newStats();
    const partnerHosts = await PartnerHosts.load(opts.dataDir, opts.log ?? (() => undefined));
    const guard = new InboundGuard({
      maxPending: opts.maxPendingConnections ?? P2P_DEFAULTS.maxPendingConnections,
      maxPendingPerHost: opts.maxPendingPerHost ?? P2P_DEFAULTS.maxPendingPerHost,
      timeoutMs: opts.pendingTimeoutMs ?? P2P_DEFAULTS.pendingTimeoutMs,
      connectionsPerSecond: opts.inboundConnectionsPerSecond ?? P2P_DEFAULTS.inboundConnectionsPerSecond,
      stats,
      log: opts.log ?? (() => undefined),
      partnerHosts,
    });
    const ref: { node?: P2PNode } = {};
    const libp2p = await createStack(privateKey, opts, guard, (stream, connection) => {
      if (!ref.node) stream.abort(new Error('starting'));
      else ref.node.onInboundStream(stream, connection);
    });
    ref.node = new P2PNode(libp2p, opts, stats, guard, partnerHosts);
    return ref.node;
  }

  /** Listens on `host:port` (default all interfaces; port 0 picks a free one); returns the addresses to share. */
  async serve(port = 0, host = '0.0.0.0'): Promise<ServeAddresses> {
    this.assertRunning();
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new P2PError('LISTEN_FAILED', `port ${port} is not 0..65535: pick another port, or 0 for a free one`);
    const family = isIP(host);
    if (!family) throw new P2PError('LISTEN_ADDRESS', `host '${host}' is not an IP address; use 0.0.0.0 (all interfaces), 127.0.0.1 or an interface IP`);
    try {
      await this.libp2p.services.synchannel.listen([multiaddr(`/ip${family}/${host}/tcp/${port}`)]);
    } catch (e) {
      throw listenError(e, host, port);
    }
    return this.addresses();
  }

  /**
   * Sets who is a partner (see P2PNodeOptions.isPartner) once the node that knows the channels exists.
   * Consulted whenever guests are counted or swept.
   */
  setIsPartner(isPartner: (walletAddress: Address) => boolean): void {
    this.guests.setIsPartner(isPartner);
  }

  /** Sets which guests to keep when there are too many (see P2PNodeOptions.keepGuest). */
  setKeepGuest(keepGuest: (walletAddress: Address) => boolean): void {
    this.guests.setKeepGuest(keepGuest);
  }

  /** Inbound connections that have not finished the handshake yet, in total and per host (diagnostics). */
  pendingConnections(): { total: number; byHost: Record<string, number> } {
    return this.guard.snapshot();
  }

  /** The multiaddrs to share now (WAN grows as peers report what they observed). */
  addresses(): ServeAddresses {
    const lan = lanAddresses(this.libp2p.services.synchannel.listeningAddrs(), this.peerId);
    return { lan: [...lan], wan: [...new Set([...this.announce, ...this.observed.list()])] };
  }

  /** Dials `addr` (must end in /p2p/<peer id>), runs the handshake, and returns the partner's session. */
  async connect(addr: string, options: ConnectOptions = {}): Promise<PeerSession> {
    this.assertRunning();
    await checkDialPeerId(addr);
    const { ma, peerId } = parseDialAddr(addr);
    // A partner connected now is answered with its live session: a new link would take the session over (its
    // disconnection told, a payment on its way interrupted). The address typed is not tried then.
    const live = this.sessions().find((s) => s.connected && !s.isClosed && s.partner.peerId === peerId);
    if (live) return live;
    const { link, partner } = await this.dialLink(ma, options.timeoutMs ?? 10_000);
    return this.adopt(link, partner, ma);
  }

  /** Live sessions, one per partner wallet address. */
  sessions(): PeerSession[] {
    return [...this.sessionsByAddress.values()];
  }

  session(address: Address | string): PeerSession | undefined {
    if (typeof address !== 'string') return this.sessionsByAddress.get(address.toRawString());
    // A raw address as toRawString writes it is the key itself (no parse on every message); else parse it.
    return this.sessionsByAddress.get(address) ?? this.sessionsByAddress.get(Address.parse(address).toRawString());
  }

  /**
   * `wallet` just became a partner (a channel with it stored here): the host it dialed in from (if it did) is kept at
   * once, as at its next login (a kill -9 before that would lose it).
   */
  partnerNow(wallet: Address | string): void {
    const s = this.session(wallet);
    if (s?.remoteHost) this.partnerHosts.note(s.remoteHost, s.partner.walletAddress.toRawString());
  }

  /** Test and diagnostics hook: drops every libp2p connection (sessions stay and resume). */
  dropConnections(): void {
    for (const c of this.libp2p.getConnections()) c.abort(new Error('connections dropped on request'));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.guests.stop();
    for (const s of this.sessions()) {
      // the hosts of partners connected now are kept for the guard after a restart (written once, below)
      if (s.remoteHost && this.guests.isPartner(s.partner.walletAddress)) this.partnerHosts.note(s.remoteHost, s.partner.walletAddress.toRawString(), false);
      s.close('the node is stopping');
    }
    for (const l of this.links) l.close('node stopping');
    await this.libp2p.stop();
    this.guard.stop();
    await this.partnerHosts.flush();
  }

  // ---- internals ----

  private assertRunning(): void {
    if (this.stopped) throw new P2PError('NODE_STOPPED', 'the p2p node is stopped; create a new one');
  }

  private linkOptions(peerId: string): LinkOptions {
    return {
      local: {
        peerId: this.peerId,
        walletAddress: this.opts.walletAddress,
        walletKey: this.opts.walletKey,
        channelPublicKey: this.opts.channelPublicKey ?? this.opts.walletKey.publicKey,
      },
      verifyWalletOwnership: this.opts.verifyWalletOwnership,
      stats: this.stats,
      quota: this.quotas.get(peerId),
      partnerQuota: () => this.partnerQuota(peerId),
      handshakeTimeoutMs: this.opts.handshakeTimeoutMs ?? P2P_DEFAULTS.handshakeTimeoutMs,
      maxInvalidFrames: this.opts.maxInvalidFrames ?? P2P_DEFAULTS.maxInvalidFrames,
      log: this.log,
    };
  }

  /**
   * A partner's quota (a session that is no guest: a channel with us, or we dialed it), else null. Kept per
   * wallet, the identity the handshake proved: a new peer id costs nothing and must not refill it.
   */
  private partnerQuota(peerId: string): PeerQuota | null {
    for (const [wallet, s] of this.sessionsByAddress) if (s.partner.peerId === peerId && !this.guests.isGuest(s)) return this.partnerQuotas.get(wallet);
    return null;
  }

  /** Keeps the set of links and the guard's count of authenticated streams per connection. */
  private track(link: Link): void {
    this.links.add(link);
    let up = false;
    link.handshake.then(
      () => {
        if (!link.isOpen) return;
        up = true;
        this.guard.linkUp(link.connection);
      },
      () => this.guard.handshakeFailed(link.connection),
    );
    // 'close' comes once the stream is done (after a graceful close has flushed what was queued).
    link.stream.addEventListener('close', () => {
      this.links.delete(link);
      if (up) this.guard.linkDown(link.connection);
      up = false;
    });
  }

  private onInboundStream(stream: Stream, connection: Connection): void {
    if (this.stopped) {
      stream.abort(new Error('node stopping'));
      return;
    }
    if (!this.guard.admitStream(connection)) {
      this.stats.streamsRefused++;
      stream.abort(new Error('too many new streams on this connection: at most one a second'));
      return;
    }
    const link = new Link(stream, connection, this.linkOptions(connection.remotePeer.toString()));
    this.track(link);
    link.handshake.then(
      (partner) => {
        this.noteObserved(link);
        // a partner's host gets in while failed handshakes flood this node, also after a restart (partnerhosts.ts)
        if (this.guests.isPartner(partner.walletAddress)) this.partnerHosts.note(hostKey(link.connection.remoteAddr), partner.walletAddress.toRawString());
        try {
          this.adopt(link, partner);
        } catch (e) {
          this.log(`inbound session from ${link.partnerPeerId} not started: ${(e as Error).message}`);
        }
      },
      (e: unknown) => this.log(`inbound handshake from ${link.partnerPeerId} failed: ${(e as Error).message}`),
    );
  }

  private noteObserved(link: Link): void {
    const reporter = hostOf(link.connection.remoteAddr);
    if (link.observedByPartner && reporter) this.observed.note(link.observedByPartner, reporter);
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
  private adopt(link: Link, partner: PartnerInfo, dialAddr?: Multiaddr): PeerSession {
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
    // Streams the partner opened (our own dials and redials are not counted)
    if (!fresh && link.direction === 'inbound' && !this.mayReattach(session, link)) return session;
    if (dialAddr) session.dialAddr = dialAddr;
    session.remoteHost = hostKey(link.connection.remoteAddr);
    session.attach(link, partner);
    if (fresh) {
      if (this.guests.isGuest(session)) this.guests.admitted(session);
      emitSafely(this as EventEmitter, 'session', [session], this.log);
    }
    return session;
  }

  /**
   * Whether a new inbound stream may take over a session: each takeover resends its whole unacknowledged
   * outbox, so a peer re-handshaking in a loop would make the node send megabytes for a few frames.
   */
  private mayReattach(session: PeerSession, link: Link): boolean {
    let r = this.reattaches.get(session);
    if (!r) this.reattaches.set(session, (r = { bucket: new TokenBucket(this.opts.reattachRateLimit ?? P2P_DEFAULTS.reattachRateLimit), told: 0 }));
    const wait = r.bucket.takeOrWait();
    if (wait === 0) return true;
    this.stats.rateLimited++;
    link.sendError('RATE_LIMITED', `this wallet reconnected too often: connect again in ${Math.ceil(wait / 1000)} s`);
    link.close('reconnecting too often');
    if (Date.now() - r.told > 10_000) {
      r.told = Date.now();
      this.log(`session with ${link.partnerPeerId}: a new connection refused: it reconnects too often`);
    }
    return false;
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
