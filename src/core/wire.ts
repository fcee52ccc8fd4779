// Everything two SynChannel peers exchange, as one versioned discriminated union (field `type`).
//
// Schema library: valibot. Chosen over zod because it is modular and tree-shakable (only the validators
// used here end up in the extension/webview bundles, a few KB instead of ~50), and it has no dependencies.
//
// Encoding rules:
// - JSON text, one message per frame (the p2p layer adds the length prefix and the 64 KiB limit).
// - Amounts (nanotons) and steps (uint64) travel as decimal strings and are `bigint` after parsing.
// - Keys are 64 hex chars (32 bytes), signatures 128 hex chars (64 bytes), nonces 64 hex chars.
// - Addresses are TON friendly or raw strings, checked with @ton/core `Address.parse`, kept as sent.
// - States travel as base64 BOC, checked to hold exactly one ChannelState, kept as sent: the bytes
//   that were signed are the bytes that arrive.
// - Every string and array has a length limit.
import { SynError } from './errors.js';
import { Address } from '@ton/core';
import * as v from 'valibot';
import { stateFromBase64 } from './state.js';
import { oneLine } from './format.js';

/** The protocol version carried in `hello`. */
export const WIRE_VERSION = 1;
/** Upper bound of one encoded message (the p2p frame limit). */
export const MAX_WIRE_BYTES = 64 * 1024;
/** Most states one `resync.response` may carry. */
export const MAX_RESYNC_STATES = 64;
/** Longest base64 BOC accepted for a state (a ChannelState BOC is ~70 bytes). */
export const MAX_STATE_B64 = 512;

const COINS_MAX = (1n << 120n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

export type WireErrorCode = 'WIRE_NOT_JSON' | 'WIRE_TOO_LARGE' | 'WIRE_UNKNOWN_TYPE' | 'WIRE_INVALID';

export class WireError extends SynError<WireErrorCode> {
  /**
   * Set when the frame is a sound session.data whose message this version cannot read (a newer peer's): its seq,
   * so the session can pass over it, and the message's type, for the answer.
   */
  unreadable?: { seq: number; ref: string };

  constructor(code: WireErrorCode, message: string) {
    super(code, message);
    this.name = 'WireError';
  }
}

// ---- field schemas ------------------------------------------------------------------------------

const hexBytes = (bytes: number, what: string) =>
  v.pipe(v.string(), v.regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), `${what}: expected ${bytes * 2} hex characters`));

const publicKeyHex = hexBytes(32, 'public key');
const signatureHex = hexBytes(64, 'signature');
const nonceHex = hexBytes(32, 'nonce');
const sessionIdHex = hexBytes(16, 'session id');

/** Address strings already parsed once: a channel's few addresses arrive in every message. Bounded. */
const knownAddresses = new Set<string>();
function isAddress(s: string): boolean {
  if (knownAddresses.has(s)) return true;
  try {
    Address.parse(s);
  } catch {
    return false;
  }
  if (knownAddresses.size >= 4096) knownAddresses.clear();
  knownAddresses.add(s);
  return true;
}

const address = v.pipe(
  v.string(),
  v.maxLength(100, 'address: longer than 100 characters'),
  v.check(isAddress, 'address: not a TON address (friendly like EQ… / UQ… or raw like 0:<64 hex>)'),
);

const decimal = (max: bigint, what: string) =>
  v.pipe(
    v.string(),
    v.regex(/^(0|[1-9][0-9]{0,39})$/, `${what}: expected a decimal string without sign, exponent or leading zeros`),
    v.transform((s) => BigInt(s)),
    v.maxValue(max, `${what}: larger than ${max}`),
  );

const amount = decimal(COINS_MAX, 'amount (nanotons)');
const step = decimal(UINT64_MAX, 'step');
// The contract stores the channel id as uint64 (contracts/channel.tlb).
const channelId = decimal(UINT64_MAX, 'channel id');
const seq = v.pipe(v.number(), v.safeInteger('seq: expected an integer'), v.minValue(0, 'seq: negative'));

