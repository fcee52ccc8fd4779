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

const PING_BURST = 20;
const PINGS_PER_SECOND = 10;
/** Yamux's flag of a ping asked for (an answer to ours carries ACK). */
const SYN = 1;
const STREAM_PRE_PROTOCOL_BYTES = 1024;
const CONNECTION_PRE_PROTOCOL_BURST = 4096;
const CONNECTION_PRE_PROTOCOL_PER_SECOND = 1024;

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
  let tokens = PING_BURST;
  let at = Date.now();
  m.handlePing = (header) => {
    if (header.flag === SYN) {
      const now = Date.now();
      tokens = Math.min(PING_BURST, tokens + ((now - at) / 1000) * PINGS_PER_SECOND);
      at = now;
      if (tokens < 1) return m.abort(new Error(`the peer asked for more than ${PINGS_PER_SECOND} pings a second`));
      tokens--;
    }
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
  let tokens = CONNECTION_PRE_PROTOCOL_BURST;
  let at = Date.now();
  const spend = (n: number): boolean => {
    const now = Date.now();
    tokens = Math.min(CONNECTION_PRE_PROTOCOL_BURST, tokens + ((now - at) / 1000) * CONNECTION_PRE_PROTOCOL_PER_SECOND);
    at = now;
    tokens -= n;
    return tokens >= 0;
  };
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
          if (!spend(data.byteLength)) return m.abort(new Error('its streams proposed protocols for more than 1 KiB a second'));
          if (bytes > STREAM_PRE_PROTOCOL_BYTES) return s.abort(new Error(`more than ${STREAM_PRE_PROTOCOL_BYTES} bytes before a protocol was chosen`));
        }
        push(data);
      };
    }
    opened(stream);
  };
}
