// The Chain interface: everything the node does on-chain, the same on the sandbox, the devnet and testnet.
import type { Address } from '@ton/core';
import type { ChannelState } from '../core/state.js';
import type { KeyPair } from '../core/signer.js';
import type { ChannelConfig, ChannelData, ChannelStatus, ClosedRecord, ContractVersion, Submitter } from '../contract/index.js';
import type { WalletVersion } from './wallets.js';

export type { ChannelConfig, ChannelData, ChannelStatus, ClosedRecord } from '../contract/index.js';
export { MIN_CHALLENGE_PERIOD, MAX_CHALLENGE_PERIOD, CHANNEL_FEES, DEPOSIT_FEE, MIN_PAYOUT_VALUE } from '../contract/layout.js';
export type { WalletVersion } from './wallets.js';

/** The most one faucet call gives, in nanotons (1,000,000 TON): the devnet's limit, and the node's for any chain. */
export const FAUCET_MAX = 1_000_000n * 1_000_000_000n;
/** The least a node asks the faucet for: less would not pay the wallet's fee for receiving it (nothing arrives). */
export const FAUCET_MIN = 10_000_000n;

export type ChainKind = 'sandbox' | 'devnet' | 'testnet';

export interface OpOptions {
  /** Cancels the wait (the message may still land if it was already sent). */
  signal?: AbortSignal;
  /** Gives up waiting after this long with ChainError('TIMEOUT') (default: 30 s sandbox, 60 s devnet, 180 s testnet). */
  timeoutMs?: number;
  /** Human progress lines for UIs, e.g. "waiting for the channel contract to process the deposit…". */
  onProgress?: (message: string) => void;
  /** TON attached to the contract message (default: the wrapper's CHANNEL_FEES for the operation, plus any deposit). */
  value?: bigint;
  /**
   * Called once the wallet message is signed, just before it leaves (its expiry runs from now; a send waits its
   * turn for the wallet first) with that expiry (chain unix s): a caller marks it here. If it throws, nothing is sent.
   */
  beforeSend?: (signed: { validUntil: number }) => Promise<void> | void;
  /** Goes before the wallet's waiting sends that are not urgent (a challenge: its window is on the chain's clock). */
  urgent?: boolean;
}

/** A read's options. `background`: on a rate-limited endpoint it waits while operations' requests go first (the
 * channel watches' polls, a node's catch-up after a restart). */
export interface ReadOptions {
  signal?: AbortSignal;
  background?: boolean;
  /** getPayout: look through up to 2,000 transactions (not 200): later messages to a closed contract bury it (the chain's payoutDepth) */
  deep?: boolean;
}

/** An opened wallet. The secret key stays inside the chain object that opened it (use the handle with that chain only). */
export interface Wallet {
  readonly address: Address;
  readonly publicKey: Buffer;
  readonly version: WalletVersion;
}

/** A state signed by both parties. */
export interface SignedStateArg {
  state: ChannelState;
  /** 64-byte signature of stateHash(state) by A's channel key */
  sigA: Buffer;
  /** 64-byte signature of stateHash(state) by B's channel key */
  sigB: Buffer;
  /**
   * The sending wallet's side, which sets the message's layout (the signatures of the parties that do not send it):
   * known from the channel's record. Left out, it is read from the contract's storage, where a replica that lags
   * behind the deployment shows none and a party's message goes in a stranger's layout (the contract refuses it).
   */
  by?: Submitter;
}

/** The outcome of a send whose contract transaction succeeded (failures throw ChainError). */
export interface TxResult {
  /** Hex hash of the channel contract's transaction (for explorer links). */
  hash: string;
  /** Logical time of that transaction. */
  lt: bigint;
  /** Hex hash of the wallet's transaction that sent the message. */
  walletTxHash: string;
  /** Total fees of the wallet's and the contract's transactions, nanotons. */
  fees: bigint;
  /** The contract's compute-phase exit code (0 or 1 on success). */
  exitCode: number;
  /** Gas used by the contract's compute phase. */
  gasUsed: bigint;
  /** What the contract's transaction sent to the wallet (its change, a refund), nanotons. */
  sentBack?: bigint;
}