const stateBoc = v.pipe(
  v.string(),
  v.maxLength(MAX_STATE_B64, `state: longer than ${MAX_STATE_B64} base64 characters`),
  v.regex(/^[A-Za-z0-9+/]+={0,2}$/, 'state: not base64'),
  v.check((s) => {
    try {
      stateFromBase64(s);
      return true;
    } catch {
      return false;
    }
  }, 'state: not a BOC holding exactly one ChannelState'),
);

// A peer's free text arrives as one printable line (see oneLine).
const text = (max: number, what: string) => v.pipe(v.string(), v.maxLength(max, `${what}: longer than ${max} characters`), v.transform(oneLine));
const errorCode = v.pipe(v.string(), v.regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'code: expected UPPER_SNAKE_CASE, at most 64 characters'));

// ---- messages -----------------------------------------------------------------------------------

const msg = <T extends string, E extends v.ObjectEntries>(type: T, entries: E) =>
  v.strictObject({ type: v.literal(type), ...entries });

/** Handshake, first frame each way: who I am and a fresh nonce for the partner to sign. */
export const HelloSchema = msg('hello', {
  v: v.literal(WIRE_VERSION, `v: this peer speaks protocol version ${WIRE_VERSION}`),
  walletAddress: address,
  walletPublicKey: publicKeyHex,
  channelPublicKey: publicKeyHex,
  nonce: nonceHex,
  /** Optional: the sender's view of the receiver's address (a multiaddr), for WAN discovery. */
  observed: v.optional(text(256, 'observed')),
});
/** Handshake, second frame: the wallet key's signature over (own peer id, partner peer id, partner nonce). */
export const ProofSchema = msg('proof', { signature: signatureHex });

/** The channel contract version of a proposal that does not say one (every node before the field proposes v4). */
export const PROPOSAL_VERSION_UNSAID = 4;

export const ChannelProposeSchema = msg('channel.propose', {
  channelId,
  challengePeriod: v.pipe(v.number(), v.safeInteger('challengePeriod: expected whole seconds'), v.minValue(1), v.maxValue(0xffffffff)),
  expectedDepositA: amount,
  expectedDepositB: amount,
  addressA: address,
  addressB: address,
  publicKeyA: publicKeyHex,
  publicKeyB: publicKeyHex,
  /**
   * The channel contract's version; unsaid, v4. Checked on arrival (another version is refused at once, before
   * anything is deployed), and said only by a version after v4: a node from before this field refuses a message
   * that has it, and its session would replay that message for ever.
   */
  contractVersion: v.optional(v.pipe(v.number(), v.safeInteger('contractVersion: expected a whole number'), v.minValue(1), v.maxValue(255))),
});
export const ChannelAcceptSchema = msg('channel.accept', { channelId });
export const ChannelRejectSchema = msg('channel.reject', { channelId, reason: text(512, 'reason') });
export const ChannelDeployedSchema = msg('channel.deployed', { channelId, contract: address });
export const DepositSchema = msg('deposit', { contract: address, party: v.picklist(['A', 'B']), amount });
export const StateProposeSchema = msg('state.propose', { contract: address, state: stateBoc, signature: signatureHex });
export const StateCountersignSchema = msg('state.countersign', { contract: address, step, signature: signatureHex });
export const TurnRequestSchema = msg('turn.request', { contract: address, step });
export const CloseNoticeSchema = msg('close.notice', { contract: address, kind: v.picklist(['cooperative', 'unilateral']), step });
export const ClosePropose = msg('close.propose', { contract: address, state: stateBoc, signature: signatureHex });
export const CloseAcceptSchema = msg('close.accept', { contract: address, step, signature: signatureHex });
export const ResyncRequestSchema = msg('resync.request', { contract: address, latestStep: step });
export const ResyncResponseSchema = msg('resync.response', {
  contract: address,
  states: v.pipe(
    v.array(v.strictObject({ state: stateBoc, sigA: signatureHex, sigB: signatureHex })),
    v.maxLength(MAX_RESYNC_STATES, `states: more than ${MAX_RESYNC_STATES}`),
  ),
  /** the requester's own proposal this side holds unsigned (a node restored from a backup may have lost it) */
  yours: v.optional(v.strictObject({ state: stateBoc, signature: signatureHex })),
});
export const ErrorSchema = msg('error', { code: errorCode, message: text(1024, 'message'), ref: v.optional(text(128, 'ref')) });

