// The ChannelNode's public surface: what the CLI, the tests and the VS Code extension see.
// Views are plain data (bigint amounts, string addresses) so UIs render them without touching the core's rules:
// what a user may do now is `ChannelView.actions`, computed by the node from the core's capabilities.
import type { Action, Capabilities, Capability } from '../core/capabilities.js';
import type { ErrorCode, Level } from '../core/codes.js';
import type { NetworkKind } from '../core/format.js';
import type { LifePhase } from '../core/lifecycle.js';
import type { Party } from '../core/signed.js';
import type { WalletLowView } from './reserve.js';
export type { WalletLowView } from './reserve.js';

export type { Action, Capabilities, Capability, ErrorCode, Level, LifePhase, NetworkKind, Party };
import type { NodeEvent } from './events.js';
export type { NodeEvent };

/** Where a channel is in its life (the lifecycle machine's phase). */
export type ChannelPhaseView = LifePhase;

/** What one coalesced payment (`pay`) settled: the state both signed that includes it. */
export interface PaymentResult {
  /** this payment's amount (nanotons) */
  amount: bigint;
  /** the state both signed that carries it */
  step: bigint;
  /** its place among that state's payments (0-based), and how many payments that state carried */
  index: number;
  of: number;
  /** my balance in the channel right after this payment (the state's payments applied in order) */
  myBalance: bigint;
}

export interface StateView {
  step: bigint;
  /** who created (and signed first) this state */
  sender: Party;
  tag: 'state' | 'close';
  balanceA: bigint;
  balanceB: bigint;
  /** hex, upper case; null when not signed (yet) by that party */
  sigA: string | null;
  sigB: string | null;
  /** true when both signed */
  committed: boolean;
  /** true for a state both signed that changed no balance (passed the turn) */
  empty: boolean;
  /** both signed, held in memory only: its write failed (a full disk), so it is not on this node's disk */
  unsaved?: true;
}

/** An account's balance and the storage fee its next transaction pays first (null: the chain's endpoint does not say it). */
export interface BalanceView {
  balance: bigint;
  storageDue: bigint | null;
}

/** What the chain paid out, read from the payout transaction. */
export interface PayoutView {
  /** the step of the state the contract paid, or null for an exit (the recorded deposits) */
  step: bigint | null;
  /** the balances of the state (or deposits) the contract paid by */
  balanceA: bigint;
  balanceB: bigint;
  /**
   * what the channel paid A and B: each its balance plus half the contract's reserve (they add up to what it held);
   * null when the payout transaction was not found (buried under later messages): the contract's closed record
   * says only the balances paid by (txHash null too)
   */
  paidA: bigint | null;
  paidB: bigint | null;
  /** who sent the payout message (null: someone else), and what came back to it of that message after the fees: its wallet got paid + changeBack (absent in records written before 2026-12-02) */
  closer?: Party | null;
  changeBack?: bigint;
  /** the latest state both signed that this node holds, to compare */
  latestStep: bigint | null;
  latestBalanceA: bigint | null;
  latestBalanceB: bigint | null;
  /**
   * true: the contract paid what the latest state both signed (that this node holds) pays; false: it paid an older
   * state or the deposits (a stale close stood); null: this node cannot tell, it paid by a state newer than any
   * this node holds or the node holds none (restored from an older copy), and a later state may exist
   */
  matchesLatest: boolean | null;
  txHash: string | null;
  /** the payout transaction's logical time (absent in records written before 2026-12-02) */
  lt?: bigint;
}

export interface CloseView {
  /** the step on chain, or null for an exit with the deposits */
  step: bigint | null;
  /** who started the close or the exit (as the contract keeps it: a challenge changes the step, not this) */
  submitter: Party;
  /** unix seconds (chain time) */
  deadline: number;
  /** this node started the close or the exit */
  byMe: boolean;
  /**
   * The step of our state that should replace this close, which the watcher challenges with (after repeated
   * refusals by the contract only a person's challenge tries again); null: none, the close pays us at least what
   * our latest state does and nothing between could pay less, or the watcher has not read the close yet.
   */
  challengeWith: bigint | null;
  /**
   * seconds until the deadline in chain time (when the view was made); null: not known yet (the node has not read
   * the chain's time in this run): say so, never a figure of the local clock
   */
  secondsLeft: number | null;
  /**
   * While closing: a challenge this node saw raise the close's step in its window (present only then). `firstStep`:
   * the step the close started with (null: an exit); `byMe`: this node sent the challenge on chain (else the partner)
   */
  challenged?: { firstStep: bigint | null; byMe: boolean };
}

