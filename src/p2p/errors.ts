// Typed errors of the p2p layer: a stable `code` and a message that says what to do next.
import { SynError } from '../core/errors.js';
export type P2PErrorCode =
  | 'BAD_MULTIADDR'
  | 'BAD_ANNOUNCE'
  | 'MISSING_PEER_ID'
  | 'CONNECTION_REFUSED'
  | 'DIAL_TIMEOUT'
  | 'PEER_ID_MISMATCH'
  | 'DIAL_FAILED'
  | 'DIAL_SELF'
  | 'HANDSHAKE_REJECTED'
  | 'HANDSHAKE_FAILED'
  | 'HANDSHAKE_TIMEOUT'
  | 'IDENTITY_CORRUPT'
  | 'IDENTITY_UNREADABLE'
  | 'LISTEN_FAILED'
  | 'LISTEN_ADDRESS'
  | 'PORT_IN_USE'
  | 'SESSION_CLOSED'
  | 'OUTBOX_FULL'
  | 'NODE_STOPPED'
  | 'BAD_MESSAGE'
  | 'MUXER_UNBOUNDED';

export class P2PError extends SynError<P2PErrorCode> {
  constructor(code: P2PErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'P2PError';
  }
}