/** Messages the application sends and receives (everything but the handshake and the session envelope). */
export const AppMessageSchema = v.variant('type', [
  ChannelProposeSchema,
  ChannelAcceptSchema,
  ChannelRejectSchema,
  ChannelDeployedSchema,
  DepositSchema,
  StateProposeSchema,
  StateCountersignSchema,
  TurnRequestSchema,
  CloseNoticeSchema,
  ClosePropose,
  CloseAcceptSchema,
  ResyncRequestSchema,
  ResyncResponseSchema,
  ErrorSchema,
]);

// Session envelope (reliable delivery over reconnects, src/p2p): each side numbers its messages,
// acknowledges what it delivered, and on every (re)connection says what it has received.
/** After the handshake on every connection: my session incarnation, yours as I know it, what I got. */
export const SessionResumeSchema = msg('session.resume', {
  session: sessionIdHex,
  peerSession: v.union([v.literal(''), sessionIdHex]),
  /** highest seq of `peerSession` delivered in order (0: none) */
  received: seq,
  /** lowest seq I still hold unacknowledged (my next seq when I hold none) */
  base: seq,
});
// valibot's variant tries its options one by one; a message names its type, so its schema is looked up by it.
const typeOf = (json: unknown): unknown => (typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined);
const APP_BY_TYPE = new Map<unknown, v.GenericSchema>(AppMessageSchema.options.map((o) => [o.entries.type.literal, o]));
const appMessage = v.lazy((json: unknown) => (APP_BY_TYPE.get(typeOf(json)) ?? AppMessageSchema) as typeof AppMessageSchema);
export const SessionDataSchema = msg('session.data', { seq, msg: appMessage });
export const SessionAckSchema = msg('session.ack', { seq });

export const WireMessageSchema = v.variant('type', [
  HelloSchema,
  ProofSchema,
  SessionResumeSchema,
  SessionDataSchema,
  SessionAckSchema,
  ...AppMessageSchema.options,
]);

export type WireMessage = v.InferOutput<typeof WireMessageSchema>;
export type AppMessage = v.InferOutput<typeof AppMessageSchema>;
export type WireType = WireMessage['type'];
export type WireOf<T extends WireType> = Extract<WireMessage, { type: T }>;
export type Hello = WireOf<'hello'>;
export type Proof = WireOf<'proof'>;
export type ChannelPropose = WireOf<'channel.propose'>;
export type ChannelAccept = WireOf<'channel.accept'>;
export type ChannelReject = WireOf<'channel.reject'>;
export type ChannelDeployed = WireOf<'channel.deployed'>;
export type Deposit = WireOf<'deposit'>;
export type StatePropose = WireOf<'state.propose'>;
export type StateCountersign = WireOf<'state.countersign'>;
export type TurnRequest = WireOf<'turn.request'>;
export type CloseNotice = WireOf<'close.notice'>;
export type CloseProposeMessage = WireOf<'close.propose'>;
export type CloseAccept = WireOf<'close.accept'>;
export type ResyncRequest = WireOf<'resync.request'>;
export type ResyncResponse = WireOf<'resync.response'>;
export type WireErrorMessage = WireOf<'error'>;
export type SessionResume = WireOf<'session.resume'>;
export type SessionData = WireOf<'session.data'>;
export type SessionAck = WireOf<'session.ack'>;