/**
 * A close state both signed that the chain does not show yet (the channel open, the contract not read closing or
 * paid out): nothing can follow it, and it pays out at once once sent.
 */
export interface CloseUnsentView {
  step: bigint;
  /** ours: this node sends it by itself (as it is signed, and at its next start); else its creator's node does */
  ours: boolean;
  /**
   * on its way: this node sends it now (a withdraw under way, or its send not answered yet) or sent it and it may
   * still land, or the partner's was signed by both moments ago while they are connected (their node sends it)
   */
  onWay: boolean;
}

export interface ChannelView {
  /** stable id: the contract address (one form everywhere) */
  id: string;
  channelId: string;
  contract: string;
  network: NetworkKind;
  me: Party;
  myAddress: string;
  partnerAddress: string;
  partnerOnline: boolean;
  phase: ChannelPhaseView;
  challengePeriod: number;
  expectedDepositA: bigint;
  expectedDepositB: bigint;
  depositA: bigint;
  depositB: bigint;
  /** latest state both signed (null before step 0 is signed) */
  latest: StateView | null;
  /** how many states both signed (showAll / history() return them) */
  count: bigint;
  /** a state awaiting a signature: mine (from the partner) or the partner's (my proposal) */
  pending: (StateView & { awaiting: 'me' | 'partner' }) | null;
  myTurn: boolean;
  /** on the partner's turn, a send (with a wait) asks for the turn first and pays once it comes: automatic mode, partner online */
  sendAsksTurn: boolean;
  turnRequestedByPartner: boolean;
  /** a deposit of yours to this channel is under way (a UI does not offer another) */
  depositing: boolean;
  /** my balance in the channel (paid out: the state or deposits the contract paid by; else the latest state, else my deposit) and the partner's */
  myBalance: bigint;
  partnerBalance: bigint;
  close: CloseView | null;
  /** a close state both signed that the chain does not show yet (closeunsent.ts); null otherwise */
  closeUnsent: CloseUnsentView | null;
  /** closing only (kept for scripts): close.deadline and the step on chain */
  deadline: number | null;
  closeStep: bigint | null;
  payout: PayoutView | null;
  /** the balances of the state the contract paid by (null until closed) */
  payoutA: bigint | null;
  payoutB: bigint | null;
  /** what the user may do now, and why not otherwise */
  actions: Capabilities;
  /** restored from a backup and not yet checked against the partner */
  restorePending: boolean;
  /** imported from a backup: the node signs no payment in it (actions.send says why); close it and open a new one */
  restored: boolean;
  /** a channel of contract v1 (SynChannel 0.1): listed, watched by nothing here */
  legacy: boolean;
  /** the version of the channel's contract (2 for v1 channels too: see legacy) */
  contractVersion: number;
}

/** Channels of the data folder on one other network, not closed: not run here. */
export interface OtherNetworkView {
  network: NetworkKind;
  channels: number;
  /** their contract addresses, as views show them */
  contracts: string[];
}

/** A channel folder the node could not load: listed with its error, never dropped silently. */
export interface BrokenChannelView {
  id: string;
  code: ErrorCode;
  message: string;
  /** the node tries to recover it again by itself (the chain did not answer, or an import is not moved in yet) */
  retrying?: boolean;
}

export interface ServeResult {
  lan: string[];
  wan: string[];
  /** the address asked for was served already: nothing new listens (`lan`, `wan`: what is served) */
  already?: boolean;
}

export interface PartnerView {
  address: string;
  /** the partner's proof of address ownership, hex upper case (printed as "Partner signature") */
  signature: string;
  peerId: string;
  online: boolean;
}

