// Typed errors of the pure core. Every rejection carries a stable `code` (for programs, the wire
// protocol and tests) and a message that says what is wrong and what to do next (for people).

/** Stable codes of the channel state machine's rejections. Never rename one: peers and UIs match on them. */
export const CHANNEL_ERROR_CODES = [
  /** The operation needs the turn and the partner has it: request it (requestTurn). */
  'NOT_YOUR_TURN',
  /** requestTurn() while the turn is already ours. */
  'ALREADY_YOUR_TURN',
  /** A payment larger than the payer's balance. */
  'INSUFFICIENT_BALANCE',
  /** A state whose step is not latest + 1: the parties are out of sync and must resync. */
  'STEP_GAP',
  /** A state of another channel contract. */
  'WRONG_CHANNEL',
  /** A missing or invalid signature (details.party says whose). */
  'BAD_SIGNATURE',
  /** A state whose balance_a + balance_b differs from the deposited total. */
  'TOTAL_CHANGED',
  /** A payment of zero or less, or a negative deposit. */
  'AMOUNT_NOT_POSITIVE',
  /** The channel is closing (a close state was agreed or the chain reports a close). */
  'CHANNEL_CLOSING',
  /** A state awaits a signature: sign it first, or wait for the partner. */
  'PENDING_STATE',
  /** countersign()/acceptCountersignature() with nothing of that kind staged. */
  'NOTHING_TO_SIGN',
  /** The channel has no initial state signed by both yet. */
  'NOT_OPEN',
  /** A proposal that moves money from the receiver to the proposer. */
  'BALANCE_TAKEN',
  /** The initial state's balances are not the deposits this party expects. */
  'INITIAL_MISMATCH',
  /** The secret key does not belong to this party's public key in the channel parameters. */
  'WRONG_KEY',
  /** Any other operation that the current phase does not allow (see TRANSITIONS in channel.ts). */
  'INVALID_TRANSITION',
  /** A stored snapshot that is inconsistent (broken step chain, bad signature, another channel). */
  'CORRUPT_SNAPSHOT',
] as const;

export type ChannelErrorCode = (typeof CHANNEL_ERROR_CODES)[number];

export type ErrorDetails = Readonly<Record<string, string | number | bigint | boolean | null>>;

export class ChannelError extends Error {
  readonly code: ChannelErrorCode;
  readonly details: ErrorDetails | undefined;
  constructor(code: ChannelErrorCode, message: string, details?: ErrorDetails) {
    super(message);
    this.name = 'ChannelError';
    this.code = code;
    this.details = details;
  }
}

/** A TON amount typed by a person (or sent by a peer) that is not a valid amount. */
export class AmountError extends Error {
  readonly code = 'INVALID_AMOUNT';
  /** The text that was rejected (trimmed to 64 characters). */
  readonly input: string;
  constructor(message: string, input: string) {
    super(message);
    this.name = 'AmountError';
    this.input = input.length > 64 ? `${input.slice(0, 61)}...` : input;
  }
}

export function isChannelError<C extends ChannelErrorCode = ChannelErrorCode>(e: unknown, code?: C): e is ChannelError & { readonly code: C } {
  return e instanceof ChannelError && (code === undefined || e.code === code);
}

/** The stable `code` of any error that has one (ChannelError, AmountError, StateFormatError, SignerError...). */
export function errorCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return undefined;
}