/**
 * A closed channel whose payout transaction is not among the newest `depth` transactions (later messages to the
 * closed contract bury it): what it paid by is its closed record (the state's balances, not each party's share).
 */
export interface PayoutBuried {
  buried: true;
  record: ClosedRecord;
  depth: number;
  /** the endpoint's history of the contract ended after `depth` transactions, before its first (it keeps no older) */
  incomplete?: true;
}

/**
 * A closed channel whose history at this endpoint is empty: the endpoint's history is behind the contract's state
 * (an indexer catching up: the payout shows once it has it) or it keeps none.
 */
export interface PayoutNoHistory {
  noHistory: true;
}

/** What a closed channel paid, read from its payout transaction. */
export interface Payout {
  /** The step of the state paid; null for an exit nobody challenged (the deposits were the balances). */
  step: bigint | null;
  /** The balances of the state paid (or the deposits, for an exit). */
  stateBalanceA: bigint;
  stateBalanceB: bigint;
  /**
   * Each party's share of what the contract held (its state balance plus half the reserve): what the channel
   * paid it. Together they are the contract's balance before the payout less its storage fee.
   */
  paidA: bigint;
  paidB: bigint;
  /** The party that sent the payout message (null: a third party), and what came back to it of that message's value after the payout's fees (0 for a third party). */
  closer: 'A' | 'B' | null;
  changeBack: bigint;
  /** Hex hash and logical time of the payout transaction. */
  txHash: string;
  lt: bigint;
}

export type ChannelEvent =
  /** `lt`: the last transaction of the account as read (a read older than one seen has a lower one) */
  | { type: 'deposit'; party: 'A' | 'B'; amount: bigint; depositA: bigint; depositB: bigint; lt?: bigint }
  | { type: 'refund'; party: 'A' | 'B'; amount: bigint; depositA: bigint; depositB: bigint; lt?: bigint }
  | { type: 'locked'; depositA: bigint; depositB: bigint }
  | { type: 'closeStarted'; step: bigint; submitter: 'A' | 'B'; deadline: number; state: ChannelState }
  /** A party left alone (no state): after the deadline the deposits are paid, unless a state signed by both challenges it. */
  | { type: 'exitStarted'; submitter: 'A' | 'B'; deadline: number; depositA: bigint; depositB: bigint }
  | { type: 'challenged'; step: bigint; state: ChannelState; deadline: number }
  /** Chain time reached the deadline of a close under way: finishClose can now be sent. */
  | { type: 'deadlinePassed'; deadline: number; now: number }
  /** The contract paid out (its stored phase is CLOSED and the payout transaction was read). payoutA/B are payout.paidA/B. */
  | { type: 'closed'; payoutA: bigint; payoutB: bigint; payout: Payout }
  /** The contract paid out but its payout transaction is buried beyond the watch's depth: a deeper read may find it. */
  | { type: 'payoutBuried'; record: ClosedRecord }
  /** The contract paid out and its payout transaction is not found yet (the endpoint's history behind or empty): told once; the watch keeps looking. */
  | { type: 'paidOutUnread'; paid: ClosedRecord; noHistory: boolean };

export interface WatchOptions {
  signal?: AbortSignal;
  /** Poll interval (default: 250 ms sandbox, 500 ms devnet, 3000 ms testnet). */
  pollMs?: number;
  onEvent: (e: ChannelEvent) => void;
  /** A failed poll or an unexpected read (no account after a live one, a frozen account, a payout not found yet): the watch keeps going. Without it, errors are dropped. */
  onError?: (e: Error) => void;
  /** The first poll that reads the channel as expected after one or more went to onError. */
  onReadAgain?: () => void;
  /** The chain's time, as each poll of a closing channel reads it (unix s). */
  onNow?: (now: number) => void;
}

export interface ChannelWatch {
  stop(): void;
}

