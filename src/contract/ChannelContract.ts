// The channel contract's wrapper (blueprint style): config/storage cells, message bodies, send*/get*.
// Layouts: contracts/channel.tlb (same names as contracts/channel.tolk). Light on purpose (bundled into
// the extension): @ton/core, src/core and one small JSON file with the compiled code.
import {
  Address,
  beginCell,
  Cell,
  contractAddress,
  SendMode,
  type Contract,
  type ContractProvider,
  type Sender,
  type StateInit,
} from '@ton/core';
import compiled from '../../contracts/build/channel.compiled.json';
import { stateFromCell, stateToCell, type ChannelState } from '../core/state.js';

// ---------------------------------------------------------------- code

/** The compiled channel contract (contracts/build/channel.compiled.json, from contracts/channel.tolk). */
export const CHANNEL_CODE: Cell = Cell.fromBoc(Buffer.from(compiled.code, 'base64'))[0] as Cell;
/** Hex of CHANNEL_CODE's hash. */
export const CHANNEL_CODE_HASH: string = compiled.hash;

// ---------------------------------------------------------------- constants (mirrored from Tolk)

export const OP_DEPOSIT = 0x6465706f; // "depo"
export const OP_REFUND = 0x72656675; // "refu"
export const OP_COOPERATIVE_CLOSE = 0x636f6f70; // "coop"
export const OP_START_CLOSE = 0x73746172; // "star"
export const OP_CHALLENGE = 0x6368616c; // "chal"
export const OP_FINISH_CLOSE = 0x66696e69; // "fini"

export const PHASE_FUNDING = 0;
export const PHASE_OPEN = 1;
export const PHASE_CLOSING = 2;
/** Never stored: a closed channel has paid out and destroyed its account. */
export const PHASE_CLOSED = 3;

export type ChannelPhase = 'funding' | 'open' | 'closing' | 'closed';
const PHASES: readonly ChannelPhase[] = ['funding', 'open', 'closing', 'closed'];

export function phaseFromNumber(n: number): ChannelPhase {
  const p = PHASES[n];
  if (p === undefined) throw new ChannelContractError('BAD_CHANNEL_DATA', `unknown channel phase ${n}; is this a SynChannel contract?`);
  return p;
}

/** The minimum a deposit message must carry above the credited amount (contract constant DEPOSIT_FEE). */
export const DEPOSIT_FEE = 10_000_000n; // 0.01 TON

/** Exit codes of contracts/channel.tolk (same names, without the ERR_ prefix). */
export const ChannelExit = {
  NOT_PARTY: 101,
  NOT_FUNDING: 102,
  NOT_OPEN: 103,
  NOT_CLOSING: 104,
  VALUE_TOO_LOW: 105,
  NOTHING_TO_REFUND: 106,
  BAD_SIGNATURE_A: 107,
  BAD_SIGNATURE_B: 108,
  WRONG_CHANNEL: 109,
  WRONG_TAG: 110,
  TOTAL_MISMATCH: 111,
  STEP_NOT_HIGHER: 112,
  TOO_LATE: 113,
  TOO_EARLY: 114,
  UNKNOWN_OP: 0xffff,
} as const satisfies { readonly [name: string]: number };

export type ChannelExitName = keyof typeof ChannelExit;

