// What the node's parts share: the options, the channels, the partners' sessions, events. The ChannelNode
// facade builds one and hands it to the parts (negotiation, payments, closing, the arbiter, sync, handlers).
import type { Address } from '@ton/core';
import type { KeyPair } from '../core/signer.js';
import type { AppMessage } from '../core/wire.js';
import type { LifeEventType } from '../core/lifecycle.js';
import type { Chain, Wallet } from '../chain/types.js';
import type { P2PNode, PeerSession } from '../p2p/index.js';
import type { ChannelController } from './controller.js';
import type { DataDir } from './persistence.js';
import type { FreeSpace } from './space.js';
import type { BalanceView, ChannelView, NetworkKind, NodeEvent, WalletLowView } from './types.js';

/** The node's timings and limits, as a config gives them (each left out: its default). */
export interface NodeTunables {
  /** automatic mode: countersign valid states, pass the turn after a payment, answer turn requests (default true) */
  autoMode?: boolean;
  /** default challenge period for channels this node opens (seconds) */
  challengePeriod?: number;
  /** the shortest challenge period this node accepts from a partner (seconds; default per network) */
  minChallengePeriod?: number;
  /** how often the watcher polls the chain (ms) */
  pollMs?: number;
  /** how long the initial state may stay unsigned by both before the exit is offered (ms) */
  initialTimeoutMs?: number;
  /** how long a cooperative close waits for the partner before falling back (ms) */
  closeTimeoutMs?: number;
  /** how long accepting a proposal waits for the partner's deployment before it says what to do (ms; default per network) */
  deployWaitMs?: number;
  /** how often a channel the chain could not help recover at start-up is tried again (ms; default a minute) */
  recoverAgainMs?: number;
  /** the free space (bytes) under which no payment state is signed (default MIN_FREE_BYTES, 32 MiB; 0: no floor) */
  minFreeBytes?: number;
  /** how long a channel's chain reads fail before the node raises WATCH_FAILING (ms; default 5 minutes) */
  watchAlarmMs?: number;
  /** how often the wallet is read while a live channel needs its exit reserve (ms; default reserve.ts walletReadMs) */
  walletReadMs?: number;
}

/** every key of NodeTunables (a new one that is not here fails to compile) */
const TUNABLES: Record<keyof NodeTunables, true> = { autoMode: true, challengePeriod: true, minChallengePeriod: true, pollMs: true, initialTimeoutMs: true, closeTimeoutMs: true, deployWaitMs: true, recoverAgainMs: true, minFreeBytes: true, watchAlarmMs: true, walletReadMs: true };

/** The tunables set in `from`: a 0 counts as left out, except minFreeBytes (0: no floor). */
export function tunablesOf(from: NodeTunables): NodeTunables {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(from) as [keyof NodeTunables, unknown][]) {
    if (!Object.hasOwn(TUNABLES, k) || v === undefined || (v === 0 && k !== 'minFreeBytes')) continue;
    out[k] = v;
  }
  return out as NodeTunables;
}

export interface ChannelNodeOptions extends NodeTunables {
  network: NetworkKind;
  dataDir: string;
  chain: Chain;
  wallet: Wallet;
  /** the channel key (the node uses the wallet key) */
  key: KeyPair;
  p2p: P2PNode;
}

/** A channel of the data folder on another network than the node's: named, never run or watched here. */
export interface OtherNetworkChannel {
  readonly network: NetworkKind;
  /** raw addresses */
  readonly contract: string;
  readonly partner: string;
}

export interface NodeContext {
  readonly o: Required<Pick<ChannelNodeOptions, 'network' | 'dataDir' | 'chain' | 'wallet' | 'key' | 'p2p'>> & ChannelNodeOptions;
  readonly autoMode: boolean;
  /** chain time minus local time (s), last measured: the sandbox and the devnet can move the chain clock */
  chainSkew: number;
  /** the chain's time was read in this run (until then chainSkew is no estimate: views judge no mark by it) */
  chainTimeRead: boolean;
  readonly myAddress: Address;
  readonly data: DataDir;
  /** the free space of the data folder's disk */
  readonly space: FreeSpace;
  /** refuses a new payment state while the disk is nearly full (DISK_LOW), telling the user once per episode */
  checkSpace(): void;
  /** aborted as the node stops: the reads a recovery waits for end with it (a stop never waits on the chain) */
  readonly stopping: AbortSignal;
  /** by channel id (decimal) */
  readonly channels: Map<string, ChannelController>;
  /** each channel of the data folder on another network, not closed (never loaded here), by id */
  readonly otherNetwork: Map<string, OtherNetworkChannel>;
  emit(e: NodeEvent): void;
  /** a read of this node's wallet: judged against what leaving its live channels costs (reserve.ts) */
  walletRead(read: BalanceView): void;
  /** the shortfall the last read of this wallet found (null: none) */
  walletLow(): WalletLowView | null;
  log(message: string, level?: 'info' | 'warn' | 'error'): void;
  /** reports an error as an event (never throws) */
  fail(e: unknown, ctl?: ChannelController): void;
  view(ctl: ChannelController): ChannelView;
  /** emits channelUpdated and wakes the channel's waiters */
  changed(ctl: ChannelController): void;
  /** applies a lifecycle event: saves the record, reports, performs the effects (never throws for chain events) */
  transition(ctl: ChannelController, event: LifeEventType): Promise<void>;
  /** the partner's live session, if any */
  sessionOf(ctl: ChannelController): PeerSession | null;
  /** sends to the channel's partner without waiting for the acknowledgement (resent until acknowledged) */
  send(ctl: ChannelController, msg: AppMessage, byUser?: boolean): void;
  /**
   * the same, resolving true once the partner acknowledged it, false if it will not be delivered (never rejects).
   * `byUser`: sent for a user's command (default: whether the code running now is one, asked.ts).
   */
  sendAcked(ctl: ChannelController, msg: AppMessage, byUser?: boolean): Promise<boolean>;
  /** sends on a session without waiting; failures are logged */
  sendOn(s: PeerSession, msg: AppMessage): void;
}
