// The channel contract's wrapper (blueprint style): send* and get* over a ContractProvider. Layouts and
// constants are in layout.ts, exit codes in exits.ts (contracts/channel.tlb, contracts/channel.tolk). Light on
// purpose (bundled into the extension): @ton/core, src/core and one small JSON file with the compiled code.
import { beginCell, Cell, contractAddress, SendMode, storeStateInit, type Address, type Contract, type ContractProvider, type Sender, type StateInit } from '@ton/core';
import compiled from '../../contracts/build/channel.compiled.json';
import compiledV2 from '../../contracts/build/channel-v2.compiled.json';
import compiledV3 from '../../contracts/build/channel-v3.compiled.json';
import {
  CHANNEL_FEES,
  ChannelContractError,
  DEPOSIT_FEE,
  MIN_PAYOUT_VALUE,
  channelConfigToCell,
  channelStatusFromAccount,
  challengeBody,
  cooperativeCloseBody,
  depositBody,
  exitBody,
  finishCloseBody,
  parseStorage,
  refundBody,
  startCloseBody,
  topUpBody,
  type ChannelConfig,
  type ChannelData,
  type ChannelStatus,
  type SignedStateInput,
  type Submitter,
} from './layout.js';

export * from './layout.js';
export * from './exits.js';

/** The compiled channel contract (contracts/build/channel.compiled.json, from contracts/channel.tolk). */
export const CHANNEL_CODE: Cell = Cell.fromBoc(Buffer.from(compiled.code, 'base64'))[0] as Cell;
/** Hex of CHANNEL_CODE's hash. */
export const CHANNEL_CODE_HASH: string = compiled.hash;

/**
 * The versions of the channel contract this code runs: 4 (CHANNEL_CODE) for every new channel, 3 and 2 for the
 * channels opened before it. They differ only on chain: v3 leaves the fee reserve on the address once every deposit
 * is refunded (v4: a refund takes half of it, the last all); v2 also lets a plain transfer join the reserve and a
 * refund ignore the other deposit's share of a storage loss, and has no top_up (an empty body is its top-up).
 * Their other messages, their storage and their exit codes are v4's.
 * Newest first; a new version is added here and to CODE_OF below.
 */
export const CONTRACT_VERSIONS = [4, 3, 2] as const;
export type ContractVersion = (typeof CONTRACT_VERSIONS)[number];
export const CONTRACT_VERSION: ContractVersion = CONTRACT_VERSIONS[0];
/** contract v2's code, as compiled when it was current (contracts/build/channel-v2.compiled.json). */
export const CHANNEL_CODE_V2: Cell = Cell.fromBoc(Buffer.from(compiledV2.code, 'base64'))[0] as Cell;
/** contract v3's code, as compiled when it was current (contracts/build/channel-v3.compiled.json). */
export const CHANNEL_CODE_V3: Cell = Cell.fromBoc(Buffer.from(compiledV3.code, 'base64'))[0] as Cell;

const CODE_OF: Record<ContractVersion, Cell> = { 4: CHANNEL_CODE, 3: CHANNEL_CODE_V3, 2: CHANNEL_CODE_V2 };

/** The code of contract `version`. */
export function channelCode(version: ContractVersion = CONTRACT_VERSION): Cell {
  return CODE_OF[version];
}

/** Whether `v` is a contract version this code runs (a record of a newer SynChannel may name another). */
export function isContractVersion(v: unknown): v is ContractVersion {
  return (CONTRACT_VERSIONS as readonly unknown[]).includes(v);
}