/** Progress of an on-chain wait, for UIs (VS Code withProgress, CLI progress lines). */
export interface ProgressOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface OpenChannelOptions extends ProgressOptions {
  /** nanotons I deposit */
  myDeposit: bigint;
  /** nanotons the partner deposits (may be 0: a receive-only partner) */
  partnerDeposit: bigint;
  /** seconds; default per network */
  challengePeriod?: number;
  /** the partner's address, when several partners are connected */
  partner?: string;
}

export interface WithdrawOptions extends ProgressOptions {
  /** a step both signed; default the latest */
  step?: bigint;
  /** cooperative (default when the partner is online) or unilateral (start close + finish after the window) */
  mode?: 'auto' | 'cooperative' | 'unilateral';
  /** must be true to submit a step older than the latest (the partner can challenge it) */
  confirmStale?: boolean;
}

export interface WithdrawResult {
  mode: 'cooperative' | 'unilateral';
  step: bigint;
  /** unilateral: when the close can be finished (unix seconds) */
  deadline: number | null;
  /** cooperative: the balances the contract paid by */
  payoutA: bigint | null;
  payoutB: bigint | null;
  /** true when a cooperative close was not possible and a unilateral close started instead */
  fellBack: boolean;
  /** why the cooperative close was not possible, when fellBack */
  fallbackReason: string | null;
}

export type ChannelSel = { channel?: string };

/** What an import did: folder ids restored and kept, and the channels left out (another network's). */
export interface ImportView {
  imported: string[];
  kept: string[];
  left: { channel: string; network: string }[];
}

/** What an export wrote: how many channels, and the ones it left out (named by contract), each with its error. */
export interface ExportResult {
  channels: number;
  skipped: { channel: string; code: string; message: string }[];
}

/** The commands every host offers (the original command set, plus what the lifecycle needs). */
export interface ChannelNodeApi {
  readonly network: NetworkKind;
  on(listener: (event: NodeEvent) => void): () => void;

  serve(port: number, host?: string): Promise<ServeResult>;
  connect(multiaddr: string, opts?: { timeoutMs?: number }): Promise<PartnerView>;
  partners(): PartnerView[];
  /** what this node serves on, if it does */
  served(): ServeResult | null;
  /**
   * Settles once the chain was read for every channel recovered at start-up (a close made while the node was off
   * is known then) and the read at start has said what it found (a chain out of reach, a refused key), or after `timeoutMs` (default 10 s) when the chain is slow to answer: the contracts of the
   * channels not read yet.
   */
  caughtUp(timeoutMs?: number): Promise<string[]>;

  /** A: propose a channel to the connected partner (and deploy once accepted) */
  open(opts: OpenChannelOptions): Promise<ChannelView>;
  /** B: accept the partner's proposal and deposit; A: retry the deployment, or top up while funding */
  deposit(amount?: bigint, opts?: ProgressOptions & ChannelSel): Promise<ChannelView>;
  /** before the channel locks: take my deposit back */
  refund(opts?: ProgressOptions & ChannelSel): Promise<ChannelView>;
  /** give up a proposal, or a funding channel that holds nothing of mine (read from the chain; never while a deposit of mine may land) */
  decline(opts?: ChannelSel): Promise<ChannelView>;
  /**
   * One payment in a state of its own; resolves once the proposal is on our disk and sent. With `waitMs`, a send
   * that comes while our last state is still in flight waits for it to be signed (then briefly for the partner's
   * pass) instead of failing at once: lines pasted or piped one after another each make their payment. In
   * automatic mode it also asks for the turn when it is the partner's, and waits for it (onProgress says so).
   * `signal` stops the wait (CANCELLED, nothing paid); once the payment is proposed it is not stopped.
   */
  send(amount: bigint, opts?: ChannelSel & ProgressOptions & { waitMs?: number }): Promise<StateView>;
  /**
   * A payment merged with the others asked for meanwhile into our next state; resolves once a state that includes
   * it is committed by both and durable on both sides, in the order asked (src/node/pay.ts). `waitMs` (default
   * 60 s) bounds the wait: then TIMEOUT (with `sent` once its state went to the partner); `signal` stops it (CANCELLED)
   */
  pay(amount: bigint, opts?: ChannelSel & { waitMs?: number; signal?: AbortSignal }): Promise<PaymentResult>;
  sign(opts?: ChannelSel): Promise<StateView>;
  createEmpty(opts?: ChannelSel): Promise<StateView>;
  requestEmpty(opts?: ChannelSel): Promise<void>;
  withdraw(opts?: WithdrawOptions & ChannelSel): Promise<WithdrawResult>;
  /** locked, step 0 not signed by both: leave with the recorded deposits (a unilateral exit) */
  /** `confirmStale`: leave a channel restored from a backup before the partner answered (it may hold newer states) */
  exit(opts?: ProgressOptions & ChannelSel & { confirmStale?: boolean }): Promise<{ deadline: number }>;
  /** a close under way: challenge it now with the latest state if that pays more (the node also does it by itself) */
  challenge(opts?: ProgressOptions & ChannelSel): Promise<ChannelView>;
  /** after the challenge window: pay out (the node also does it by itself) */
  finish(opts?: ProgressOptions & ChannelSel): Promise<ChannelView>;

