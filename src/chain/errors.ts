// Typed errors of the chain layer: a stable `code` for programs and a message that says what to do next.
import { SynError } from '../core/errors.js';

export type ChainErrorCode =
  /** The wallet cannot pay for the operation (or does not exist yet: no coins were ever sent to it). */
  | 'INSUFFICIENT_FUNDS'
  /** The HTTP endpoint did not answer (connection refused, DNS, reset, HTTP timeout). */
  | 'ENDPOINT_UNREACHABLE'
  /** The endpoint answered 401/403: the API key is missing, wrong or revoked. */
  | 'API_KEY_REJECTED'
  /** The endpoint kept answering 429 after every retry. */
  | 'RATE_LIMITED'
  /** The endpoint kept answering 5xx, or answered something that is not the toncenter v2 shape. */
  | 'ENDPOINT_ERROR'
  /** No contract (or no active contract) at the address. */
  | 'NOT_DEPLOYED'
  /** The channel account is frozen by unpaid storage fees (unfreeze it with its state init and the debt). */
  | 'FROZEN'
  /** A read the watch tries again: a payout transaction not found yet, an account missing after a live read. */
  | 'PENDING'
  /** The channel contract's transaction failed with an exit code (see `exitCode`). */
  | 'CONTRACT_REJECTED'
  /** The wallet's external message was not accepted or the wallet transaction failed. */
  | 'WALLET_REJECTED'
  /** The operation did not complete in time; it may still land: check the balance/seqno before retrying. */
  | 'TIMEOUT'
  /** The caller aborted (AbortSignal). */
  | 'CANCELLED'
  /** A wallet handle from another chain object, or a wallet this chain cannot sign for. */
  | 'UNKNOWN_WALLET'
  /** A bad argument from the caller (amount, address, state). */
  | 'BAD_INPUT'
  /** The chain object was closed. */
  | 'CLOSED';

export class ChainError extends SynError<ChainErrorCode> {
  /** For CONTRACT_REJECTED / WALLET_REJECTED: the compute-phase (or action-phase) exit code. */
  readonly exitCode: number | undefined;
  /** For INSUFFICIENT_FUNDS and NOT_DEPLOYED: the address concerned (user-friendly form). */
  readonly address: string | undefined;
  /** For HTTP errors: the status code. */
  readonly status: number | undefined;
  /** A failure another attempt may not have (the endpoint's own retries were spent on it). */
  retryable: boolean;
  /**
   * A wallet send that failed before its message left this process (a read, the funds check, signing, the
   * caller's beforeSend): nothing of it can land, whatever the code (a 429 on the wallet's read is one).
   */
  unsent = false;

  constructor(
    code: ChainErrorCode,
    message: string,
    extra: { exitCode?: number; address?: string; status?: number; cause?: unknown; retryable?: boolean; sent?: boolean } = {},
  ) {
    super(code, message, { ...(extra.cause === undefined ? {} : { cause: extra.cause }), ...(extra.sent ? { sent: true } : {}) });
    this.name = 'ChainError';
    this.exitCode = extra.exitCode;
    this.address = extra.address;
    this.status = extra.status;
    this.retryable = extra.retryable ?? false;
  }
}

export type KeyErrorCode =
  /** The words are not a valid TON mnemonic (count, unknown word, checksum). */
  | 'BAD_MNEMONIC'
  /** The key folder or one of its files is missing or unreadable. */
  | 'KEY_FOLDER_MISSING'
  /** wallet.pk / wallet.addr has the wrong size or content. */
  | 'KEY_FILE_BAD'
  /** No standard wallet version of the key gives the address in wallet.addr. */
  | 'KEY_ADDRESS_MISMATCH'
  /** Refusing to overwrite an existing key folder. */
  | 'KEY_FOLDER_EXISTS';

export class KeyError extends SynError<KeyErrorCode> {
  constructor(code: KeyErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'KeyError';
  }
}

export function isAbortError(e: unknown): boolean {
  return e instanceof ChainError ? e.code === 'CANCELLED' : (e as { name?: string } | null)?.name === 'AbortError';
}
