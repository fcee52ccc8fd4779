// The libp2p instance under a P2PNode: TCP + Noise + a bounded Yamux, the guard as connection gater, and
// libp2p's own limits set so that the guard's (guard.ts) and the muxer's (muxer.ts) are the ones that apply.
import type { Libp2p } from 'libp2p';
import type { Connection, PrivateKey, Stream } from '@libp2p/interface';
import { loadDeps } from './deps.js';
import type { InboundGuard } from './guard.js';
import { boundedYamux } from './muxer.js';
import { P2P_DEFAULTS, type P2PNodeOptions } from './options.js';
import { synChannelService, type SynChannelService } from './service.js';

/** Inbound streams one connection may hold open at once (yamux resets the ones above). */
const MAX_INBOUND_STREAMS = 16;
/** How long an inbound stream may take to pick its protocol. */
const STREAM_NEGOTIATION_MS = 5_000;
/** Most bytes a partner may send on one stream before we read them (yamux grows windows up to 16 MiB). */
const MAX_STREAM_WINDOW = 1024 * 1024;

/** A libp2p node that listens on nothing yet; `onStream` gets every inbound `/synchannel/1.0.0` stream. */
export async function createStack(
  privateKey: PrivateKey,
  opts: P2PNodeOptions,
  guard: InboundGuard,
  onStream: (stream: Stream, connection: Connection) => void,
): Promise<Libp2p<{ synchannel: SynChannelService }>> {
  const { createLibp2p, tcp, noise, yamux } = await loadDeps();
  const maxPending = opts.maxPendingConnections ?? P2P_DEFAULTS.maxPendingConnections;
  const pendingTimeoutMs = opts.pendingTimeoutMs ?? P2P_DEFAULTS.pendingTimeoutMs;
  return createLibp2p({
    privateKey,
    addresses: { listen: [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    // A stream's receive window is its partner's most unread data: paused streams hold at most that.
    // Streams a peer may hold open on one connection, negotiated or not (yamux's default of 1,000 let one guest
    // hold hundreds of MiB in streams that never negotiate a protocol): ours takes 8 (service.ts), a few more
    // may be negotiating.
    // A peer's pings and its streams' bytes before a protocol are bounded too (muxer.ts).
    streamMuxers: [await boundedYamux(yamux, { maxInboundStreams: MAX_INBOUND_STREAMS, streamOptions: { maxStreamWindowSize: MAX_STREAM_WINDOW, maxReadBufferLength: 2 * MAX_STREAM_WINDOW } })],
    connectionGater: {
      // Never refuse to dial loopback/LAN peers: the people using this choose whom to dial.
      denyDialMultiaddr: () => false,
      // Per-host and total caps on pending inbound connections (guard.ts).
      denyInboundConnection: (maConn) => guard.deny(maConn),
    },
    connectionManager: {
      // libp2p's default (5 inbound connections per second per host) resets honest peers behind one NAT
      // or reconnecting quickly; 30 still bounds a flood.
      inboundConnectionThreshold: opts.inboundConnectionsPerSecond ?? P2P_DEFAULTS.inboundConnectionsPerSecond,
      // libp2p's own cap (10 in total, checked before the gater) is what silent sockets filled; the
      // guard's caps apply instead, this one only stops a burst of sockets faster than they are closed.
      maxIncomingPendingConnections: maxPending * 4,
      // a backstop: the guard closes a pending connection first (and counts it)
      inboundUpgradeTimeout: pendingTimeoutMs * 2,
      // a stream that does not pick a protocol in this time is closed (libp2p's default: 10 s)
      inboundStreamProtocolNegotiationTimeout: STREAM_NEGOTIATION_MS,
    },
    services: { synchannel: synChannelService({ onStream }) },
  });
}
