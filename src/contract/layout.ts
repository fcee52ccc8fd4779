// The channel contract's constants, storage and message layouts (contracts/channel.tlb, same names as
// contracts/channel.tolk): config and storage cells, message bodies, and the parse of an account into
// a ChannelStatus. Pure: no chain access.
import { SynError } from '../core/errors.js';
import { Address, beginCell, Cell } from '@ton/core';
import { stateFromCell, stateToCell, type ChannelState } from '../core/state.js';

// ---------------------------------------------------------------- constants (mirrored from Tolk)

export const OP_DEPOSIT = 0x6465706f; // "depo"
export const OP_REFUND = 0x72656675; // "refu"
export const OP_COOPERATIVE_CLOSE = 0x636f6f70; // "coop"
export const OP_START_CLOSE = 0x73746172; // "star"
export const OP_CHALLENGE = 0x6368616c; // "chal"
export const OP_FINISH_CLOSE = 0x66696e69; // "fini"
export const OP_EXIT = 0x65786974; // "exit"
export const OP_TOP_UP = 0x746f7075; // "topu" (v3)

/** Tags of the bodies the contract sends: a payout to A, to B, and a sender's change. */
export const OP_PAID_A = 0x70617941; // "payA"
export const OP_PAID_B = 0x70617942; // "payB"
export const OP_CHANGE = 0x63686e67; // "chng"

/** The first 2 bits of the storage. CLOSED is the prefix of every closed record (a state or the exit record). */
export const PHASE_FUNDING = 0;
export const PHASE_CLOSED = 1;
export const PHASE_OPEN = 2;
export const PHASE_CLOSING = 3;

/** The tag of the record an exit stores (and a CLOSED channel keeps): "no state", the deposits as balances. */
export const TAG_EXIT = 0x65786974; // "exit"

export type ChannelPhase = 'funding' | 'open' | 'closing' | 'closed';

/** What a deposit message must carry above the credited amount (contract DEPOSIT_FEE); more comes back. */
export const DEPOSIT_FEE = 10_000_000n; // 0.01 TON
/** What cooperative_close and finish_close must carry (contract MIN_PAYOUT_VALUE); the rest comes back. */
export const MIN_PAYOUT_VALUE = 10_000_000n; // 0.01 TON
/** The challenge window's bounds in seconds (contract MIN/MAX_CHALLENGE_PERIOD). */
export const MIN_CHALLENGE_PERIOD = 60;
export const MAX_CHALLENGE_PERIOD = 365 * 24 * 3600;

/**
 * Values the chain layer attaches (nanotons). deposit is on top of the amount and is exactly DEPOSIT_FEE,
 * so no excess comes back. Close-type messages get their change back; payouts need MIN_PAYOUT_VALUE.
 */
export const CHANNEL_FEES = {
  /** a deploy without a deposit: a top_up, a gift to the reserve (the chain layer deploys with a deposit body instead) */
  deploy: DEPOSIT_FEE,
  deposit: DEPOSIT_FEE,
  refund: 10_000_000n, // the rest comes back with the refund
  close: 20_000_000n, // cooperative_close, start_close, exit, challenge: the change comes back
  finish: 20_000_000n, // the change comes back
} as const;

// ---------------------------------------------------------------- errors

export type ChannelContractErrorCode = 'BAD_CONFIG' | 'BAD_SIGNATURE_INPUT' | 'VALUE_TOO_LOW' | 'BAD_CHANNEL_DATA' | 'NOT_DEPLOYED' | 'NOT_FROZEN';

/** A typed error of the wrapper (bad input before anything is sent, or unreadable chain data). */
export class ChannelContractError extends SynError<ChannelContractErrorCode> {
  constructor(
    code: ChannelContractErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'ChannelContractError';
  }
}

// ---------------------------------------------------------------- config and storage

export interface ChannelConfig {
  /** 32 bytes each */
  publicKeyA: Buffer;
  publicKeyB: Buffer;
  /** payout (wallet) addresses; deposits are credited by sender address */
  addressA: Address;
  addressB: Address;
  /** random, so two channels of the same pair differ (uint64); on testnet its top 16 bits are the network's tag (src/node/policy.ts) */
  channelId: bigint;
  /** seconds, MIN_CHALLENGE_PERIOD..MAX_CHALLENGE_PERIOD */
  challengePeriod: number;
  /** nanotons; either may be 0 */
  expectedDepositA: bigint;
  expectedDepositB: bigint;
}

