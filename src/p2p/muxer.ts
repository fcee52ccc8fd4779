// Yamux with bounds on what a peer makes this node answer before any protocol of ours runs; each answer is an
// encrypted write of its own, and floods of them stalled the event loop for seconds:
// - pings: above a burst of 20 and 10 a second, the connection is closed (an honest muxer pings every 30 s). It
//   wraps the ping handler of each muxer the factory makes (a private method of @chainsafe/libp2p-yamux 8;
//   test/p2p/limits.test.ts floods it, so a library that changes it shows);
// - protocol negotiation: libp2p answers "na" to every protocol a stream proposes until its timeout. A stream
//   that sends more than 1 KiB before it has a protocol is reset (an honest one needs about 40 bytes, and may send
//   its first frame with them), and a connection whose streams send more than that allows in all (a burst of
//   4 KiB, then 1 KiB a second) is closed. It wraps each muxer's onRemoteStream (the hook that hands it the
//   streams the peer opens) and each such stream's onData.
import type { Stream } from '@libp2p/interface';
import type { yamux as Yamux } from '@chainsafe/libp2p-yamux';
import { TokenBucket } from './quota.js';

const PINGS = { burst: 20, perSecond: 10 };
/** Yamux's flag of a ping asked for (an answer to ours carries ACK). */
const SYN = 1;
const STREAM_PRE_PROTOCOL_BYTES = 1024;
/** bytes before their protocols, all streams of a connection together */
const CONNECTION_PRE_PROTOCOL = { burst: 4096, perSecond: 1024 };

export function boundedYamux(yamux: typeof Yamux, init: Parameters<typeof Yamux>[0]): ReturnType<typeof Yamux> {
  const make = yamux(init);
  return () => {
    const factory = make();
    const create = factory.createStreamMuxer.bind(factory);
    factory.createStreamMuxer = (maConn) => {
      const muxer = create(maConn);
      limitPings(muxer as unknown as PingHandling);
      limitNegotiation(muxer as unknown as RemoteStreams);
      return muxer;
    };
    return factory;
  };
}

interface PingHandling {
  handlePing?: (header: { flag: number }) => void;
  abort(e: Error): void;
}

function limitPings(m: PingHandling): void {
  const handle = m.handlePing?.bind(m);
  if (!handle) return;
  const pings = new TokenBucket(PINGS);
  m.handlePing = (header) => {
    if (header.flag === SYN && !pings.take()) return m.abort(new Error(`the peer asked for more than ${PINGS.perSecond} pings a second`));
    handle(header);
  };
}

interface RemoteStreams {
  onRemoteStream?: (stream: Stream) => void;
  abort(e: Error): void;
}

function limitNegotiation(m: RemoteStreams): void {
  const opened = m.onRemoteStream?.bind(m);
  if (!opened) return;
  const allowance = new TokenBucket(CONNECTION_PRE_PROTOCOL);
  // every stream the peer opens passes here first (AbstractStreamMuxer's hook for its subclasses)
  m.onRemoteStream = (stream) => {
    // counted where the muxer hands the stream its data (a 'message' listener would take the data from libp2p)
    const s = stream as Stream & { onData?: (data: { byteLength: number }) => void };
    const push = s.onData?.bind(s);
    let bytes = 0;
    if (push) {
      s.onData = (data) => {
        if (!s.protocol) {
          bytes += data.byteLength;
          if (allowance.charge(data.byteLength) > 0) return m.abort(new Error('its streams proposed protocols for more than 1 KiB a second'));
          if (bytes > STREAM_PRE_PROTOCOL_BYTES) return s.abort(new Error(`more than ${STREAM_PRE_PROTOCOL_BYTES} bytes before a protocol was chosen`));
        }
        push(data);
      };
    }
    opened(stream);
  };
}
