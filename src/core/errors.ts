// Typed errors of SynChannel. Every error any layer raises carries a stable `code` from the one vocabulary in
// codes.ts (for programs, the wire protocol, --json and UIs) and a message that says what is wrong and what to
// do next (for people).
import { isErrorCode, type ErrorCode } from './codes.js';

export { CODES, givesNextStep, isErrorCode, levelOf, nextStep, type ErrorCode, type Level } from './codes.js';

export type ErrorDetails = Readonly<Record<string, string | number | bigint | boolean | null>>;

/** The base of every typed error. `code` is one of CODES. */
export class SynError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly details: ErrorDetails | undefined;
  /** Something was already sent (a transaction, or a message to the partner) when this stopped: it may still act. */
  readonly sent: boolean;
  constructor(code: C, message: string, options?: { details?: ErrorDetails; cause?: unknown; sent?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SynError';
    this.code = code;
    this.details = options?.details;
    this.sent = options?.sent ?? false;
  }
}

/** Stable codes of the channel state machine's rejections (a subset of CODES). */
export const CHANNEL_ERROR_CODES = [
  'NOT_YOUR_TURN',
  'ALREADY_YOUR_TURN',
  'INSUFFICIENT_BALANCE',
  'STEP_GAP',
  'WRONG_CHANNEL',
  'BAD_SIGNATURE',
  'TOTAL_CHANGED',
  'AMOUNT_NOT_POSITIVE',
  'CHANNEL_CLOSING',
  'PENDING_STATE',
  'NOTHING_TO_SIGN',
  'NOT_OPEN',
  'BALANCE_TAKEN',
  'INITIAL_MISMATCH',
  'WRONG_KEY',
  'INVALID_TRANSITION',
  'CORRUPT_SNAPSHOT',
  'UNEXPECTED_CLOSE',
] as const satisfies readonly ErrorCode[];

export type ChannelErrorCode = (typeof CHANNEL_ERROR_CODES)[number];

export class ChannelError extends SynError<ChannelErrorCode> {
  /** The message as the partner reads it, when its message was refused and the words differ from this side's. */
  readonly toPartner: string | undefined;
  constructor(code: ChannelErrorCode, message: string, details?: ErrorDetails, toPartner?: string) {
    super(code, message, details ? { details } : undefined);
    this.name = 'ChannelError';
    this.toPartner = toPartner;
  }
}

/** A TON amount typed by a person (or sent by a peer) that is not a valid amount. */
export class AmountError extends SynError<'INVALID_AMOUNT'> {
  /** The text that was rejected (trimmed to 64 characters). */
  readonly input: string;
  constructor(message: string, input: string) {
    super('INVALID_AMOUNT', message);
    this.name = 'AmountError';
    this.input = input.length > 64 ? `${input.slice(0, 61)}...` : input;
  }
}

export function isChannelError<C extends ChannelErrorCode = ChannelErrorCode>(e: unknown, code?: C): e is ChannelError & { readonly code: C } {
  return e instanceof ChannelError && (code === undefined || e.code === code);
}

/** The stable `code` of any error that has one. */
export function errorCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return undefined;
}

/**
 * The code of an error as one of CODES: its own code when it is one, CANCELLED for any abort (AbortError, the
 * any AbortError), INTERNAL for anything else (a bug).
 */
export function codeOf(e: unknown): ErrorCode {
  const c = errorCode(e);
  if ((e as { name?: string } | null)?.name === 'AbortError') return 'CANCELLED';
  return isErrorCode(c) ? c : 'INTERNAL';
}

/** The message of any thrown value. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