/** A live contract's data: its config, the deposits, and in CLOSING what is being closed. */
export interface ChannelData extends ChannelConfig {
  phase: ChannelPhase;
  depositA: bigint;
  depositB: bigint;
  /** CLOSING: the state the close pays (null for an exit, which pays the deposits) */
  storedState: ChannelState | null;
  /** CLOSING: true when the close is an exit (no state signed by both was submitted yet) */
  exit: boolean;
  /** CLOSING: who started the close or the exit */
  submitter: 'A' | 'B' | null;
  /** unix seconds; CLOSING only */
  deadline: number | null;
  /** The lowest step a submitted state may have (0 until a state is submitted; then its step + 1). */
  stepFloor: bigint;
}

/** What a CLOSED channel keeps: the state it paid, or the exit record (step null, the deposits as balances). */
export interface ClosedRecord {
  /** null for an exit that nobody challenged */
  step: bigint | null;
  tag: 'state' | 'close' | 'exit';
  balanceA: bigint;
  balanceB: bigint;
}

/** Every state of a channel contract's address, as read from its account. */
export type ChannelStatus = (
  /** No account, or an uninit one (even if someone sent it coins). */
  | { status: 'not_deployed'; balance: bigint }
  | { status: 'funding' | 'open' | 'closing'; balance: bigint; data: ChannelData }
  /** Paid out: the account stays, refusing everything, with what was paid. */
  | { status: 'closed'; balance: bigint; paid: ClosedRecord }
  /** Storage fees ran the balance into debt beyond the freeze limit. */
  | { status: 'frozen'; balance: bigint }
) & {
  /** The account's last transaction (lt), when the read says it: a later state of the account has a higher one. */
  lt?: bigint;
};

const MAX_U64 = (1n << 64n) - 1n;
/** Every stored amount stays below 2^63 (the TON supply is far below), which keeps the storage in one cell. */
export const MAX_AMOUNT = (1n << 63n) - 1n;

function fail(code: ChannelContractErrorCode, message: string): never {
  throw new ChannelContractError(code, message);
}

function checkKey(name: string, key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== 32) {
    fail('BAD_CONFIG', `${name} must be a 32-byte ed25519 public key, got ${Buffer.isBuffer(key) ? key.length + ' bytes' : typeof key}`);
  }
}

function checkAmount(name: string, v: bigint): void {
  if (typeof v !== 'bigint' || v < 0n || v > MAX_AMOUNT) fail('BAD_CONFIG', `${name} must be a non-negative bigint of nanotons below 2^63, got ${String(v)}`);
}

/** Validates a config; throws ChannelContractError('BAD_CONFIG') saying what to fix. */
export function validateChannelConfig(config: ChannelConfig): void {
  checkKey('publicKeyA', config.publicKeyA);
  checkKey('publicKeyB', config.publicKeyB);
  if (!Address.isAddress(config.addressA) || !Address.isAddress(config.addressB)) fail('BAD_CONFIG', 'addressA and addressB must be TON addresses');
  // The contract takes no deposit otherwise: a payout to another workchain could fail and hold every payout.
  if (config.addressA.workChain !== 0 || config.addressB.workChain !== 0) fail('BAD_CONFIG', 'addressA and addressB must be basechain (workchain 0) wallets');
  if (config.addressA.equals(config.addressB)) fail('BAD_CONFIG', 'addressA and addressB must differ (deposits are credited by sender address)');
  if (typeof config.channelId !== 'bigint' || config.channelId < 0n || config.channelId > MAX_U64) {
    fail('BAD_CONFIG', `channelId must be a bigint in 0..2^64-1, got ${String(config.channelId)}`);
  }
  const p = config.challengePeriod;
  if (!Number.isInteger(p) || p < MIN_CHALLENGE_PERIOD || p > MAX_CHALLENGE_PERIOD) {
    fail('BAD_CONFIG', `challengePeriod must be whole seconds in ${MIN_CHALLENGE_PERIOD}..${MAX_CHALLENGE_PERIOD} (one minute to one year), got ${p}`);
  }
  checkAmount('expectedDepositA', config.expectedDepositA);
  checkAmount('expectedDepositB', config.expectedDepositB);
}