const EXIT_MESSAGES: Record<number, string> = {
  [ChannelExit.NOT_PARTY]: "The sender is neither party's payout wallet: deposit, refund and start a close from wallet A or B of this channel.",
  [ChannelExit.NOT_FUNDING]: 'The channel is locked (both deposits are in): deposits and refunds are only possible while funding. Close the channel instead.',
  [ChannelExit.NOT_OPEN]: 'The channel is not open: it is still funding (wait for both deposits) or a close is already under way (use challenge or finish).',
  [ChannelExit.NOT_CLOSING]: 'No close is under way: start a close first (challenge and finish only work while closing).',
  [ChannelExit.VALUE_TOO_LOW]: 'The message value does not cover the deposit amount plus the 0.01 TON fee: attach more.',
  [ChannelExit.NOTHING_TO_REFUND]: 'This party has no deposit to refund.',
  [ChannelExit.BAD_SIGNATURE_A]: "Signature A does not match the state and A's channel key: use the state exactly as signed and the right key.",
  [ChannelExit.BAD_SIGNATURE_B]: "Signature B does not match the state and B's channel key: use the state exactly as signed and the right key.",
  [ChannelExit.WRONG_CHANNEL]: 'The state belongs to another channel (its channel address is not this contract).',
  [ChannelExit.WRONG_TAG]: 'The state has the wrong tag: a cooperative close needs a close-tagged state.',
  [ChannelExit.TOTAL_MISMATCH]: 'The state\'s balances do not add up to the deposited total.',
  [ChannelExit.STEP_NOT_HIGHER]: 'The state is not newer than the one on chain (its step is not higher): submit a newer state.',
  [ChannelExit.TOO_LATE]: 'The challenge window is over: the close can only be finished now.',
  [ChannelExit.TOO_EARLY]: 'The challenge window is still open: finish the close after the deadline.',
  [ChannelExit.UNKNOWN_OP]: 'Unknown message: this contract accepts deposit, refund, cooperative_close, start_close, challenge, finish_close or an empty top-up.',
  // TVM / transaction codes a caller may meet
  [0]: 'Success.',
  [1]: 'Success.',
  [5]: 'Integer out of range: a value in the message is too large.',
  [7]: 'Type check error: the message is malformed.',
  [8]: 'Cell overflow: a value is too large to store.',
  [9]: 'Cell underflow: the message body is malformed or truncated.',
  [13]: 'Out of gas: attach more value to the message.',
  [37]: 'Not enough TON on the contract to send the payouts.',
};

/** A human message for an exit code of the channel contract (or of the TVM). */
export function exitCodeMessage(code: number): string {
  return EXIT_MESSAGES[code] ?? `Exit code ${code}: unexpected failure of the channel contract.`;
}

/** The name of a contract exit code (e.g. 'TOO_EARLY'), or undefined. */
export function exitCodeName(code: number): ChannelExitName | undefined {
  for (const [name, value] of Object.entries(ChannelExit)) if (value === code) return name as ChannelExitName;
  return undefined;
}

/**
 * Suggested values to attach (nanotons). Leftovers stay in the contract as the gas reserve and are
 * paid out to A at the end. deposit is on top of the amount.
 */
export const CHANNEL_FEES = {
  deploy: 50_000_000n, // 0.05 TON: the initial gas reserve
  deposit: 20_000_000n, // 0.02 TON above the amount (>= DEPOSIT_FEE)
  refund: 20_000_000n, // 0.02 TON; the rest comes back with the refund
  close: 30_000_000n, // 0.03 TON: cooperative_close, start_close, challenge
  finish: 30_000_000n, // 0.03 TON
} as const;

// ---------------------------------------------------------------- errors

export type ChannelContractErrorCode = 'BAD_CONFIG' | 'BAD_SIGNATURE_INPUT' | 'VALUE_TOO_LOW' | 'BAD_CHANNEL_DATA' | 'NOT_DEPLOYED';

/** A typed error of the wrapper (bad input before anything is sent, or unreadable chain data). */
export class ChannelContractError extends Error {
  constructor(
    readonly code: ChannelContractErrorCode,
    message: string,
  ) {
    super(message);
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
  /** random, so two channels of the same pair differ (uint64) */
  channelId: bigint;
  /** seconds (uint32) */
  challengePeriod: number;
  /** nanotons; either may be 0 */
  expectedDepositA: bigint;
  expectedDepositB: bigint;
}

/** The contract's data: its config, the deposits so far, and in CLOSING the stored state. */
export interface ChannelData extends ChannelConfig {
  phase: ChannelPhase;
  depositA: bigint;
  depositB: bigint;
  /** CLOSING only */
  storedState: ChannelState | null;
  submitter: 'A' | 'B' | null;
  /** unix seconds; CLOSING only */
  deadline: number | null;
}

const MAX_U64 = (1n << 64n) - 1n;
/** now + challengePeriod must fit the uint32 deadline, or start_close could never succeed. */
export const MAX_CHALLENGE_PERIOD = 365 * 24 * 3600;
const MAX_COINS = (1n << 120n) - 1n;

function checkKey(name: string, key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== 32) {
    throw new ChannelContractError('BAD_CONFIG', `${name} must be a 32-byte ed25519 public key, got ${Buffer.isBuffer(key) ? key.length + ' bytes' : typeof key}`);
  }
}

function checkCoins(name: string, v: bigint): void {
  if (typeof v !== 'bigint' || v < 0n || v > MAX_COINS) throw new ChannelContractError('BAD_CONFIG', `${name} must be a non-negative bigint of nanotons, got ${String(v)}`);
}

