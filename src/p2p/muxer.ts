// Yamux with a bound on the pings a peer may ask for: each is answered with an encrypted write of its own, and a
// flood of them stalled the event loop for seconds (an honest muxer pings every 30 s). Above a burst of 20 and
// 10 a second, the connection is closed. It wraps the ping handler of each muxer the factory makes (a private
// method of @chainsafe/libp2p-yamux 8; test/p2p/limits.test.ts floods it, so a library that changes it shows).
import type { yamux as Yamux } from '@chainsafe/libp2p-yamux';

const PING_BURST = 20;
const PINGS_PER_SECOND = 10;
/** Yamux's flag of a ping asked for (an answer to ours carries ACK). */
const SYN = 1;

export function boundedYamux(yamux: typeof Yamux, init: Parameters<typeof Yamux>[0]): ReturnType<typeof Yamux> {
  const make = yamux(init);
  return () => {
    const factory = make();
    const create = factory.createStreamMuxer.bind(factory);
    factory.createStreamMuxer = (maConn) => {
      const muxer = create(maConn);
      limitPings(muxer as unknown as PingHandling);
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