export const WIRE_TYPES: readonly WireType[] = WireMessageSchema.options.map((o) => o.entries.type.literal);
const WIRE_BY_TYPE = new Map<unknown, v.GenericSchema>(WireMessageSchema.options.map((o) => [o.entries.type.literal, o]));
export const APP_TYPES: readonly AppMessage['type'][] = AppMessageSchema.options.map((o) => o.entries.type.literal);

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((i) => {
      const path = v.getDotPath(i);
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');
}

/** Checks `json` against the member of the union `schema` its type names (`byType`: the union's members). */
function check<S extends v.GenericSchema>(schema: S, byType: ReadonlyMap<unknown, v.GenericSchema>, json: unknown): v.InferOutput<S> {
  const type = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as { type?: unknown }).type : undefined;
  if (typeof type !== 'string') {
    throw new WireError('WIRE_INVALID', 'wire message without a string `type`: the peer sent something that is not a SynChannel message');
  }
  if (!(WIRE_TYPES as readonly string[]).includes(type)) {
    throw new WireError(
      'WIRE_UNKNOWN_TYPE',
      `unknown wire message type '${type.slice(0, 40)}': the peer may run a newer SynChannel version; update both sides to the same version`,
    );
  }
  const result = v.safeParse(byType.get(type) ?? schema, json, { abortPipeEarly: true });
  if (!result.success) {
    throw new WireError('WIRE_INVALID', `invalid '${type}' message: ${describeIssues(result.issues)}`);
  }
  return result.output;
}

/** Validates a JSON value as a wire message; throws WireError (code WIRE_INVALID or WIRE_UNKNOWN_TYPE). */
export function parseWireMessage(json: unknown): WireMessage {
  return check(WireMessageSchema, WIRE_BY_TYPE, json);
}

/** Validates a JSON value as an application message (no handshake or session frames). */
export function parseAppMessage(json: unknown): AppMessage {
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && (WIRE_TYPES as readonly string[]).includes(type) && !(APP_TYPES as readonly string[]).includes(type)) {
    throw new WireError('WIRE_INVALID', `'${type}' is a transport message; the application cannot send or receive it`);
  }
  return check(AppMessageSchema, APP_BY_TYPE, json);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Parses JSON text (or UTF-8 bytes) into a wire message; throws WireError. */
export function decodeWireMessage(data: string | Uint8Array): WireMessage {
  const length = typeof data === 'string' ? data.length : data.byteLength;
  if (length > MAX_WIRE_BYTES) throw new WireError('WIRE_TOO_LARGE', `wire message of ${length} bytes exceeds ${MAX_WIRE_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : UTF8.decode(data));
  } catch {
    throw new WireError('WIRE_NOT_JSON', 'wire message is not UTF-8 JSON: the peer is not speaking the SynChannel protocol');
  }
  try {
    return parseWireMessage(json);
  } catch (e) {
    throw markUnreadable(e, json);
  }
}

/** The session.data envelope alone: a sound one carries a message this version may not read. */
const SessionEnvelopeSchema = v.strictObject({ type: v.literal('session.data'), seq, msg: v.looseObject({ type: v.string() }) });

/** Marks a wire error of a sound session.data envelope as unreadable (WireError.unreadable). */
function markUnreadable(e: unknown, json: unknown): unknown {
  const envelope = v.safeParse(SessionEnvelopeSchema, json);
  if (!(e instanceof WireError) || !envelope.success) return e;
  const ref = oneLine(envelope.output.msg.type.slice(0, 64));
  const out = (APP_TYPES as readonly string[]).includes(ref) ? e : new WireError('WIRE_UNKNOWN_TYPE', `unknown message type '${ref}': the peer may run a newer SynChannel version; update both sides to the same version`);
  out.unreadable = { seq: envelope.output.seq, ref };
  return out;
}

/** The value as JSON data, as JSON.stringify would read it, with bigints as decimal strings. */
function jsonData(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  const own = value as { toJSON?: () => unknown };
  if (typeof own.toJSON === 'function') return jsonData(own.toJSON());
  if (Array.isArray(value)) return value.map((x) => (x === undefined || typeof x === 'function' ? null : jsonData(x)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const x = (value as Record<string, unknown>)[key];
    if (x !== undefined && typeof x !== 'function' && typeof x !== 'symbol') out[key] = jsonData(x);
  }
  return out;
}

/** JSON text of a message: bigints become decimal strings. Validates first, so we never send what a peer would reject. */
export function encodeWireMessage(message: WireMessage): string {
  const data = jsonData(message);
  parseWireMessage(data);
  const text = JSON.stringify(data);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_WIRE_BYTES) throw new WireError('WIRE_TOO_LARGE', `message of ${bytes} bytes exceeds ${MAX_WIRE_BYTES}; split it`);
  return text;
}