/** Validates a config; throws ChannelContractError('BAD_CONFIG') saying what to fix. */
export function validateChannelConfig(config: ChannelConfig): void {
  checkKey('publicKeyA', config.publicKeyA);
  checkKey('publicKeyB', config.publicKeyB);
  if (!Address.isAddress(config.addressA) || !Address.isAddress(config.addressB)) throw new ChannelContractError('BAD_CONFIG', 'addressA and addressB must be TON addresses');
  if (config.addressA.equals(config.addressB)) throw new ChannelContractError('BAD_CONFIG', 'addressA and addressB must differ (deposits are credited by sender address)');
  if (typeof config.channelId !== 'bigint' || config.channelId < 0n || config.channelId > MAX_U64) {
    throw new ChannelContractError('BAD_CONFIG', `channelId must be a bigint in 0..2^64-1, got ${String(config.channelId)}`);
  }
  if (!Number.isInteger(config.challengePeriod) || config.challengePeriod < 0 || config.challengePeriod > MAX_CHALLENGE_PERIOD) {
    throw new ChannelContractError('BAD_CONFIG', `challengePeriod must be whole seconds in 0..${MAX_CHALLENGE_PERIOD} (one year), got ${config.challengePeriod}`);
  }
  checkCoins('expectedDepositA', config.expectedDepositA);
  checkCoins('expectedDepositB', config.expectedDepositB);
}

/** `params` of the storage: keys, channel id, challenge period. */
function paramsToCell(config: ChannelConfig): Cell {
  return beginCell()
    .storeBuffer(config.publicKeyA, 32)
    .storeBuffer(config.publicKeyB, 32)
    .storeUint(config.channelId, 64)
    .storeUint(config.challengePeriod, 32)
    .endCell();
}

/** The initial storage (`Storage` in contracts/channel.tlb): FUNDING, no deposits, no close. */
export function channelConfigToCell(config: ChannelConfig): Cell {
  validateChannelConfig(config);
  return beginCell()
    .storeUint(PHASE_FUNDING, 2)
    .storeCoins(0n)
    .storeCoins(0n)
    .storeBit(false) // closing: nothing
    .storeAddress(config.addressA)
    .storeAddress(config.addressB)
    .storeCoins(config.expectedDepositA)
    .storeCoins(config.expectedDepositB)
    .storeRef(paramsToCell(config))
    .endCell();
}

function bigintToKey(v: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
}

