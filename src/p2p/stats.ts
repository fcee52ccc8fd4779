// Counters of the p2p layer, for diagnostics and tests.
export interface P2PStats {
  framesIn: number;
  framesOut: number;
  /** not JSON, not UTF-8, or failing the schema */
  invalidFrames: number;
  /** well-formed but of a type nobody knows */
  unknownFrames: number;
  oversizedFrames: number;
  /** valid frames arriving where they make no sense (e.g. data before the handshake) */
  unexpectedFrames: number;
  rateLimited: number;
  handshakesOk: number;
  handshakesFailed: number;
  duplicatesDropped: number;
  errorsSent: number;
  errorsReceived: number;
  /** bytes read from SynChannel streams */
  bytesIn: number;
  /** times a stream was paused because its peer went over the byte quota */
  quotaPauses: number;
  /** pending inbound connections closed to make room for a newer one (same host, or a host with fewer) */
  pendingEvicted: number;
  /** pending connections closed after the upgrade + handshake timeout */
  pendingTimedOut: number;
  /** sessions of peers without a channel dropped (idle, or to make room) */
  guestsDropped: number;
  /** inbound streams closed before their handshake: their connection opened them too fast */
  streamsRefused: number;
}

export function newStats(): P2PStats {
  return {
    framesIn: 0,
    framesOut: 0,
    invalidFrames: 0,
    unknownFrames: 0,
    oversizedFrames: 0,
    unexpectedFrames: 0,
    rateLimited: 0,
    handshakesOk: 0,
    handshakesFailed: 0,
    duplicatesDropped: 0,
    errorsSent: 0,
    errorsReceived: 0,
    bytesIn: 0,
    quotaPauses: 0,
    pendingEvicted: 0,
    pendingTimedOut: 0,
    guestsDropped: 0,
    streamsRefused: 0,
  };
}