/** The initial storage (`Storage` in contracts/channel.tlb): FUNDING, no deposits, no close. Validates first. */
export function channelConfigToCell(config: ChannelConfig): Cell {
  validateChannelConfig(config);
  return rawConfigToCell(config);
}

/** The initial storage without validation (tests build refused configs with it). */
export function rawConfigToCell(config: ChannelConfig): Cell {
  const params = beginCell().storeBuffer(config.publicKeyA, 32).storeBuffer(config.publicKeyB, 32).storeUint(config.channelId, 64).endCell();
  return beginCell()
    .storeUint(PHASE_FUNDING, 2)
    .storeUint(0, 65) // floor
    .storeCoins(0n)
    .storeCoins(0n)
    .storeAddress(config.addressA)
    .storeAddress(config.addressB)
    .storeRef(params)
    .storeUint(0, 40) // deadline
    .storeUint(0, 1) // submitter
    .storeMaybeRef(null) // closing
    .storeCoins(config.expectedDepositA)
    .storeCoins(config.expectedDepositB)
    .storeUint(config.challengePeriod, 32)
    .endCell();
}

/** A closed record: a ChannelState cell, or the exit record (same layout, tag "exit", step 0). */
export function closedRecordFromCell(cell: Cell): ClosedRecord {
  const s = cell.beginParse();
  if (s.preloadUint(32) === TAG_EXIT) {
    s.skip(32);
    s.loadAddress();
    s.skip(64);
    return { step: null, tag: 'exit', balanceA: s.loadCoins(), balanceB: s.loadCoins() };
  }
  const st = stateFromCell(cell);
  return { step: st.step, tag: st.tag, balanceA: st.balanceA, balanceB: st.balanceB };
}

/** Parses the contract's storage cell: a live channel's data, or a closed channel's record. */
export function parseStorage(data: Cell): { phase: 'funding' | 'open' | 'closing'; data: ChannelData } | { phase: 'closed'; paid: ClosedRecord } {
  try {
    const s = data.beginParse();
    const phaseN = s.loadUint(2);
    if (phaseN === PHASE_CLOSED) return { phase: 'closed', paid: closedRecordFromCell(data) };
    const phase = phaseN === PHASE_FUNDING ? 'funding' : phaseN === PHASE_OPEN ? 'open' : 'closing';
    const stepFloor = s.loadUintBig(65);
    const depositA = s.loadCoins();
    const depositB = s.loadCoins();
    const addressA = s.loadAddress();
    const addressB = s.loadAddress();
    const p = s.loadRef().beginParse();
    const deadlineN = s.loadUint(40);
    const submitterN = s.loadUint(1);
    const closing = s.loadMaybeRef();
    const expectedDepositA = s.loadCoins();
    const expectedDepositB = s.loadCoins();
    const challengePeriod = s.loadUint(32);
    const publicKeyA = p.loadBuffer(32);
    const publicKeyB = p.loadBuffer(32);
    const channelId = p.loadUintBig(64);
    const record = phase === 'closing' && closing ? closedRecordFromCell(closing) : null;
    const isClosing = phase === 'closing';
    const out: ChannelData = {
      phase,
      publicKeyA,
      publicKeyB,
      addressA,
      addressB,
      channelId,
      challengePeriod,
      expectedDepositA,
      expectedDepositB,
      depositA,
      depositB,
      storedState: record && record.tag !== 'exit' && closing ? stateFromCell(closing) : null,
      exit: record?.tag === 'exit',
      submitter: isClosing ? (submitterN === 0 ? 'A' : 'B') : null,
      deadline: isClosing ? deadlineN : null,
      stepFloor,
    };
    return { phase, data: out };
  } catch (e) {
    if (e instanceof ChannelContractError) throw e;
    throw new ChannelContractError('BAD_CHANNEL_DATA', `not SynChannel contract storage: ${(e as Error).message}`);
  }
}

/** Parses a live contract's storage into ChannelData (throws BAD_CHANNEL_DATA for a closed record). */
export function channelDataFromCell(data: Cell): ChannelData {
  const r = parseStorage(data);
  if (r.phase === 'closed') throw new ChannelContractError('BAD_CHANNEL_DATA', 'the channel has paid out: its storage is the closed record (use the channel status)');
  return r.data;
}