function defaultValue(value: bigint | undefined, fallback: bigint, min = 1n): bigint {
  if (value === undefined) return fallback;
  if (typeof value !== 'bigint' || value < min) throw new ChannelContractError('VALUE_TOO_LOW', `the attached value must be a bigint of at least ${min} nanotons, got ${String(value)}`);
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
   * Deploys the contract (the message carries the state init). With `deposit` (0 allowed), the same message
   * credits it to the sender (A or B); `value` must then be >= deposit + DEPOSIT_FEE, and more comes back.
   * Without, the message is a top_up and `value` is a gift to the reserve.
   */
  async sendDeploy(provider: ContractProvider, via: Sender, opts: { value: bigint; deposit?: bigint }): Promise<void> {
    const value = defaultValue(opts.value, CHANNEL_FEES.deploy);
    let body: Cell = topUpBody();
    if (opts.deposit !== undefined) {
      body = depositBody(opts.deposit);
      if (value < opts.deposit + DEPOSIT_FEE) {
        throw new ChannelContractError('VALUE_TOO_LOW', `value ${value} does not cover deposit ${opts.deposit} + fee ${DEPOSIT_FEE}: attach ${opts.deposit + DEPOSIT_FEE}`);
      }
    }
    await provider.internal(via, { value, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
  }

  /**
   * Every message but the deploy goes without the state init, bounceable: a message to an address with no
   * channel (or a closed one) comes back.
   */
  private async post(via: Sender, args: { value: bigint; body: Cell }): Promise<void> {
    await via.send({ to: this.address, value: args.value, bounce: true, sendMode: SendMode.PAY_GAS_SEPARATELY, body: args.body });
  }

  /** Credits `amount` to the sender (A or B). `value` defaults to amount + DEPOSIT_FEE (anything above comes back). */
  async sendDeposit(provider: ContractProvider, via: Sender, opts: { amount: bigint; value?: bigint }): Promise<void> {
    const body = depositBody(opts.amount);
    const value = defaultValue(opts.value, opts.amount + CHANNEL_FEES.deposit);
    if (value < opts.amount + DEPOSIT_FEE) {
      throw new ChannelContractError('VALUE_TOO_LOW', `value ${value} does not cover amount ${opts.amount} + fee ${DEPOSIT_FEE}: attach ${opts.amount + DEPOSIT_FEE}`);
    }
    await this.post(via, { value, body });
  }

  /** The sender (A or B) takes its whole deposit back (FUNDING only). */
  async sendRefund(provider: ContractProvider, via: Sender, opts: { value?: bigint } = {}): Promise<void> {
    await this.post(via, { value: defaultValue(opts.value, CHANNEL_FEES.refund), body: refundBody() });
  }

  /**
   * Which party `via` is (its address against the channel's), so a signed-state message carries only the
   * signatures the contract checks: the ones of the parties that do not send it.
   */
  async submitterOf(provider: ContractProvider, via: Sender): Promise<Submitter> {
    if (!via.address) return 'other';
    let data = this.init?.data ?? null;
    if (!data) {
      const st = await provider.getState();
      data = st.state.type === 'active' && st.state.data ? (Cell.fromBoc(st.state.data)[0] ?? null) : null;
    }
    const parsed = data ? parseStorage(data) : null;
    if (!parsed || parsed.phase === 'closed') return 'other';
    if (via.address.equals(parsed.data.addressA)) return 'A';
    return via.address.equals(parsed.data.addressB) ? 'B' : 'other';
  }

  /** Pays out a close-tagged state signed by both at once; the sender's change comes back. */
  async sendCooperativeClose(provider: ContractProvider, via: Sender, opts: SignedStateInput & { value?: bigint; by?: Submitter }): Promise<void> {
    const by = opts.by ?? (await this.submitterOf(provider, via));
    await this.post(via, { value: defaultValue(opts.value, CHANNEL_FEES.close, MIN_PAYOUT_VALUE), body: cooperativeCloseBody(opts, by) });
  }

  /** Must come from A's or B's wallet (the submitter is recorded). */
  async sendStartClose(provider: ContractProvider, via: Sender, opts: SignedStateInput & { value?: bigint; by?: Submitter }): Promise<void> {
    const by = opts.by ?? (await this.submitterOf(provider, via));
    await this.post(via, { value: defaultValue(opts.value, CHANNEL_FEES.close), body: startCloseBody(opts, by) });
  }

  /** From A's or B's wallet: leave without any state signed by the partner (the deposits are the balances). */
  async sendExit(provider: ContractProvider, via: Sender, opts: { value?: bigint } = {}): Promise<void> {
    await this.post(via, { value: defaultValue(opts.value, CHANNEL_FEES.close), body: exitBody() });
  }

  /** From anyone: a state signed by both with a step at or above the floor replaces the stored one. */
  async sendChallenge(provider: ContractProvider, via: Sender, opts: SignedStateInput & { value?: bigint; by?: Submitter }): Promise<void> {
    const by = opts.by ?? (await this.submitterOf(provider, via));
    await this.post(via, { value: defaultValue(opts.value, CHANNEL_FEES.close), body: challengeBody(opts, by) });
  }

  async sendFinishClose(provider: ContractProvider, via: Sender, opts: { value?: bigint } = {}): Promise<void> {
    await this.post(via, { value: defaultValue(opts.value, CHANNEL_FEES.finish, MIN_PAYOUT_VALUE), body: finishCloseBody() });
  }

  /**
   * A gift to the reserve of a live channel (it pays the storage fees; split evenly at the payout; refused once
   * closed). A plain transfer (an empty body) is not one: the contract sends it back.
   */
  async sendTopUp(provider: ContractProvider, via: Sender, opts: { value: bigint; version?: ContractVersion }): Promise<void> {
    await this.post(via, { value: defaultValue(opts.value, opts.value), body: opts.version === 2 ? Cell.EMPTY : topUpBody() });
  }

  /**
   * Unfreezes a channel that storage fees froze: the message carries the state init of the frozen state (the code
   * of its `version`, default the current, and `data`, the storage it had when it froze) and pays the debt; the
   * rest joins the reserve (a top_up; an empty body on v2). It is not bounceable (a bounceable message cannot pay
   * the debt), so it goes only to an account frozen with exactly that state: to a live channel the value would be a
   * gift, to a closed one it would stay on the address for ever. Otherwise ChannelContractError('NOT_FROZEN').
   */
  async sendUnfreeze(provider: ContractProvider, via: Sender, opts: { value: bigint; data: Cell; version?: ContractVersion }): Promise<void> {
    const init = { code: channelCode(opts.version), data: opts.data };
    const st = await provider.getState();
    if (st.state.type !== 'frozen') throw new ChannelContractError('NOT_FROZEN', `the channel ${this.address.toString()} is not frozen (${st.state.type}): nothing sent`);
    if (!st.state.stateHash.equals(beginCell().store(storeStateInit(init)).endCell().hash())) {
      throw new ChannelContractError('NOT_FROZEN', `the channel ${this.address.toString()} froze with another state than the one given (code version or storage): nothing sent`);
    }
    const body = opts.version === 2 ? Cell.EMPTY : topUpBody();
    await via.send({ to: this.address, value: opts.value, bounce: false, sendMode: SendMode.PAY_GAS_SEPARATELY, init, body });
  }

  /** Never deployed, funding, open, closing, closed (with what was paid) or frozen, read from the account. */
  async getChannelStatus(provider: ContractProvider): Promise<ChannelStatus> {
    const st = await provider.getState();
    const data = st.state.type === 'active' && st.state.data ? Cell.fromBoc(st.state.data)[0] ?? null : null;
    return channelStatusFromAccount(st.state.type, st.balance, data);
  }

  /**
   * A live channel's data (funding, open, closing). A closed channel: the config of this wrapper's state init
   * with phase 'closed' when it was made from the config. Otherwise, and for an address without an active
   * contract, ChannelContractError('NOT_DEPLOYED'); use getChannelStatus to tell the cases apart.
   */
  async getChannelData(provider: ContractProvider): Promise<ChannelData> {
    const status = await this.getChannelStatus(provider);
    if (status.status === 'funding' || status.status === 'open' || status.status === 'closing') return status.data;
    if (status.status === 'closed' && this.init?.data) {
      const r = parseStorage(this.init.data);
      if (r.phase !== 'closed') return { ...r.data, phase: 'closed' };
    }
    throw new ChannelContractError('NOT_DEPLOYED', `no live channel contract at ${this.address.toString()} (${status.status === 'closed' ? 'it has paid out and closed' : status.status})`);
  }

  /** The contract's balance in nanotons (0 when it has no account). */
  async getBalance(provider: ContractProvider): Promise<bigint> {
    return (await provider.getState()).balance;
  }
}