/** Parses the contract's storage cell (e.g. from an account state) into ChannelData. */
export function channelDataFromCell(data: Cell): ChannelData {
  try {
    const s = data.beginParse();
    const phase = phaseFromNumber(s.loadUint(2));
    const depositA = s.loadCoins();
    const depositB = s.loadCoins();
    let storedState: ChannelState | null = null;
    let submitter: 'A' | 'B' | null = null;
    let deadline: number | null = null;
    if (s.loadBit()) {
      submitter = s.loadUint(1) === 0 ? 'A' : 'B';
      deadline = s.loadUint(32);
      s.loadUintBig(64); // step (also inside the state)
      storedState = stateFromCell(s.loadRef());
    }
    const addressA = s.loadAddress();
    const addressB = s.loadAddress();
    const expectedDepositA = s.loadCoins();
    const expectedDepositB = s.loadCoins();
    const p = s.loadRef().beginParse();
    const publicKeyA = p.loadBuffer(32);
    const publicKeyB = p.loadBuffer(32);
    const channelId = p.loadUintBig(64);
    const challengePeriod = p.loadUint(32);
    return { phase, publicKeyA, publicKeyB, addressA, addressB, channelId, challengePeriod, expectedDepositA, expectedDepositB, depositA, depositB, storedState, submitter, deadline };
  } catch (e) {
    if (e instanceof ChannelContractError) throw e;
    throw new ChannelContractError('BAD_CHANNEL_DATA', `not SynChannel contract storage: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------- message bodies

/** `deposit`: credit `amount` to the sender (A or B); the message value must be >= amount + DEPOSIT_FEE. */
export function depositBody(amount: bigint): Cell {
  if (typeof amount !== 'bigint' || amount < 0n || amount > MAX_COINS) throw new ChannelContractError('VALUE_TOO_LOW', `a deposit amount is a non-negative bigint of nanotons, got ${String(amount)}`);
  return beginCell().storeUint(OP_DEPOSIT, 32).storeCoins(amount).endCell();
}

/** `refund`: the sender (A or B) takes its whole deposit back while FUNDING. */
export function refundBody(): Cell {
  return beginCell().storeUint(OP_REFUND, 32).endCell();
}

/** `finish_close`: pay out the stored state after the deadline (anyone may send it). */
export function finishCloseBody(): Cell {
  return beginCell().storeUint(OP_FINISH_CLOSE, 32).endCell();
}

export interface SignedStateInput {
  state: ChannelState;
  /** 64-byte ed25519 signature of stateHash(state) by A's channel key */
  sigA: Buffer;
  /** 64-byte ed25519 signature of stateHash(state) by B's channel key */
  sigB: Buffer;
}

function checkSig(name: string, sig: Buffer): void {
  if (!Buffer.isBuffer(sig) || sig.length !== 64) {
    throw new ChannelContractError('BAD_SIGNATURE_INPUT', `${name} must be a 64-byte ed25519 signature, got ${Buffer.isBuffer(sig) ? sig.length + ' bytes' : typeof sig}`);
  }
}

/** `op sig_a:bits512 sig_b:^Signature state:^ChannelState` (contracts/channel.tlb `SignedState`). */
export function signedStateBody(op: number, input: SignedStateInput): Cell {
  checkSig('sigA', input.sigA);
  checkSig('sigB', input.sigB);
  return beginCell()
    .storeUint(op, 32)
    .storeBuffer(input.sigA, 64)
    .storeRef(beginCell().storeBuffer(input.sigB, 64).endCell())
    .storeRef(stateToCell(input.state))
    .endCell();
}

/** `cooperative_close`: a close-tagged state signed by both pays out at once (OPEN or CLOSING). */
export function cooperativeCloseBody(input: SignedStateInput): Cell {
  return signedStateBody(OP_COOPERATIVE_CLOSE, input);
}

/** `start_close`: from A's or B's wallet, a state signed by both opens the challenge window (OPEN). */
export function startCloseBody(input: SignedStateInput): Cell {
  return signedStateBody(OP_START_CLOSE, input);
}

/** `challenge`: a state of higher step signed by both replaces the stored one before the deadline. */
export function challengeBody(input: SignedStateInput): Cell {
  return signedStateBody(OP_CHALLENGE, input);
}

// ---------------------------------------------------------------- the contract

function defaultValue(value: bigint | undefined, fallback: bigint): bigint {
  if (value === undefined) return fallback;
  if (typeof value !== 'bigint' || value <= 0n) throw new ChannelContractError('VALUE_TOO_LOW', `an attached value is a positive bigint of nanotons, got ${String(value)}`);
  return value;
}

export class ChannelContract implements Contract {
  constructor(
    readonly address: Address,
    readonly init?: StateInit,
  ) {}

  static createFromConfig(config: ChannelConfig, code: Cell = CHANNEL_CODE, workchain = 0): ChannelContract {
    const data = channelConfigToCell(config);
    const init = { code, data };
    return new ChannelContract(contractAddress(workchain, init), init);
  }

  static createFromAddress(address: Address): ChannelContract {
    return new ChannelContract(address);
  }

  /**
   * Deploys the contract (the message carries the state init). With `deposit`, the same message credits
   * `deposit` to the sender (A or B); `value` must then be >= deposit + DEPOSIT_FEE. Without, `value`
   * is the initial gas reserve (CHANNEL_FEES.deploy is a good value).
   */
  async sendDeploy(provider: ContractProvider, via: Sender, opts: { value: bigint; deposit?: bigint }): Promise<void> {
    const value = defaultValue(opts.value, CHANNEL_FEES.deploy);
    let body: Cell = Cell.EMPTY;
    if (opts.deposit !== undefined) {
      body = depositBody(opts.deposit);
      if (value < opts.deposit + DEPOSIT_FEE) {
        throw new ChannelContractError('VALUE_TOO_LOW', `value ${value} does not cover deposit ${opts.deposit} + fee ${DEPOSIT_FEE}: attach at least ${opts.deposit + CHANNEL_FEES.deposit}`);
      }
    }
    await provider.internal(via, { value, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
  }

  /**
   * Every message but the deploy goes without the state init: a message to a channel that has closed
   * (and destroyed its account) must bounce, never silently redeploy a fresh channel at the same address.
   */
  private async post(via: Sender, args: { value: bigint; body: Cell }): Promise<void> {
    await via.send({ to: this.address, value: args.value, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY, body: args.body });
  }

  /** Credits `amount` to the sender (A or B). `value` defaults to amount + CHANNEL_FEES.deposit. */
  async sendDeposit(provider: ContractProvider, via: Sender, opts: { amount: bigint; value?: bigint }): Promise<void> {
    const body = depositBody(opts.amount);
    const value = defaultValue(opts.value, opts.amount + CHANNEL_FEES.deposit);
    if (value < opts.amount + DEPOSIT_FEE) {
      throw new ChannelContractError('VALUE_TOO_LOW', `value ${value} does not cover amount ${opts.amount} + fee ${DEPOSIT_FEE}: attach at least ${opts.amount + CHANNEL_FEES.deposit}`);
    }
    await this.post(via, { value, body });
  }

  /** The sender (A or B) takes its whole deposit back (FUNDING only). */
  async sendRefund(provider: ContractProvider, via: Sender, opts: { value?: bigint } = {}): Promise<void> {
    await this.post(via, { value: defaultValue(opts.value, CHANNEL_FEES.refund), body: refundBody() });
  }

  async sendCooperativeClose(provider: ContractProvider, via: Sender, opts: SignedStateInput & { value?: bigint }): Promise<void> {
    await this.post(via, { value: defaultValue(opts.value, CHANNEL_FEES.close), body: cooperativeCloseBody(opts) });
  }

  /** Must come from A's or B's wallet (the submitter is recorded). */
  async sendStartClose(provider: ContractProvider, via: Sender, opts: SignedStateInput & { value?: bigint }): Promise<void> {
    await this.post(via, { value: defaultValue(opts.value, CHANNEL_FEES.close), body: startCloseBody(opts) });
  }

  async sendChallenge(provider: ContractProvider, via: Sender, opts: SignedStateInput & { value?: bigint }): Promise<void> {
    await this.post(via, { value: defaultValue(opts.value, CHANNEL_FEES.close), body: challengeBody(opts) });
  }

  async sendFinishClose(provider: ContractProvider, via: Sender, opts: { value?: bigint } = {}): Promise<void> {
    await this.post(via, { value: defaultValue(opts.value, CHANNEL_FEES.finish), body: finishCloseBody() });
  }

  /**
   * The channel's data through the `get_channel_data` get-method. A channel that has paid out has no
   * account any more: then, if this wrapper was made from the config, the config comes back with
   * phase 'closed' and zero deposits; otherwise (or if the contract was never deployed) it throws
   * ChannelContractError('NOT_DEPLOYED').
   */
  async getChannelData(provider: ContractProvider): Promise<ChannelData> {
    const st = await provider.getState();
    if (st.state.type !== 'active') {
      const hadTransactions = st.last !== null && st.last.lt > 0n; // some providers report lt 0 for a fresh address
      if (hadTransactions && this.init?.data) {
        return { ...channelDataFromCell(this.init.data), phase: 'closed' };
      }
      throw new ChannelContractError('NOT_DEPLOYED', `no active channel contract at ${this.address.toString()} (state: ${st.state.type}${hadTransactions ? ', it has paid out and closed' : ', not deployed yet'})`);
    }
    const { stack } = await provider.get('get_channel_data', []);
    try {
      const phase = phaseFromNumber(stack.readNumber());
      const publicKeyA = bigintToKey(stack.readBigNumber());
      const publicKeyB = bigintToKey(stack.readBigNumber());
      const addressA = stack.readAddress();
      const addressB = stack.readAddress();
      const channelId = stack.readBigNumber();
      const challengePeriod = stack.readNumber();
      const expectedDepositA = stack.readBigNumber();
      const expectedDepositB = stack.readBigNumber();
      const depositA = stack.readBigNumber();
      const depositB = stack.readBigNumber();
      const stateCell = stack.readCellOpt();
      const submitterN = stack.readNumber();
      const deadlineN = stack.readNumber();
      const closing = stateCell !== null;
      return {
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
        storedState: closing ? stateFromCell(stateCell) : null,
        submitter: closing ? (submitterN === 0 ? 'A' : 'B') : null,
        deadline: closing ? deadlineN : null,
      };
    } catch (e) {
      if (e instanceof ChannelContractError) throw e;
      throw new ChannelContractError('BAD_CHANNEL_DATA', `get_channel_data returned an unexpected stack: ${(e as Error).message}`);
    }
  }

  /** The contract's balance in nanotons (0 when it has no account). */
  async getBalance(provider: ContractProvider): Promise<bigint> {
    return (await provider.getState()).balance;
  }
}
