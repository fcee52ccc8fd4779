// Typed errors of the local devnet. Every request can be wrong; the server answers each failure in the
// toncenter v2 shape ({ ok: false, error, code } with the HTTP status equal to `code`) and adds our own
// stable `devnet_code`, so scripts can branch on it and people read what to do next in `error`.

export type DevnetErrorCode =
  | 'DEVNET_BAD_REQUEST' // the body is not JSON, or not the expected shape
  | 'DEVNET_UNKNOWN_METHOD' // no such JSON-RPC method / REST path
  | 'DEVNET_BAD_PARAMS' // a parameter is missing or has the wrong type
  | 'DEVNET_BAD_ADDRESS' // an address does not parse
  | 'DEVNET_BAD_BOC' // a BOC does not parse, or is not an external-in message
  | 'DEVNET_NOT_ACCEPTED' // the contract did not accept the external message
  | 'DEVNET_TX_NOT_FOUND' // no transaction matches the lt/hash or message given
  | 'DEVNET_TOO_LARGE' // the request body is over the limit
  | 'DEVNET_DATA_CORRUPT' // the data file in --data cannot be read back
  | 'DEVNET_DATA_LOCKED' // another devnet process serves the same --data directory
  | 'DEVNET_DATA_DIR' // the --data directory cannot be made (a file there, no permission)
  | 'DEVNET_LISTEN_FAILED' // the port is taken or the host cannot be bound
  | 'DEVNET_INTERNAL'; // a bug: the emulator threw something we did not expect

export class DevnetError extends Error {
  override readonly name = 'DevnetError';
  constructor(
    readonly code: DevnetErrorCode,
    message: string,
    /** The HTTP status and toncenter `code` this error is answered with. */
    readonly status: number = 400,
  ) {
    super(message);
  }
}

/** Wraps anything thrown into a DevnetError (unexpected throws become DEVNET_INTERNAL, status 500). */
export function toDevnetError(e: unknown): DevnetError {
  if (e instanceof DevnetError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new DevnetError('DEVNET_INTERNAL', `devnet internal error: ${message}. The chain state is unchanged; report this with the request that caused it.`, 500);
}
