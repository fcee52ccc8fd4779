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
// - data frames: each costs a header, an object and a callback however few bytes it carries (1-byte frames evade the
//   byte quota 13 times over, and a paused stream holds each as an object of its own): above a burst of 20,000 and
//   10,000 a second on one connection, the streams either side opened together, the connection is closed (an honest
//   peer's carry whole frames of ours, its writes coalesced, but for a split at a stream's window edge). It wraps
//   each muxer's onCreateStream too (the streams this node opens).
// These are private methods: a Yamux without one is never run unbounded. boundedYamux probes a muxer and a stream
// on a stand-in connection before the node starts, and refuses to start (MUXER_UNBOUNDED, naming what is missing);
// a muxer or stream made later without one is closed (test/p2p/muxer.test.ts).
import type { Stream } from '@libp2p/interface';
import type { yamux as Yamux } from '@chainsafe/libp2p-yamux';
import { P2PError } from './errors.js';
import { TokenBucket } from './quota.js';

const PINGS = { burst: 20, perSecond: 10 };
/** Yamux's flag of a ping asked for (an answer to ours carries ACK). */
const SYN = 1;
const STREAM_PRE_PROTOCOL_BYTES = 1024;
/** bytes before their protocols, all streams of a connection together */
const CONNECTION_PRE_PROTOCOL = { burst: 4096, perSecond: 1024 };
/** data frames of all streams of a connection together: twice a partner's frame quota (options.ts), as an honest
 * peer's muxer frame carries one or more of our frames (FrameWriter coalesces its writes), or the part of one yamux
 * split where a stream's send window ran out */
const DATA_FRAMES = { burst: 20_000, perSecond: 10_000 };

/** The private methods the bounds wrap: of the muxer, and of each stream it makes. */
const MUXER_HOOKS = ['handlePing', 'onRemoteStream', 'onCreateStream'] as const;
const STREAM_HOOKS = ['onData'] as const;

function unbounded(missing: string[]): P2PError {
  return new P2PError('MUXER_UNBOUNDED', `this @chainsafe/libp2p-yamux has no ${missing.join(', ')}, which SynChannel wraps to bound what a peer makes the node answer (pings, protocol proposals): the node does not run without those bounds`);
}

/** What a muxer lacks of MUXER_HOOKS, or a stream of STREAM_HOOKS. */
function lacks(o: object, hooks: readonly string[]): string[] {
  return hooks.filter((h) => typeof (o as Record<string, unknown>)[h] !== 'function');
}

/**
 * The hooks the installed Yamux lacks (none: []), found on a muxer and a stream made on a stand-in connection that
 * carries nothing; a Yamux that cannot make them there counts as lacking all.
 */
export async function missingYamuxHooks(yamux: typeof Yamux): Promise<string[]> {
  const noop = () => undefined;
  const log = Object.assign(() => undefined, { error: noop, trace: noop, enabled: false }) as unknown as Record<string, unknown>;
  log.newScope = () => log;
  const maConn = { log, direction: 'inbound', status: 'open', addEventListener: noop, removeEventListener: noop, send: () => true, abort: noop, close: () => Promise.resolve() };
  let muxer: { createStream(): Promise<object>; abort(e: Error): void } | undefined;
  try {
    muxer = yamux({ enableKeepAlive: false })().createStreamMuxer(maConn as never) as unknown as NonNullable<typeof muxer>;
    return [...lacks(muxer, MUXER_HOOKS), ...lacks(await muxer.createStream(), STREAM_HOOKS).map((h) => `stream ${h}`)];
  } catch {
    return [...MUXER_HOOKS, ...STREAM_HOOKS.map((h) => `stream ${h}`)];
  } finally {
    muxer?.abort(new Error('the probe of the Yamux hooks is done'));
  }
}

/** Yamux with the bounds above; refuses (MUXER_UNBOUNDED) a Yamux it cannot bound. */
export async function boundedYamux(yamux: typeof Yamux, init: Parameters<typeof Yamux>[0]): Promise<ReturnType<typeof Yamux>> {
  const missing = await missingYamuxHooks(yamux);
  if (missing.length) throw unbounded(missing);
  const make = yamux(init);
  return () => {
    const factory = make();
    const create = factory.createStreamMuxer.bind(factory);
    factory.createStreamMuxer = (maConn) => {
      const muxer = create(maConn);
      const missing = lacks(muxer, MUXER_HOOKS);
      if (missing.length) {
        const e = unbounded(missing);
        muxer.abort(e);
        throw e;
      }
      limitPings(muxer as unknown as PingHandling);
      limitNegotiation(muxer as unknown as RemoteStreams);
      return muxer;
    };
    return factory;
  };
}

interface PingHandling {
  handlePing: (header: { flag: number }) => void;
  abort(e: Error): void;
}

function limitPings(m: PingHandling): void {
  const handle = m.handlePing.bind(m);
  const pings = new TokenBucket(PINGS);
  m.handlePing = (header) => {
    if (header.flag === SYN && !pings.take()) return m.abort(new Error(`the peer asked for more than ${PINGS.perSecond} pings a second`));
    handle(header);
  };
}

interface RemoteStreams {
  onRemoteStream: (stream: Stream) => void;
  onCreateStream: (options?: unknown) => Stream | Promise<Stream>;
  abort(e: Error): void;
}

type Fed = Stream & { onData?: (data: { byteLength: number }) => void };

function limitNegotiation(m: RemoteStreams): void {
  const opened = m.onRemoteStream.bind(m);
  const create = m.onCreateStream.bind(m);
  const allowance = new TokenBucket(CONNECTION_PRE_PROTOCOL);
  const frames = new TokenBucket(DATA_FRAMES);
  const tooMany = () => m.abort(new Error(`its streams sent more than ${DATA_FRAMES.perSecond} muxer data frames a second`));
  // every stream the peer opens passes here first (AbstractStreamMuxer's hook for its subclasses)
  m.onRemoteStream = (stream) => {
    // counted where the muxer hands the stream its data (a 'message' listener would take the data from libp2p)
    const s = stream as Fed;
    const push = s.onData?.bind(s);
    // never unbounded: a stream without the hook is closed
    if (!push) return m.abort(unbounded(['stream onData']));
    let bytes = 0;
    s.onData = (data) => {
      if (!frames.take()) return tooMany();
      if (!s.protocol) {
        bytes += data.byteLength;
        if (allowance.charge(data.byteLength) > 0) return m.abort(new Error('its streams proposed protocols for more than 1 KiB a second'));
        if (bytes > STREAM_PRE_PROTOCOL_BYTES) return s.abort(new Error(`more than ${STREAM_PRE_PROTOCOL_BYTES} bytes before a protocol was chosen`));
      }
      push(data);
    };
    opened(stream);
  };
  // the streams this node opens (a dial, a redial): what the peer sends on them counts too
  const counted = (stream: Stream): Stream => {
    const s = stream as Fed;
    const push = s.onData?.bind(s);
    if (!push) {
      const e = unbounded(['stream onData']);
      s.abort(e);
      throw e;
    }
    s.onData = (data) => (frames.take() ? push(data) : tooMany());
    return s;
  };
  m.onCreateStream = (options) => {
    const made = create(options);
    return made instanceof Promise ? made.then(counted) : counted(made);
  };
}