export interface Chain {
  readonly kind: ChainKind;
  /** Opens the standard wallet of `key` (default version v5r1). The sandbox also deploys and funds it. */
  openWallet(key: KeyPair, opts?: { version?: WalletVersion; workchain?: number }): Promise<Wallet>;
  /** The address a channel with this config will have with contract `version` (default the current; no chain access). */
  channelAddress(config: ChannelConfig, version?: ContractVersion): Address;
  /** Deploys the channel (contract `o.version`, default the current) from `wallet` (A or B), crediting `deposit` (may be 0n) to the sender. */
  deployChannel(wallet: Wallet, config: ChannelConfig, deposit: bigint, o?: OpOptions & { version?: ContractVersion }): Promise<{ address: Address } & TxResult>;
  deposit(wallet: Wallet, channel: Address, amount: bigint, o?: OpOptions): Promise<TxResult>;
  refund(wallet: Wallet, channel: Address, o?: OpOptions): Promise<TxResult>;
  cooperativeClose(wallet: Wallet, channel: Address, s: SignedStateArg, o?: OpOptions): Promise<TxResult>;
  startClose(wallet: Wallet, channel: Address, s: SignedStateArg, o?: OpOptions): Promise<TxResult>;
  /** From A's or B's wallet, without any state: opens the challenge window with the deposits as the balances. */
  startExit(wallet: Wallet, channel: Address, o?: OpOptions): Promise<TxResult>;
  challenge(wallet: Wallet, channel: Address, s: SignedStateArg, o?: OpOptions): Promise<TxResult>;
  finishClose(wallet: Wallet, channel: Address, o?: OpOptions): Promise<TxResult>;
  /** Balance of any account, nanotons (0 if it does not exist). */
  getBalance(address: Address, o?: Pick<OpOptions, 'signal'>): Promise<bigint>;
  /**
   * The balance and, in the same read, the storage fee its next transaction takes first (null: this backend does not
   * say it; toncenter's v2 API gives no storage stat).
   */
  getBalanceDue(address: Address, o?: Pick<ReadOptions, 'signal' | 'background'>): Promise<{ balance: bigint; storageDue: bigint | null }>;
  /** The wallet's seqno (0 before it is deployed). */
  getSeqno(wallet: Wallet | Address, o?: Pick<OpOptions, 'signal'>): Promise<number>;
  /** A live channel's data (funding, open, closing), or null otherwise (not deployed, closed, frozen): see getChannelStatus. */
  getChannelData(channel: Address, o?: ReadOptions): Promise<ChannelData | null>;
  /** Never deployed (even if it holds coins), funding, open, closing, closed (with what was paid) or frozen. */
  getChannelStatus(channel: Address, o?: ReadOptions): Promise<ChannelStatus>;
  /**
   * What a closed channel paid, read from its payout transaction; buried: the transaction is not among the newest
   * (the depth: 200, 2,000 deep); null while it is not closed or its history ends without the transaction.
   */
  getPayout(channel: Address, o?: ReadOptions): Promise<Payout | PayoutBuried | PayoutNoHistory | null>;
  /**
   * Waits until `address` has taken in a message from `from` newer than `afterLt` (a payout reaching a wallet: on
   * testnet a block or more after the payout); false when `timeoutMs` passes first.
   */
  received(address: Address, from: Address, afterLt: bigint, o: { timeoutMs: number; signal?: AbortSignal }): Promise<boolean>;
  /** Chain time (unix seconds): compare deadlines with this, not with the local clock. */
  now(o?: ReadOptions): Promise<number>;
  /**
   * Polls the channel and reports changes between polls as events. The first poll is the baseline: it reports
   * nothing, except `deadlinePassed` when a close under way is already past its deadline and `closed` when the
   * channel has already paid out. A channel not deployed yet is a baseline of zero deposits, so its deployment and
   * deposits are reported. `closed` comes only once the stored phase is CLOSED and the payout transaction was read;
   * a read without an account after a live one, a frozen account or a payout not found yet go to onError and the
   * next poll tries again. After `closed` the watch ends. Changes that undo each other between two polls (a
   * deposit and its refund) are not seen.
   */
  watchChannel(channel: Address, o: WatchOptions): ChannelWatch;
  /** Stops every watch. The chain object must not be used afterwards. */
  close(): Promise<void>;
}