  channels(): ChannelView[];
  /** this data folder's channels on other networks, not closed: neither run nor watched by this node */
  otherNetworks(): OtherNetworkView[];
  /** the network of a channel (id or contract address) of this data folder run on another network; else null */
  otherNetworkOf(id: string): NetworkKind | null;
  /** channel folders that could not be loaded, with what to do */
  brokenChannels(): BrokenChannelView[];
  /** the channel commands act on by default (the only or most relevant one) */
  currentChannel(): ChannelView | null;
  channel(id: string): ChannelView | null;
  /** the latest state both signed (`unsaved`: held in memory only, its write failed) */
  balanceChan(channel?: string): { balanceA: bigint; balanceB: bigint; step: bigint; unsaved?: true } | null;
  balanceContract(channel?: string): Promise<bigint>;
  /** my wallet's balance, or any account's */
  balanceTon(address?: string): Promise<bigint>;
  /** balanceContract and balanceTon with the storage fee the chain takes first at the account's next transaction */
  balanceContractDue(channel?: string): Promise<BalanceView>;
  balanceTonDue(address?: string): Promise<BalanceView>;
  /**
   * what the wallet needs beyond a deposit (or a deployment with it): its fees and what a close alone takes later; the
   * most to deposit is the balance less this and the storage fee due (uiRules.depositRoom). `side` and `deposit` given:
   * what that party needs to open; B depositing nothing sends nothing to open, and keeps only what leaving costs.
   */
  depositFees(side?: Party, deposit?: bigint): bigint;
  /** this wallet short of what leaving its live channels alone costs, as its last read found it (null: enough, or not read) */
  walletLow(): WalletLowView | null;
  /** Whether both wallets have taken in what a closed channel paid them (testnet: a block or more after the payout); null when not paid out or unknown (a record written before 2026-12-02). */
  payoutLanded(channel?: string, timeoutMs?: number): Promise<boolean | null>;
  getAccount(): string;
  /** this node's proof that it owns its account (hex): its wallet key's signature of its address ("Account signature") */
  accountSignature(): string;
  getPartnerAccount(channel?: string): string | null;
  getSmartContractAccount(channel?: string): string | null;
  getSeqno(): Promise<number>;
  /** devnet/sandbox: fund my wallet from the chain's faucet; returns the new balance */
  faucet(amount: bigint): Promise<bigint>;
  /**
   * Every state both signed with from <= step < to (default: all), and the pending one when the range reaches
   * it, oldest first. At most SHOW_ALL_MAX states at once (BAD_INPUT beyond: page with from and to).
   */
  showAll(channel?: string, range?: { from?: bigint; to?: bigint }): Promise<StateView[]>;
  showLast(channel?: string): StateView | null;
  /** states both signed with from <= step < to (a window of the history) */
  history(channel: string | undefined, from: bigint, to: bigint): Promise<StateView[]>;
  /** one backup file of every channel of this node; `skipped`: channels it could not read here, with why */
  exportBackup(file: string): Promise<ExportResult>;
  /**
   * Restores channels from a backup; restored channels wait for the partner before signing. Another network's
   * channels are imported into this folder, or with `otherNetworks: 'leave'` left out and named.
   */
  importBackup(file: string, o?: { otherNetworks?: 'import' | 'leave' }): Promise<ImportView>;

  stop(): Promise<void>;
}