/** The status of a channel address from its account: state type, balance and (when active) data. */
export function channelStatusFromAccount(state: 'active' | 'uninit' | 'frozen' | 'nonexist', balance: bigint, data: Cell | null): ChannelStatus {
  if (state === 'frozen') return { status: 'frozen', balance };
  if (state !== 'active') return { status: 'not_deployed', balance };
  if (!data) throw new ChannelContractError('BAD_CHANNEL_DATA', 'an active account without data is not a SynChannel contract');
  const r = parseStorage(data);
  return r.phase === 'closed' ? { status: 'closed', balance, paid: r.paid } : { status: r.phase, balance, data: r.data };
}

// ---------------------------------------------------------------- message bodies

/** `deposit`: credit `amount` to the sender (A or B); the message value must be >= amount + DEPOSIT_FEE. */
export function depositBody(amount: bigint): Cell {
  if (typeof amount !== 'bigint' || amount < 0n || amount > MAX_AMOUNT) fail('VALUE_TOO_LOW', `a deposit amount is a non-negative bigint of nanotons, got ${String(amount)}`);
  return beginCell().storeUint(OP_DEPOSIT, 32).storeCoins(amount).endCell();
}

function opBody(op: number): Cell {
  return beginCell().storeUint(op, 32).endCell();
}

/** `refund`: the sender (A or B) takes its whole deposit back while FUNDING. */
export const refundBody = (): Cell => opBody(OP_REFUND);
/** `finish_close`: pay out the stored state after the deadline (anyone may send it). */
export const finishCloseBody = (): Cell => opBody(OP_FINISH_CLOSE);
/** `exit`: from A's or B's wallet, open the challenge window with the deposits as the balances (OPEN). */
export const exitBody = (): Cell => opBody(OP_EXIT);

export const topUpBody = (): Cell => opBody(OP_TOP_UP);

export interface SignedStateInput {
  state: ChannelState;
  /** 64-byte ed25519 signature of stateHash(state) by A's channel key */
  sigA: Buffer;
  /** 64-byte ed25519 signature of stateHash(state) by B's channel key */
  sigB: Buffer;
}

function checkSig(name: string, sig: Buffer): void {
  if (!Buffer.isBuffer(sig) || sig.length !== 64) {
    fail('BAD_SIGNATURE_INPUT', `${name} must be a 64-byte ed25519 signature, got ${Buffer.isBuffer(sig) ? sig.length + ' bytes' : typeof sig}`);
  }
}

/** Who sends a signed-state message: party A's wallet, party B's wallet, or anyone else. */
export type Submitter = 'A' | 'B' | 'other';

/**
 * `op sig:bits512 state:^ChannelState sig_b:(Maybe ^Signature)` (contracts/channel.tlb): the signature of each
 * party that does not send the message. From A: B's; from B: A's; from anyone else: A's, and B's in sig_b.
 */
export function signedStateBody(op: number, input: SignedStateInput, by: Submitter): Cell {
  const b = beginCell().storeUint(op, 32);
  if (by === 'A') {
    checkSig('sigB', input.sigB);
    b.storeBuffer(input.sigB, 64).storeRef(stateToCell(input.state)).storeMaybeRef(null);
  } else if (by === 'B') {
    checkSig('sigA', input.sigA);
    b.storeBuffer(input.sigA, 64).storeRef(stateToCell(input.state)).storeMaybeRef(null);
  } else {
    checkSig('sigA', input.sigA);
    checkSig('sigB', input.sigB);
    b.storeBuffer(input.sigA, 64).storeRef(stateToCell(input.state)).storeMaybeRef(beginCell().storeBuffer(input.sigB, 64).endCell());
  }
  return b.endCell();
}

/** `cooperative_close`: a close-tagged state signed by both pays out at once (OPEN or CLOSING). */
export const cooperativeCloseBody = (input: SignedStateInput, by: Submitter = 'other'): Cell => signedStateBody(OP_COOPERATIVE_CLOSE, input, by);
/** `start_close`: from A's or B's wallet, a state signed by both opens the challenge window (OPEN). */
export const startCloseBody = (input: SignedStateInput, by: Submitter = 'other'): Cell => signedStateBody(OP_START_CLOSE, input, by);
/** `challenge`: a state signed by both with step >= the floor replaces the stored one before the deadline. */
export const challengeBody = (input: SignedStateInput, by: Submitter = 'other'): Cell => signedStateBody(OP_CHALLENGE, input, by);
